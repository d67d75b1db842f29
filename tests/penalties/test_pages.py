"""The rule book's pages: lists and export scoped per role, the audit flow in the browser's terms, decisions,
a site's deadlines, the dashboard, rules and closures."""

import re
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from core.models import ClosureDay
from dispatch import services as ops
from orders.models import EventKind
from penalties.models import Rule, RuleVersion, Violation
from penalties.sweep import sla_sweep

from ..factories import make_order
from ..pages import shown

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def late_orders(net):
    a = make_order(order_time=T0)
    b = make_order(order_time=T0, sender_city="宁波市", sender_district="海曙区")
    sla_sweep(since=T0 - timedelta(days=1), until=T0 + timedelta(hours=1), at=T0 + timedelta(hours=1))
    return a, b


def test_violation_list_is_scoped_and_exported(net, login):
    a, b = late_orders(net)
    clerk = login(net.clerk_a).get(reverse("penalties:violation_list")).content.decode()
    assert a.channel_order_id in clerk and b.channel_order_id not in clerk
    lcs = login(net.lcs_zj).get(reverse("penalties:violation_list")).content.decode()
    assert a.channel_order_id in lcs and b.channel_order_id in lcs
    assert "接单超时" in lcs
    other_province = shown(login(net.lcs_xj).get(reverse("penalties:violation_list")))
    assert re.search(r"LP\d{10}", other_province) is None
    client = login(net.hq)
    page = client.get(reverse("penalties:violation_list"), {"site": net.site_b.code, "week": "2026-11-25"})
    assert b.channel_order_id in page.content.decode() and a.channel_order_id not in page.content.decode()
    wb = load_workbook(BytesIO(client.get(reverse("penalties:violation_export"), {"rule": "LATE_ACCEPT"}).content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][1] == "11月23日–11月29日"
    other = Violation.objects.get(order=b)
    assert login(net.clerk_a).get(reverse("penalties:violation_detail", args=[other.pk])).status_code == 404


def test_audit_flow_lcs_proposes_hq_confirms(net, login):
    order = make_order(order_time=T0)
    ops.order_accept_fail(
        order_id=order.pk, actor=net.clerk_a, reason="phone", text="空号", at=T0 + timedelta(minutes=3)
    )
    event = order.events.get(kind=EventKind.ACCEPT_FAILED)
    lcs = login(net.lcs_zj)
    page = lcs.get(reverse("penalties:audit"), {"date_from": "2026-11-20", "date_to": "2026-11-23", "kind": "failed"})
    assert order.channel_order_id in page.content.decode()
    sample = lcs.get(
        reverse("penalties:audit"), {"date_from": "2026-11-20", "date_to": "2026-11-23", "kind": "all", "sample": 1}
    )
    assert sample.status_code == 200
    detail = lcs.get(reverse("penalties:audit_order", args=[order.pk])).content.decode()
    assert "接单失败" in detail and "空号" in detail
    lcs.post(
        reverse("penalties:audit_raise", args=[order.pk]),
        {
            "event": event.pk,
            "rule": Rule.FALSE_FAIL_REASON,
            "evidence": "回访：号码正常",
            "files": [SimpleUploadedFile("录音.txt", b"...")],
        },
    )
    v = Violation.objects.get()
    assert v.status == "PROPOSED" and v.attachments.count() == 1
    assert lcs.post(reverse("penalties:violation_confirm", args=[v.pk])).status_code == 403
    hq = login(net.hq)
    page = hq.get(reverse("penalties:violation_detail", args=[v.pk])).content.decode()
    assert "回访：号码正常" in page and "录音.txt" in page
    hq.post(reverse("penalties:violation_confirm", args=[v.pk]))
    assert Violation.objects.get(pk=v.pk).status == "CONFIRMED"
    att = v.attachments.get()
    assert hq.get(reverse("penalties:violation_attachment", args=[v.pk, att.pk])).status_code == 200
    # a bad request keeps everything and says why
    r = lcs.post(reverse("penalties:audit_raise", args=[order.pk]), {"event": event.pk, "rule": "NOPE"}, follow=True)
    assert r.status_code == 200 and Violation.objects.count() == 1


def test_site_deadlines_and_dashboard(net, login):
    a, b = late_orders(net)
    fresh = make_order()
    page = login(net.clerk_a).get(reverse("penalties:deadlines")).content.decode()
    assert fresh.channel_order_id in page and "接单超时" in page
    for user in (net.hq, net.lcs_zj, net.manager):
        body = login(user).get(reverse("penalties:dashboard")).content.decode()
        assert "<svg" in body and "按时接单" in body
    assert "数据中心" in login(net.hq).get(reverse("penalties:dashboard")).content.decode()


def test_rules_and_closures_pages(net, login):
    hq = login(net.hq)
    r = hq.post(
        reverse("penalties:rules"),
        {
            "code": "LATE_ACCEPT",
            "fine": "150",
            "threshold": "30",
            "threshold_unit": "minutes",
            "effective_from": "2030-01-01T00:00",
        },
        follow=True,
    )
    assert RuleVersion.objects.filter(code="LATE_ACCEPT").count() == 2 and "2030-01-01" in r.content.decode()
    r = hq.post(
        reverse("penalties:rules"),
        {
            "code": "LATE_ACCEPT",
            "fine": "150",
            "threshold": "30",
            "threshold_unit": "minutes",
            "effective_from": "2020-01-01T00:00",
        },
    )
    assert r.status_code == 200 and RuleVersion.objects.filter(code="LATE_ACCEPT").count() == 2  # not retroactive
    page = hq.get(reverse("penalties:closures"), {"year": 2026, "past": "1"}).content.decode()
    assert "02-15–02-23" in page and "春节" in page
    hq.post(
        reverse("penalties:closures"),
        {"first": "2026-02-17", "last": "2026-02-17", "reason": "Spring Festival", "action": "confirm"},
    )
    assert ClosureDay.objects.filter(day=date(2026, 2, 17), province=None).exists()
    lcs = login(net.lcs_zj)  # the same test client, now the province's LCS: may read the rules, not change them
    assert lcs.post(reverse("penalties:rules"), {"code": "LATE_ACCEPT"}).status_code == 302
    assert RuleVersion.objects.filter(code="LATE_ACCEPT").count() == 2
