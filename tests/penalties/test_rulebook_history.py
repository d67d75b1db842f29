"""Issue 26, "the rule book judges what happened, never when the system heard of it": one test (or a few) per
defect, each failing on the code before the fix (run against main in the closing note /work/notes/i26.md).

Times are Beijing; T0 is Monday 2026-11-23 10:00, inside every province's service hours. The fixed test clock
reads Tuesday 09:00; ``beat(t)`` is the scheduled sweep at ``t`` (from the end of its last run, as beat runs it)."""

import os
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaints import services as wo_services
from core import clock
from dispatch import services as ops
from finance.models import LedgerEntry
from logistics.services import scans_ingest
from orders.exceptions import OrderError
from orders.services import order_change
from penalties import appeals, services
from penalties.models import AppealStatus, Rule, Violation, ViolationStatus
from penalties.reports import weekly_notices
from penalties.rule_versions import rules_changed
from penalties.services import PenaltyError
from penalties.sweep import sla_sweep, sla_sweep_due

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
MONDAY = T0.date()
V = ViolationStatus
MARS = {"sender_province": "", "sender_city": "", "sender_district": "", "sender_address": "火星"}  # → data center


@pytest.fixture(autouse=True)
def _rules(db):
    from tests.rulebook_seed import rules_seed

    rules_seed()
    rules_changed()
    yield
    rules_changed()
    clock.closures_changed()


def at(minutes=0, hours=0, days=0):
    return T0 + timedelta(days=days, hours=hours, minutes=minutes)


def tue(h, m=0):
    return datetime(2026, 11, 24, h, m, tzinfo=SH)


def beat(when):
    return sla_sweep_due(at=when)


def standing(**filters):
    return sorted(
        Violation.objects.filter(status=V.CONFIRMED, **filters).values_list("order_id", "stint", "rule", "occurred_at")
    )


def close_monday(net, when):
    return services.closure_confirm(day=MONDAY, province=None, reason="暴雪停工", actor=net.hq, at=when)


# ---------------------------------------------------------------- 1. a closure confirmed late


def test_1a_a_closure_confirmed_after_the_moved_deadline_finds_it(net):
    order = make_order(order_time=T0)  # accept due Mon 10:30, pickup due Tue 02:00
    beat(at(31))
    beat(tue(8, 45))  # beat swept past Tue 08:30 before HQ confirmed Monday
    close_monday(net, tue(9))
    beat(tue(9, 1))
    # exactly what confirming before Monday would have given: accept due Tue 08:30 (30 service minutes from
    # Tuesday 08:00), missed; pickup due Tue 16:00 (16 open hours from Tuesday 00:00), not yet passed
    assert standing() == [(order.pk, 1, Rule.LATE_ACCEPT, tue(8, 30))]


def test_1b_an_answer_given_before_the_closure_is_judged_against_the_moved_deadline(net):
    order = make_order(order_time=T0)
    beat(at(31))
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=tue(8, 50))  # late against Tue 08:30 too
    beat(tue(8, 55))
    close_monday(net, tue(10))
    beat(tue(10, 1))
    assert standing() == [(order.pk, 1, Rule.LATE_ACCEPT, tue(8, 30))]


def test_1c_a_deadline_that_passed_after_the_day_but_before_the_confirmation_moves(net):
    order = make_order(order_time=T0)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
    beat(tue(3))
    assert standing() == [(order.pk, 1, Rule.LATE_PICKUP, tue(2))]
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000951", at=tue(10))
    close_monday(net, datetime(2026, 11, 25, 9, 0, tzinfo=SH))  # two days after the day
    beat(datetime(2026, 11, 25, 9, 1, tzinfo=SH))
    assert standing() == []  # the clock stood still on Monday: due Tue 16:00, picked up at 10:00
    voided = Violation.objects.get()
    assert voided.status == V.VOIDED and voided.events.filter(kind="voided").exists()
    # the money follows: the fine and its reversal
    assert sum(LedgerEntry.objects.filter(source_id=voided.pk).values_list("amount", flat=True)) == 0


def test_1_a_closure_confirmed_late_equals_one_confirmed_in_advance(net):
    early, late = make_order(order_time=T0), make_order(order_time=T0)
    services.closure_confirm(
        day=MONDAY, province=None, reason="停工", actor=net.hq, at=at(-60)
    )  # before the orders' clocks
    for order in (early, late):
        ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=tue(8, 40))
        ops.order_pickup_confirm(
            order_id=order.pk, actor=net.clerk_a, waybill=f"30000000096{order.pk % 10}", at=tue(17)
        )
    beat(tue(18))
    want = [(o.pk, 1, rule, due) for o in (early, late) for rule, due in ((Rule.LATE_ACCEPT, tue(8, 30)),)]
    want += [(o.pk, 1, Rule.LATE_PICKUP, tue(16)) for o in (early, late)]
    assert standing() == sorted(want)


# ---------------------------------------------------------------- 2. a re-classified late accept and a closure


def test_2_a_closure_voids_a_reclassified_late_accept_like_the_original(net):
    order = make_order(order_time=T0)
    beat(at(31))
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(40))
    late = Violation.objects.get(rule=Rule.LATE_ACCEPT)
    services.violation_reclassify(violation_id=late.pk, actor=net.hq, evidence="地址不在本网点范围", at=at(50))
    assert standing()[0][2] == Rule.LATE_OR_WRONG_TRANSFER
    close_monday(net, at(60))
    # on Monday the clock stood still: the 10:40 accept was in time (due Tue 08:30); nothing stands
    assert standing() == []
    assert set(Violation.objects.values_list("status", flat=True)) == {V.VOIDED}


# ---------------------------------------------------------------- 3. evidence that arrives late


def test_3_a_scan_made_before_the_deadline_and_delivered_after_the_fine_lifts_it(net):
    order = make_order(order_time=T0, waybill_no="300000000971")
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
    beat(tue(3))
    fine = Violation.objects.get()
    assert (fine.rule, fine.occurred_at) == (Rule.LATE_PICKUP, tue(2))
    with time_machine.travel(tue(4), tick=False):  # the scanner was offline: its 01:50 scan reaches us at 04:00
        scans_ingest(
            scans=[
                {
                    "waybill_no": "300000000971",
                    "scan_type": "揽收",
                    "site_code": net.site_a.code,
                    "scanned_at": tue(1, 50),
                }
            ]
        )
    order.refresh_from_db()
    assert order.state == "PICKED_UP" and order.picked_up_at == tue(1, 50)
    beat(tue(4, 1))
    assert standing() == []
    fine.refresh_from_db()
    assert fine.status == V.VOIDED
    assert sum(LedgerEntry.objects.filter(source_id=fine.pk).values_list("amount", flat=True)) == 0
    beat(tue(4, 2))  # a rerun: nothing comes back
    assert standing() == [] and Violation.objects.count() == 1


def test_3_a_late_scan_after_the_deadline_leaves_the_fine(net):
    order = make_order(order_time=T0, waybill_no="300000000972")
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
    beat(tue(3))
    scans_ingest(
        scans=[
            {"waybill_no": "300000000972", "scan_type": "揽收", "site_code": net.site_a.code, "scanned_at": tue(2, 10)}
        ]
    )
    beat(tue(4))
    assert standing() == [(order.pk, 1, Rule.LATE_PICKUP, tue(2))]


# ---------------------------------------------------------------- 4. the version in force when the clock started


def test_4_late_pickup_after_dispatch_takes_threshold_and_fine_of_the_version_at_dispatch(net):
    order = make_order(order_time=T0, **MARS)
    services.rule_version_create(
        code=Rule.LATE_PICKUP,
        fine=Decimal("300"),
        threshold_minutes=480,
        description="8 小时",
        effective_from=at(60),
        actor=net.hq,
        at=at(30),
    )
    ops.orders_dispatch(order_ids=[order.pk], actor=net.hq, to_site=net.site_a, at=at(120))
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(125))
    order.refresh_from_db()
    assert order.pickup_due_at == at(120 + 480)  # the threshold of the version in force at 分件
    beat(at(hours=11))
    fine = Violation.objects.get()
    assert (fine.rule, fine.occurred_at, fine.fine) == (Rule.LATE_PICKUP, at(600), Decimal("300"))


# ---------------------------------------------------------------- 5, 6. work orders


def _work_order(net, wo_id, waybill):
    scans_ingest(
        scans=[{"waybill_no": waybill, "scan_type": "到件", "site_code": net.site_a.code, "scanned_at": at(-300)}]
    )
    return wo_services.work_order_receive(
        data={"wo_id": wo_id, "type": "where", "source": "guoguo", "waybill_no": waybill, "description": "在哪"}, at=T0
    )[0]


def test_5_a_late_work_order_belongs_to_its_deadline_and_the_version_at_receipt(net):
    wo = _work_order(net, "W5", "300000000981")
    services.rule_version_create(
        code=Rule.WO_LATE, fine=Decimal("80"), threshold_minutes=None, description="", effective_from=at(60),
        actor=net.hq, at=at(30),
    )  # fmt: skip
    answered = wo.due_at + timedelta(days=6)  # answered the next week, the job never ran
    wo_services.work_order_answer(
        work_order_id=wo.pk, actor=net.clerk_a, facts={"location": "网点"}, text="", reply="已送达", at=answered
    )
    fine = Violation.objects.get(rule=Rule.WO_LATE)
    assert (fine.occurred_at, fine.week, fine.fine) == (wo.due_at, clock.week_of(wo.due_at), Decimal("50"))


def test_6_a_reassigned_work_order_gives_the_new_unit_its_full_limit(net):
    wo = _work_order(net, "W6", "300000000982")
    first_due = wo.due_at
    wo_services.work_order_assign(work_order_id=wo.pk, unit=net.site_b, actor=net.hq, at=T0 + timedelta(hours=20))
    wo.refresh_from_db()
    assert wo.due_at == T0 + timedelta(hours=20) + timedelta(hours=wo.limit_hours) != first_due
    # re-assigned after the first unit's limit passed: the first unit answers for it, dated at its deadline
    wo_services.work_order_assign(work_order_id=wo.pk, unit=net.site_x, actor=net.hq, at=wo.due_at + timedelta(hours=1))
    fine = Violation.objects.get(rule=Rule.WO_LATE)
    assert (fine.site, fine.occurred_at) == (net.site_b, T0 + timedelta(hours=20 + wo.limit_hours))


# ---------------------------------------------------------------- 7. the wrong rule on the wrong act


def test_7a_late_or_wrong_transfer_is_refused_on_an_on_time_accept(net):
    order = make_order(order_time=T0)
    accept = ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(10)).events.get(kind="accepted")
    with pytest.raises(PenaltyError, match="错误接单"):
        services.violation_raise(
            event=accept, rule=Rule.LATE_OR_WRONG_TRANSFER, evidence="不在范围", actor=net.hq, at=at(20)
        )


def test_7b_a_direct_finding_on_a_late_accept_replaces_the_late_accept(net):
    order = make_order(order_time=T0)
    beat(at(31))
    accept = ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(40)).events.get(kind="accepted")
    services.violation_raise(
        event=accept, rule=Rule.LATE_OR_WRONG_TRANSFER, evidence="不在范围", actor=net.hq, at=at(50)
    )
    beat(at(60))
    assert [r[2:] for r in standing()] == [(Rule.LATE_OR_WRONG_TRANSFER, at(30))]  # one missed deadline, one fine


def test_7b_a_direct_finding_before_the_sweep_leaves_no_late_accept_beside_it(net):
    order = make_order(order_time=T0)
    accept = ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(40)).events.get(kind="accepted")
    services.violation_raise(
        event=accept, rule=Rule.LATE_OR_WRONG_TRANSFER, evidence="不在范围", actor=net.hq, at=at(50)
    )
    beat(at(60))
    assert [r[2] for r in standing()] == [Rule.LATE_OR_WRONG_TRANSFER]


# ---------------------------------------------------------------- 8. a binding after 分件 and the consumer's window


def test_8_the_binding_after_dispatch_follows_the_consumers_later_window(net):
    order = make_order(order_time=T0)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
    ops.order_transfer(order_id=order.pk, actor=net.clerk_a, to_site=net.data_center, at=at(hours=1))
    ops.orders_dispatch(order_ids=[order.pk], actor=net.hq, to_site=net.site_b, at=at(hours=2))
    ops.order_accept(order_id=order.pk, actor=net.clerk_b, at=at(hours=2, minutes=10))
    order_change(order_id=order.pk, changes={"window_start": at(hours=18), "window_end": at(hours=20)}, at=at(hours=3))
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_b, waybill="300000000991", at=at(hours=19))
    beat(at(hours=21))
    assert standing() == []  # had 分件 not happened, the deadline would be the window's end (+20 h)


# ---------------------------------------------------------------- 9. an appeal decision on a voided violation


def test_9_an_appeal_on_a_voided_violation_is_closed_as_moot(net):
    order = make_order(order_time=T0)
    beat(at(31))
    weekly_notices(week=MONDAY - timedelta(days=0), at=datetime(2026, 11, 30, 9, 0, tzinfo=SH))
    v = Violation.objects.get()
    appeal = appeals.appeal_file(
        violation_id=v.pk, actor=net.clerk_a, text="停工", at=datetime(2026, 11, 30, 10, 0, tzinfo=SH)
    )
    close_monday(net, datetime(2026, 11, 30, 11, 0, tzinfo=SH))
    v.refresh_from_db()
    appeal.refresh_from_db()
    assert v.status == V.VOIDED and appeal.status == AppealStatus.MOOT and appeal.decision_text
    # a decision now changes nothing: the violation stays voided, the moved deadline stays found
    with pytest.raises(PenaltyError):
        appeals.appeal_lcs_decide(appeal_id=appeal.pk, actor=net.lcs_zj, cancel=True, text="撤销", at=tue(12))
    v.refresh_from_db()
    assert v.status == V.VOIDED
    # the moved deadlines, judged when the closure was confirmed (the order still waits)
    assert [r[2:] for r in standing(order=order)] == [(Rule.LATE_ACCEPT, tue(8, 30)), (Rule.LATE_PICKUP, tue(16))]


def test_9_transitions_are_data(net):
    from penalties.workflow import APPEAL_MOVES, VIOLATION_MOVES

    assert V.VOIDED not in VIOLATION_MOVES["cancel"][1]  # only a standing violation is cancelled on appeal
    assert all(AppealStatus.MOOT not in moves for _, moves in APPEAL_MOVES.values())  # moot is final


# ---------------------------------------------------------------- 10. rulings written down this round


def test_10_a_deadline_at_monday_midnight_belongs_to_the_week_that_ended(net):
    sunday = datetime(2026, 11, 29, 8, 0, tzinfo=SH)
    order = make_order(order_time=sunday)  # pickup due Monday 00:00
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=sunday + timedelta(minutes=5))
    sla_sweep(since=sunday, until=datetime(2026, 11, 30, 1, 0, tzinfo=SH), at=datetime(2026, 11, 30, 1, 0, tzinfo=SH))
    fine = Violation.objects.get()
    assert fine.occurred_at == datetime(2026, 11, 30, 0, 0, tzinfo=SH)
    assert fine.week == date(2026, 11, 23)
    assert clock.week_of(datetime(2026, 11, 30, 0, 0, tzinfo=SH)) == date(2026, 11, 23)
    assert clock.week_of(datetime(2026, 11, 30, 0, 0, 1, tzinfo=SH)) == date(2026, 11, 30)


def test_10_a_window_change_whose_end_has_passed_is_refused(net):
    order = make_order(order_time=T0)
    with pytest.raises(OrderError, match="已经结束"):
        order_change(order_id=order.pk, changes={"window_start": at(10), "window_end": at(50)}, at=at(60))


def test_10_wrong_accept_is_found_once_per_site_stint(net):
    order = make_order(order_time=T0)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
    ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=net.site_a.couriers.first(), at=at(6))
    accept, courier = order.events.get(kind="accepted"), order.events.get(kind="courier")
    services.violation_raise(event=accept, rule=Rule.WRONG_ACCEPT, evidence="不在范围", actor=net.hq, at=at(20))
    with pytest.raises(PenaltyError, match="只算一次"):
        services.violation_raise(event=courier, rule=Rule.WRONG_ACCEPT, evidence="不在范围", actor=net.hq, at=at(21))


# ---------------------------------------------------------------- the explanation of every fine


def test_the_explanation_says_how_the_deadline_was_computed_and_equals_it(net, login):
    from penalties.explain import violation_explain

    order = make_order(order_time=T0, waybill_no="300000000973")
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=tue(8, 50))
    close_monday(net, tue(10))
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, at=tue(17))
    beat(tue(18))
    late_accept, late_pickup = Violation.objects.filter(status=V.CONFIRMED).order_by("rule")
    for v in (late_accept, late_pickup):
        explained = violation_explain(v)
        assert explained.deadline == v.occurred_at
    text = "\n".join(violation_explain(late_accept).lines)
    assert "停运日不计时（时钟停止）：11月23日" in text
    assert "只计本省服务时间内的时长：11月24日 08:00–08:30（30 分钟）" in text
    assert "截止时间：2026-11-24 08:30" in text
    assert "由“接单成功" in text and "发生时间 2026-11-24 08:50" in text
    pickup = "\n".join(violation_explain(late_pickup).lines)
    assert "11月24日 00:00–16:00（16 小时）" in pickup and "责任网点：杭州西湖网点" in pickup
    page = login(net.clerk_a).get(f"/violations/{late_accept.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "时限是怎样算出来的" in body and "停运日不计时" in body


def test_the_weekly_notice_pdf_has_a_line_of_explanation_per_violation(net):
    from io import BytesIO

    from pypdf import PdfReader

    from penalties.models import WeeklyNotice
    from penalties.reports import notice_send

    order = make_order(order_time=T0)
    beat(at(31))
    weekly_notices(week=MONDAY, at=datetime(2026, 11, 30, 9, 0, tzinfo=SH))
    notice = WeeklyNotice.objects.get()
    notice_send(notice_id=notice.pk, at=datetime(2026, 11, 30, 9, 0, tzinfo=SH))
    notice.refresh_from_db()
    notice.pdf.open("rb")
    content = notice.pdf.read()
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages).replace("\n", "")
    if os.environ.get("Q9_SHOTS"):  # the closing note shows the notice (pdftotext of this file)
        Path(os.environ["Q9_SHOTS"], "i26-notice.pdf").write_bytes(content)
    assert "计算说明" in text
    assert "自 2026-11-23 10:00（下单时间）起计 30 分钟，截止 2026-11-23 10:30" in text, text
    assert order.channel_order_id in text


def test_10_a_deadline_at_midnight_on_the_first_concerns_the_month_before(net):
    from penalties.money import ledger_sync

    order = make_order(order_time=datetime(2026, 11, 30, 8, 0, tzinfo=SH))  # pickup due 2026-12-01 00:00
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=datetime(2026, 11, 30, 8, 5, tzinfo=SH))
    when = datetime(2026, 12, 1, 1, 0, tzinfo=SH)
    sla_sweep(since=datetime(2026, 11, 30, tzinfo=SH), until=when, at=when)
    ledger_sync(at=when)
    fine = Violation.objects.get()
    assert LedgerEntry.objects.get(source_id=fine.pk).month == date(2026, 11, 1)
