"""Audit (稽核): LCS proposes, only HQ confirms; re-classification; evidence; rule versions; closure days."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import clock
from core.exceptions import AttachmentRejected
from dispatch import services as ops
from orders.models import EventKind
from penalties import services
from penalties.exceptions import PenaltyError
from penalties.models import Rule, RuleVersion, Violation, ViolationStatus
from penalties.sweep import sla_sweep

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
V = ViolationStatus


def failed_order(net):
    order = make_order(order_time=T0)
    ops.order_accept_fail(
        order_id=order.pk, actor=net.clerk_a, reason="phone", text="空号", at=T0 + timedelta(minutes=5)
    )
    return order, order.events.get(kind=EventKind.ACCEPT_FAILED)


def test_lcs_proposes_only_hq_confirms(net):
    order, event = failed_order(net)
    v = services.violation_raise(
        event=event,
        rule=Rule.FALSE_FAIL_REASON,
        evidence="回访客户：电话可接通",
        actor=net.lcs_zj,
        files=[SimpleUploadedFile("call.txt", b"record")],
    )
    assert v.status == V.PROPOSED and v.site == net.site_a and v.fine == Decimal("100") and v.week == date(2026, 11, 23)
    assert v.attachments.count() == 1
    with pytest.raises(PenaltyError):
        services.violation_confirm(violation_id=v.pk, actor=net.lcs_zj)
    services.violation_confirm(violation_id=v.pk, actor=net.hq, text="核实")
    v.refresh_from_db()
    assert v.status == V.CONFIRMED and v.decided_by == net.hq
    assert list(v.events.values_list("kind", flat=True)) == ["proposed", "confirmed"]
    with pytest.raises(PenaltyError):  # the same finding twice
        services.violation_raise(event=event, rule=Rule.FALSE_FAIL_REASON, evidence="x", actor=net.hq)


def test_hq_finding_is_confirmed_at_once_and_rejection(net):
    order, event = failed_order(net)
    v = services.violation_raise(event=event, rule=Rule.WRONG_ACCEPT, evidence="非本网点范围", actor=net.hq)
    assert v.status == V.CONFIRMED
    other, other_event = failed_order(net)
    p = services.violation_raise(event=other_event, rule=Rule.FALSE_FAIL_REASON, evidence="疑似", actor=net.lcs_zj)
    with pytest.raises(PenaltyError):
        services.violation_reject(violation_id=p.pk, actor=net.hq, text="")
    services.violation_reject(violation_id=p.pk, actor=net.hq, text="证据不足")
    assert Violation.objects.get(pk=p.pk).status == V.REJECTED
    # a rejected proposal does not block a later, better-founded one
    services.violation_raise(event=other_event, rule=Rule.FALSE_FAIL_REASON, evidence="录音证实", actor=net.hq)


def test_audit_rules_and_scope(net):
    order, event = failed_order(net)
    with pytest.raises(PenaltyError):
        services.violation_raise(event=event, rule=Rule.LATE_ACCEPT, evidence="x", actor=net.hq)
    with pytest.raises(PenaltyError):
        services.violation_raise(event=event, rule=Rule.FALSE_FAIL_REASON, evidence=" ", actor=net.hq)
    with pytest.raises(PenaltyError):  # another province's LCS
        services.violation_raise(event=event, rule=Rule.FALSE_FAIL_REASON, evidence="x", actor=net.lcs_xj)
    with pytest.raises(PenaltyError):
        services.violation_raise(event=event, rule=Rule.FALSE_FAIL_REASON, evidence="x", actor=net.clerk_a)
    with pytest.raises(AttachmentRejected):  # attachment type: the one attachment check of core
        services.violation_raise(
            event=event,
            rule=Rule.FALSE_FAIL_REASON,
            evidence="x",
            actor=net.hq,
            files=[SimpleUploadedFile("virus.exe", b"MZ")],
        )
    assert not Violation.objects.exists()


def test_false_waybill_is_500(net):
    order = make_order(order_time=T0)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=T0)
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000701", at=T0 + timedelta(hours=1))
    event = order.events.get(kind=EventKind.PICKED_UP)
    v = services.violation_raise(event=event, rule=Rule.FALSE_WAYBILL, evidence="无揽收扫描，面单未使用", actor=net.hq)
    assert v.fine == Decimal("500")


def test_reclassify_late_accept_as_late_or_wrong_transfer(net):
    make_order(order_time=T0)
    sla_sweep(since=T0 - timedelta(days=1), until=T0 + timedelta(minutes=40), at=T0 + timedelta(minutes=40))
    late = Violation.objects.get(rule=Rule.LATE_ACCEPT)
    proposal = services.violation_reclassify(violation_id=late.pk, actor=net.lcs_zj, evidence="地址不在本网点范围")
    assert proposal.status == V.PROPOSED and Violation.objects.get(pk=late.pk).status == V.CONFIRMED
    services.violation_confirm(violation_id=proposal.pk, actor=net.hq)
    assert Violation.objects.get(pk=late.pk).status == V.RECLASSIFIED
    new = Violation.objects.get(pk=proposal.pk)
    assert (new.rule, new.site, new.occurred_at, new.status) == (
        Rule.LATE_OR_WRONG_TRANSFER,
        net.site_a,
        late.occurred_at,
        V.CONFIRMED,
    )
    # the sweep never brings the late accept back
    sla_sweep(since=T0 - timedelta(days=1), until=T0 + timedelta(hours=2), at=T0 + timedelta(hours=2))
    assert Violation.objects.filter(rule=Rule.LATE_ACCEPT, status=V.CONFIRMED).count() == 0


def test_rule_version_cannot_be_retroactive(net):
    with pytest.raises(PenaltyError):
        services.rule_version_create(
            code=Rule.LATE_ACCEPT,
            fine=Decimal("150"),
            threshold_minutes=30,
            description="",
            effective_from=T0,
            actor=net.hq,
            at=T0 + timedelta(hours=1),
        )
    with pytest.raises(PenaltyError):
        services.rule_version_create(
            code=Rule.LATE_ACCEPT,
            fine=Decimal("150"),
            threshold_minutes=30,
            description="",
            effective_from=T0 + timedelta(days=1),
            actor=net.lcs_zj,
            at=T0,
        )
    services.rule_version_create(
        code=Rule.LATE_ACCEPT,
        fine=Decimal("150"),
        threshold_minutes=25,
        description="",
        effective_from=T0 + timedelta(days=1),
        actor=net.hq,
        at=T0,
    )
    assert RuleVersion.objects.filter(code=Rule.LATE_ACCEPT).count() == 2
    tomorrow = T0 + timedelta(days=1, hours=1)
    assert make_order(order_time=tomorrow).accept_due_at == tomorrow + timedelta(minutes=25)
    assert make_order(order_time=T0).accept_due_at == T0 + timedelta(minutes=30)


def test_closure_suggestions_and_confirmation(net):
    suggestions = services.closure_suggestions(year=2026)
    kinds = {(s["day"], s["kind"]) for s in suggestions}
    assert (date(2026, 2, 17), "holiday") in kinds and (date(2026, 2, 14), "workday") in kinds
    assert not clock.closed_days(None, date(2026, 2, 17), date(2026, 2, 17))  # nothing applies until confirmed


def test_confirmed_closure_moves_deadlines_and_voids_violations(net):
    day = date(2026, 11, 24)
    evening = datetime(2026, 11, 23, 19, 50, tzinfo=SH)
    waiting = make_order(order_time=evening)  # due 08:20 on the 24th
    late = make_order(order_time=evening)
    sla_sweep(since=evening, until=datetime(2026, 11, 24, 9, 0, tzinfo=SH), at=datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    assert Violation.objects.filter(status=V.CONFIRMED).count() == 2
    ops.order_accept(order_id=late.pk, actor=net.clerk_a, at=datetime(2026, 11, 24, 9, 30, tzinfo=SH))
    result = services.closure_confirm(
        day=day, province=None, reason="春节停运", actor=net.hq, at=datetime(2026, 11, 24, 10, 0, tzinfo=SH)
    )
    assert result["voided"] == 2
    assert set(Violation.objects.values_list("status", flat=True)) == {V.VOIDED}
    waiting.refresh_from_db()
    assert waiting.accept_due_at == datetime(2026, 11, 25, 8, 20, tzinfo=SH)  # the 24th does not count
    assert waiting.pickup_due_at == datetime(2026, 11, 25, 11, 50, tzinfo=SH)  # 16 h with the 24th standing still
    # each moved order says so in its history: the old deadlines in the event's clock, the new ones in its data
    moved = waiting.events.get(kind="deadline_moved")
    assert (
        moved.clock_accept_due_at,
        moved.data["accept_due_at"][:16],
        moved.data["pickup_due_at"][:16],
        moved.actor,
        moved.from_state,
        moved.reason,
    ) == (datetime(2026, 11, 24, 8, 20, tzinfo=SH), "2026-11-25T08:20", "2026-11-25T11:50", net.hq, "", "closure")
    assert "春节停运" in moved.text
    assert late.events.filter(kind="deadline_moved").count() == 1  # accepted: its pickup deadline moved
    assert result["moved"] == 3
    # new orders on the closed day get their clocks from the next open day
    on_closed_day = make_order(order_time=datetime(2026, 11, 24, 11, 0, tzinfo=SH))
    assert on_closed_day.accept_due_at == datetime(2026, 11, 25, 8, 30, tzinfo=SH)
    with pytest.raises(PenaltyError):
        services.closure_confirm(day=day, province=None, reason="again", actor=net.hq)
    with pytest.raises(PenaltyError):
        services.closure_confirm(day=date(2026, 11, 26), province=None, reason="x", actor=net.lcs_zj)


def test_province_closure_only_affects_that_province(net):
    services.closure_confirm(day=date(2026, 11, 24), province=net.xj, reason="新疆暴雪", actor=net.hq)
    zj = make_order(order_time=datetime(2026, 11, 23, 19, 50, tzinfo=SH))
    assert zj.accept_due_at == datetime(2026, 11, 24, 8, 20, tzinfo=SH)
    xj = make_order(
        order_time=datetime(2026, 11, 23, 20, 50, tzinfo=SH),
        sender_province="新疆维吾尔自治区",
        sender_city="乌鲁木齐市",
        sender_district="天山区",
        sender_address="解放路1号",
    )
    assert xj.accept_due_at == datetime(2026, 11, 25, 10, 20, tzinfo=SH)
