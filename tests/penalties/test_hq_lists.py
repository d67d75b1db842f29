"""HQ's lists in the rule book as a selector, a FilterSet and a table: 稽核's orders, the reports, the closure days.
A filter narrows the rows; rows whose sort keys tie keep one order from page to page."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from core.models import ClosureDay
from dispatch import services as ops
from penalties import selectors
from penalties.models import Report

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
WEEK = {"date_from": "2026-11-20", "date_to": "2026-11-24"}


def _in_page_order(html: str, names: list[str]) -> list[str]:
    return [n for n in sorted(names, key=html.find) if html.find(n) >= 0]


# ---------------------------------------------------------------- 稽核


def test_audit_filters_narrow_the_orders(net, login):
    here = make_order(order_time=T0)
    there = make_order(order_time=T0, sender_city="宁波市", sender_district="海曙区")
    failed = make_order(order_time=T0)
    ops.order_accept_fail(
        order_id=failed.pk, actor=net.clerk_a, reason="phone", text="空号", at=T0 + timedelta(minutes=3)
    )
    before = make_order(order_time=T0 - timedelta(days=10))
    ids = [o.channel_order_id for o in (here, there, failed, before)]
    hq = login(net.hq)
    url = reverse("penalties:audit")
    assert 'data-testid="audit-orders"' not in hq.get(url).content.decode()  # nothing until asked
    page = hq.get(url, {**WEEK, "kind": "all"}).content.decode()
    assert _in_page_order(page, ids) == [failed.channel_order_id, there.channel_order_id, here.channel_order_id]
    page = hq.get(url, {**WEEK, "kind": "all", "site": net.site_b.code}).content.decode()
    assert _in_page_order(page, ids) == [there.channel_order_id]
    page = hq.get(url, WEEK).content.decode()  # no kind: the failed orders
    assert _in_page_order(page, ids) == [failed.channel_order_id] and "空号" in page
    assert f'href="{reverse("penalties:audit_order", args=[failed.pk])}"' in page
    page = hq.get(url, {**WEEK, "kind": "all", "sample": 2}).content.decode()
    assert len(_in_page_order(page, ids)) == 2
    page = hq.get(url, {**WEEK, "kind": "all", "sample": 9999}).content.decode()  # refused, not every order
    assert _in_page_order(page, ids) == [] and 'data-testid="audit-orders"' in page


def test_audit_orders_keep_one_order_when_times_tie(net, login):
    made = [make_order(order_time=T0) for _i in range(5)]
    names = [o.channel_order_id for o in made]
    hq = login(net.hq)
    seen = []
    for page in (1, 2, 3):
        html = hq.get(reverse("penalties:audit"), {**WEEK, "kind": "all", "per_page": 2, "page": page}).content.decode()
        seen += _in_page_order(html, names)
    assert seen == [o.channel_order_id for o in sorted(made, key=lambda o: -o.pk)]
    assert selectors.audit_orders_for(user=net.hq).query.order_by[-1] == "-id"


# ---------------------------------------------------------------- reports


def _report(kind, province, period):
    return Report.objects.create(
        kind=kind, period=period, province=province, file=f"reports/{kind}-{period}.pdf", generated_at=timezone.now()
    )


def _rows(response) -> list[Report]:
    return [row.record for row in response.context["table"].page.object_list]


def test_reports_filter_by_kind_and_province(net, login):
    week = date(2026, 11, 16)
    national = _report(Report.Kind.WEEKLY_NATIONAL, None, week)
    zj = _report(Report.Kind.WEEKLY_PROVINCE, net.zj, week)
    xj = _report(Report.Kind.WEEKLY_PROVINCE, net.xj, week)
    statement = _report(Report.Kind.MONTHLY_PROVINCE, net.zj, date(2026, 10, 1))
    hq = login(net.hq)
    url = reverse("penalties:reports")
    page = hq.get(url)
    assert _rows(page) == [national, zj, xj, statement]  # newest period first, then kind, then province
    html = page.content.decode()
    assert "11月16日–11月22日" in html and "2026年10月" in html and "全网" in html
    assert f'href="{reverse("penalties:report_download", args=[xj.pk])}"' in html
    assert _rows(hq.get(url, {"kind": Report.Kind.WEEKLY_PROVINCE})) == [zj, xj]
    assert _rows(hq.get(url, {"province": net.zj.pk})) == [zj, statement]
    assert _rows(hq.get(url, {"kind": Report.Kind.MONTHLY_PROVINCE, "province": net.xj.pk})) == []
    assert _rows(login(net.lcs_zj).get(url, {"province": net.xj.pk})) == [zj, statement]  # not a way out of scope


def test_reports_keep_one_order_across_pages(net, login):
    made = [
        _report(kind, province, date(2026, 11, 16) - timedelta(weeks=w))
        for w in range(3)
        for kind, province in (
            (Report.Kind.WEEKLY_PROVINCE, net.xj),
            (Report.Kind.WEEKLY_NATIONAL, None),
            (Report.Kind.WEEKLY_PROVINCE, net.zj),
        )
    ]
    hq = login(net.hq)
    seen = []
    for page in (1, 2, 3):
        seen += _rows(hq.get(reverse("penalties:reports"), {"per_page": 4, "page": page}))
    expected = sorted(made, key=lambda r: (-r.period.toordinal(), r.kind, r.province.code if r.province else "~"))
    assert seen == expected
    assert selectors.reports_for(user=net.hq).query.order_by[-1] == "id"


# ---------------------------------------------------------------- closure days


def _closure(day, province=None, reason="停运", by=None):
    return ClosureDay.objects.create(day=day, province=province, reason=reason, confirmed_by=by, confirmed_at=T0)


def test_closure_days_are_tables_and_the_past_is_a_filter(net, login):
    past = _closure(date(2026, 2, 17), reason="春节", by=net.hq)
    coming = _closure(date(2026, 12, 31), province=net.zj, reason="暴雪停工", by=net.hq)
    hq = login(net.hq)
    url = reverse("penalties:closures")
    page = hq.get(url)
    assert [row.record for row in page.context["confirmed"].page.object_list] == [coming]  # from today
    html = page.content.decode()
    assert 'data-testid="closures-confirmed"' in html and "确认人" in html and "浙江省" in html
    assert f'name="closure" value="{coming.pk}"' in html and 'value="undo_preview"' in html
    assert reverse("people:object_history", args=["closure-day", coming.pk]) in html
    page = hq.get(url, {"year": 2026, "past": "1"})
    assert [row.record for row in page.context["confirmed"].page.object_list] == [past, coming]
    html = page.content.decode()
    assert 'data-testid="closure-periods"' in html and "节假日" in html
    assert "?year=2026&amp;first=2026-02-15&amp;last=2026-02-23&amp;reason=%E6%98%A5%E8%8A%82" in html  # one act
    assert "春节 · 9 天" in html
    for day in (1, 2, 3):
        _closure(date(2026, 1, day), reason="元旦", by=net.hq)
    html = hq.get(url, {"year": 2026, "past": "1"}).content.decode()
    periods = html.split('data-testid="closure-periods"')[1]
    new_year, spring = periods.split("02-15–02-23")
    assert "已确认" in new_year and "first=2026-01-01" not in new_year  # confirmed: no second act offered
    assert "已确认" not in spring.split("</tr>")[0]


def test_closure_days_keep_one_order_across_pages(net, login):
    from core.models import Province

    provinces = [net.zj, net.xj] + [Province.objects.create(code=f"4{i}", name=f"省{i}") for i in range(3)]
    made = [_closure(date(2026, 12, 30), province=p, by=net.hq) for p in reversed(provinces)]
    made.append(_closure(date(2026, 12, 29), by=net.hq))
    hq = login(net.hq)
    seen = []
    for page in (1, 2, 3):
        response = hq.get(reverse("penalties:closures"), {"per_page": 2, "page": page})
        seen += [row.record for row in response.context["confirmed"].page.object_list]
    assert seen == [made[-1]] + made[:-1]  # by day, then as confirmed (the id)
    assert selectors.closure_days_for(year=2026).query.order_by[-1] == "id"
