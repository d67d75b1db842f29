"""Each role's home shows the last assessment week as the weekly notice and reports count it — the same number
of violations and the same fines — with the on-time rates, and the appeal windows open now."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse

from core.models import Message
from penalties import appeals
from penalties.models import Violation, WeeklyNotice
from penalties.reports import weekly_notices
from penalties.sweep import sla_sweep

from .factories import make_order

SH = ZoneInfo("Asia/Shanghai")
WEEK = date(2026, 11, 16)  # the week before the tests' Tuesday 2026-11-24
NOTICE_AT = datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def _stat(html, testid):
    return re.search(rf'data-testid="{testid}">([^<]*)<', html).group(1)


def test_home_week_equals_the_weekly_report(net, login):
    for day in (17, 18):
        make_order(order_time=datetime(2026, 11, day, 10, 0, tzinfo=SH))  # never accepted: late accept and pickup
    make_order(order_time=datetime(2026, 11, 19, 10, 0, tzinfo=SH), sender_city="宁波市", sender_district="海曙区")
    sla_sweep(since=datetime(2026, 11, 16, tzinfo=SH), until=datetime(2026, 11, 23, tzinfo=SH), at=NOTICE_AT)
    weekly_notices(week=WEEK, at=NOTICE_AT)

    report = Message.objects.get(audience=Message.Audience.PROVINCE, province=net.zj, title__contains="周报")
    count, total = re.search(r"本周违规 (\d+) 条，罚款合计 ¥([\d,.]+)", report.body).groups()
    lcs = login(net.lcs_zj).get(reverse("home")).content.decode()
    assert "11月16日–11月22日" in lcs
    assert _stat(lcs, "week-count") == count and _stat(lcs, "week-total") == f"¥{total}"

    notice = WeeklyNotice.objects.get(site=net.site_a, week=WEEK)
    clerk = login(net.clerk_a).get(reverse("home")).content.decode()
    assert (
        _stat(clerk, "week-count") == str(notice.lines.count())
        and _stat(clerk, "week-total") == f"¥{notice.total:,.2f}"
    )
    assert _stat(clerk, "week-accept") == "0%"  # both orders of the week were accepted late (never)
    # the appeal windows: 72 h after the notice, soonest first, said as every page says a deadline
    windows = re.findall(r'申诉 <span data-testid="appeal-deadline"><span [^>]*>(\d+月\d+日 [\d:]+ 截止)（', clerk)
    assert windows and set(windows) == {"11月26日 09:00 截止"}
    v = Violation.objects.filter(site=net.site_a).first()
    appeal = appeals.appeal_file(violation_id=v.pk, actor=net.clerk_a, text="x", at=NOTICE_AT + timedelta(hours=1))
    appeals.appeal_lcs_decide(
        appeal_id=appeal.pk, actor=net.lcs_zj, cancel=False, text="维持", at=NOTICE_AT + timedelta(hours=2)
    )
    clerk = login(net.clerk_a).get(reverse("home")).content.decode()
    assert re.search(
        r'向总部申诉 <span data-testid="appeal-deadline"><span [^>]*>11月26日 11:00 截止（<span [^>]*>还剩 ', clerk
    )

    national = login(net.hq).get(reverse("home")).content.decode()
    assert int(_stat(national, "week-count")) == Violation.objects.filter(notice_line__notice__week=WEEK).count()
    assert int(_stat(login(net.manager_zj).get(reverse("home")).content.decode(), "week-count")) == int(count)
