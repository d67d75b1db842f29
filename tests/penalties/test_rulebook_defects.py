"""The rule book without holes: one test (or a few) per edge of the rules, each an edge the code once got wrong.

Times are Beijing; T0 is Monday 2026-11-23 10:00, inside every province's service hours."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from dispatch import services as ops
from finance.models import EntryKind, LedgerEntry
from finance.selectors import statement
from orders.models import EventKind
from orders.services import order_change
from penalties import services
from penalties.exceptions import PenaltyError
from penalties.models import (
    RewardQuota,
    Rule,
    SweepRun,
    Violation,
    ViolationStatus,
    WeeklyNotice,
)
from penalties.money import ledger_sync, monthly_settlement
from penalties.reports import monthly_reports_generate
from penalties.sweep import sla_sweep

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
WEEK = T0 - timedelta(days=7)
V = ViolationStatus
MARS = {"sender_province": "", "sender_city": "", "sender_district": "", "sender_address": "火星"}  # → data center


@pytest.fixture(autouse=True)
def _rules(db):
    from tests.rulebook_seed import rules_seed

    rules_seed()  # the rule book's rows (a transactional test elsewhere may have emptied the table)


def at(minutes=0, hours=0, seconds=0):
    return T0 + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def sweep(when):
    return sla_sweep(since=WEEK, until=when, at=when)


def standing(**filters):
    return sorted(
        Violation.objects.filter(status=V.CONFIRMED, **filters).values_list("order_id", "stint", "rule", "site__code")
    )


# ---------------------------------------------------------------- 1. a voided violation blocks later detection


def test_voided_late_accept_does_not_block_the_moved_deadline(net):
    order = make_order(order_time=T0)
    sweep(at(31))
    first = Violation.objects.get()
    services.closure_confirm(day=T0.date(), province=None, reason="暴雪停工", actor=net.hq, at=at(40))
    first.refresh_from_db()
    order.refresh_from_db()
    assert first.status == V.VOIDED
    assert order.accept_due_at == datetime(2026, 11, 24, 8, 30, tzinfo=SH)  # the clock stood still on the 23rd
    sweep(datetime(2026, 11, 24, 8, 30, tzinfo=SH))
    assert standing() == []
    sweep(datetime(2026, 11, 24, 8, 31, tzinfo=SH))  # the order is still pending past the moved deadline
    assert standing() == [(order.pk, 1, Rule.LATE_ACCEPT, net.site_a.code)]
    moved = Violation.objects.get(status=V.CONFIRMED)
    assert moved.occurred_at == datetime(2026, 11, 24, 8, 30, tzinfo=SH)
    sweep(datetime(2026, 11, 24, 9, 0, tzinfo=SH))  # a rerun finds nothing more
    assert Violation.objects.count() == 2


# ---------------------------------------------------------------- 2. recomputations keep HQ's restart


def test_window_change_after_dispatch_keeps_the_restarted_pickup_clock(net):
    order = make_order(order_time=T0, **MARS)
    ops.orders_dispatch(order_ids=[order.pk], actor=net.hq, to_site=net.site_a, at=at(hours=20))
    order.refresh_from_db()
    assert order.pickup_due_at == at(hours=36)  # 16 hours from 分件
    order_change(order_id=order.pk, changes={"window_start": at(hours=28), "window_end": at(hours=30)}, at=at(hours=21))
    order.refresh_from_db()
    assert order.pickup_due_at == at(hours=36)  # not order time + 16 h, nor the window's end
    order_change(order_id=order.pk, changes={"window_start": at(hours=38), "window_end": at(hours=40)}, at=at(hours=22))
    order.refresh_from_db()
    assert order.pickup_due_at == at(hours=40)  # a later window still moves it


def test_closure_shift_starts_from_the_reopening(net):
    order = make_order(order_time=T0)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
    ops.order_pickup_fail(order_id=order.pk, actor=net.clerk_a, reason="phone", text="空号", at=at(60))
    reopened = datetime(2026, 11, 25, 10, 0, tzinfo=SH)
    ops.order_reopen(order_id=order.pk, actor=net.hq, to_site=net.site_a, text="稽核：电话可接通", at=reopened)
    order.refresh_from_db()
    assert order.pickup_due_at == reopened + timedelta(hours=16)
    # a closure on the 24th lies before the reopening: the restarted clock did not run through it
    services.closure_confirm(
        day=date(2026, 11, 24), province=None, reason="停工", actor=net.hq, at=reopened + timedelta(hours=1)
    )
    order.refresh_from_db()
    assert order.pickup_due_at == reopened + timedelta(hours=16)
    # one on the 26th does: the deadline moves by the closed time after the reopening
    services.closure_confirm(
        day=date(2026, 11, 26), province=None, reason="停工", actor=net.hq, at=reopened + timedelta(hours=2)
    )
    order.refresh_from_db()
    assert order.pickup_due_at == datetime(2026, 11, 27, 2, 0, tzinfo=SH)  # 02:00 on the 26th → the 27th


# ---------------------------------------------------------------- 3. settlement reruns in any order


def _fine(site, when, amount="100"):
    order = make_order(order_time=when)
    from core.clock import week_of as _week
    from penalties.models import RuleVersion

    version = RuleVersion.objects.filter(code=Rule.FALSE_FAIL_REASON).order_by("-effective_from").first()
    return Violation.objects.create(
        order=order,
        stint=1,
        rule=Rule.FALSE_FAIL_REASON,
        site=site,
        province=site.province,
        rule_version=version,
        fine=Decimal(amount),
        occurred_at=when,
        week=_week(when),
        status=V.CONFIRMED,
        source="audit",
        created_at=when,
    )


def _settle(m, *, day=1):
    monthly_settlement(month=date(2026, m, 1), at=datetime(2026, m + 1, day, 1, tzinfo=SH))


def _refunds(site):
    return list(
        LedgerEntry.objects.filter(site=site, source_type="refund")
        .order_by("id")
        .values_list("month", "kind", "code", "amount")
    )


def test_rerunning_an_earlier_month_moves_no_money(net):
    v = _fine(net.site_a, datetime(2026, 3, 10, 10, tzinfo=SH))
    make_order(order_time=datetime(2026, 4, 15, 10, tzinfo=SH))
    make_order(order_time=datetime(2026, 5, 15, 10, tzinfo=SH))
    for m in (3, 4, 5):
        _settle(m)
    paid = _refunds(net.site_a)
    assert [(r[2], r[3]) for r in paid] == [("REFUND_60", Decimal("60.00")), ("REFUND_40", Decimal("40.00"))]
    for m in (4, 5, 3, 4, 5):  # reruns, in any order: nothing
        _settle(m, day=3)
    assert _refunds(net.site_a) == paid
    # an input really changes: the fine is cancelled on appeal in June; each part is corrected exactly once
    v.status = V.CANCELLED
    v.save()
    for m in (4, 5, 4, 3, 5):
        _settle(m, day=5)
    after = _refunds(net.site_a)
    assert after[:2] == paid
    assert sorted((r[1], r[2], r[3]) for r in after[2:]) == [
        (EntryKind.ADJUSTMENT, "REFUND_40", Decimal("-40.00")),
        (EntryKind.ADJUSTMENT, "REFUND_60", Decimal("-60.00")),
    ]
    assert sum(r[3] for r in after) == 0


def test_settling_a_later_month_first_pays_each_part_once(net):
    _fine(net.site_a, datetime(2026, 3, 10, 10, tzinfo=SH))
    make_order(order_time=datetime(2026, 4, 15, 10, tzinfo=SH))
    make_order(order_time=datetime(2026, 5, 15, 10, tzinfo=SH))
    for m in (5, 3, 4, 5, 4):
        _settle(m)
    assert sorted((r[2], r[3]) for r in _refunds(net.site_a)) == [
        ("REFUND_40", Decimal("40.00")),
        ("REFUND_60", Decimal("60.00")),
    ]


# ---------------------------------------------------------------- 5. a transfer does not dodge a pickup deadline


def test_transfer_to_the_data_center_before_the_pickup_deadline_does_not_dodge_it(net):
    order = make_order(order_time=T0)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
    ops.order_transfer(
        order_id=order.pk, actor=net.clerk_a, to_site=net.data_center, at=at(hours=16) - timedelta(minutes=1)
    )
    sweep(at(hours=17))
    assert standing() == [(order.pk, 1, Rule.LATE_PICKUP, net.site_a.code)]
    # HQ's 分件 gives site_b a fresh pickup clock; site_a's deadline still stands
    ops.orders_dispatch(order_ids=[order.pk], actor=net.hq, to_site=net.site_b, at=at(hours=18))
    order.refresh_from_db()
    assert order.pickup_due_at == at(hours=34)
    ops.order_accept(order_id=order.pk, actor=net.clerk_b, at=at(hours=18, minutes=10))
    sweep(at(hours=30))
    assert standing() == [(order.pk, 1, Rule.LATE_PICKUP, net.site_a.code)]


def test_dispatch_before_the_deadline_keeps_it_binding_the_site_that_handed_on(net):
    late, saved = make_order(order_time=T0), make_order(order_time=T0)
    for order in (late, saved):
        ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
        ops.order_transfer(order_id=order.pk, actor=net.clerk_a, to_site=net.data_center, at=at(hours=15))
    ops.orders_dispatch(order_ids=[late.pk, saved.pk], actor=net.hq, to_site=net.site_b, at=at(hours=15, minutes=30))
    ops.order_accept(order_id=late.pk, actor=net.clerk_b, at=at(hours=15, minutes=40))
    ops.order_accept(order_id=saved.pk, actor=net.clerk_b, at=at(hours=15, minutes=40))
    ops.order_pickup_confirm(order_id=saved.pk, actor=net.clerk_b, waybill="300000000901", at=at(hours=16))
    sweep(at(hours=19))  # judged as if 分件 had not happened: late was still waiting at 02:00
    assert standing() == [(late.pk, 1, Rule.LATE_PICKUP, net.site_a.code)]
    ops.order_pickup_confirm(order_id=late.pk, actor=net.clerk_b, waybill="300000000902", at=at(hours=20))
    sweep(at(hours=40))  # site_b picked up within its own fresh 16 hours
    assert standing() == [(late.pk, 1, Rule.LATE_PICKUP, net.site_a.code)]


def test_receiving_site_is_not_charged_for_a_deadline_before_its_accept_deadline(net):
    order = make_order(order_time=T0)  # pickup due 02:00 on the 24th
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
    # handed on at 01:50: site_b's accept deadline is 08:30 (service minutes), long after 02:00
    ops.order_transfer(order_id=order.pk, actor=net.clerk_a, to_site=net.site_b, at=at(hours=15, minutes=50))
    sweep(at(hours=17))
    assert standing() == [(order.pk, 1, Rule.LATE_PICKUP, net.site_a.code)]
    # not yet a violation from the history alone either: the same one when site_b answers later
    ops.order_accept(order_id=order.pk, actor=net.clerk_b, at=datetime(2026, 11, 24, 8, 0, tzinfo=SH))
    sweep(datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    assert standing() == [(order.pk, 1, Rule.LATE_PICKUP, net.site_a.code)]


def test_a_site_that_handed_on_in_time_and_unaccepted_is_not_bound(net):
    order = make_order(order_time=T0)
    ops.order_transfer(order_id=order.pk, actor=net.clerk_a, to_site=net.site_b, at=at(10))
    ops.order_accept(order_id=order.pk, actor=net.clerk_b, at=at(20))
    sweep(at(hours=17))
    assert standing() == [(order.pk, 2, Rule.LATE_PICKUP, net.site_b.code)]  # site_b's own deadline


# ---------------------------------------------------------------- 6. stacking of distinct acts


def test_two_false_acts_of_one_stint_are_two_fines(net):
    order = make_order(order_time=T0)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
    ops.order_reappoint(
        order_id=order.pk,
        actor=net.clerk_a,
        window_start=at(hours=20),
        window_end=at(hours=22),
        text="客户要求改约",
        at=at(60),
    )
    ops.order_pickup_fail(order_id=order.pk, actor=net.clerk_a, reason="phone", text="空号", at=at(90))
    reappointed = order.events.get(kind=EventKind.REAPPOINTED)
    failed = order.events.get(kind=EventKind.PICKUP_FAILED)
    first = services.violation_raise(
        event=reappointed, rule=Rule.FALSE_FAIL_REASON, evidence="客户未要求改约", actor=net.hq
    )
    second = services.violation_raise(event=failed, rule=Rule.FALSE_FAIL_REASON, evidence="电话可接通", actor=net.hq)
    assert first.stint == second.stint == 1 and first.act == reappointed and second.act == failed
    assert standing() == [(order.pk, 1, Rule.FALSE_FAIL_REASON, net.site_a.code)] * 2
    with pytest.raises(PenaltyError):  # one act is found false only once
        services.violation_raise(event=failed, rule=Rule.FALSE_FAIL_REASON, evidence="再次", actor=net.hq)


# ---------------------------------------------------------------- 7. the rule must fit the act


def test_false_waybill_only_on_a_pickup_confirmation_with_a_waybill(net):
    order = make_order(order_time=T0)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
    accepted = order.events.get(kind=EventKind.ACCEPTED)
    with pytest.raises(PenaltyError) as refused:
        services.violation_raise(event=accepted, rule=Rule.FALSE_WAYBILL, evidence="单号不符", actor=net.hq)
    assert "带运单号的揽件确认" in str(refused.value.message)  # says which acts the rule concerns
    with pytest.raises(PenaltyError):
        services.violation_raise(event=accepted, rule=Rule.FALSE_FAIL_REASON, evidence="x", actor=net.hq)
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000903", at=at(60))
    picked = order.events.get(kind=EventKind.PICKED_UP)
    v = services.violation_raise(event=picked, rule=Rule.FALSE_WAYBILL, evidence="轨迹无揽收", actor=net.hq)
    assert v.fine == Decimal("500") and Violation.objects.count() == 1


# ---------------------------------------------------------------- 8. issued statements never change


def test_a_reversal_after_the_statement_is_issued_is_posted_in_an_open_month(net):
    v = _fine(net.site_a, datetime(2026, 3, 10, 10, tzinfo=SH))
    monthly_settlement(month=date(2026, 3, 1), at=datetime(2026, 4, 1, 1, tzinfo=SH))
    monthly_reports_generate(month=date(2026, 3, 1), at=datetime(2026, 4, 1, 2, tzinfo=SH))
    march = statement(user=None, month=date(2026, 3, 1))
    before = (march["total"], list(march["entries"].values_list("pk", flat=True)))
    assert before[0] == Decimal("-100.00")
    v.status = V.CANCELLED  # cancelled on appeal in April
    v.save()
    ledger_sync(at=datetime(2026, 4, 5, 10, tzinfo=SH))
    march = statement(user=None, month=date(2026, 3, 1))
    assert (march["total"], list(march["entries"].values_list("pk", flat=True))) == before
    april = statement(user=None, month=date(2026, 4, 1))
    reversal = LedgerEntry.objects.get(kind=EntryKind.REVERSAL)
    assert (reversal.month, reversal.posted_month) == (date(2026, 3, 1), date(2026, 4, 1))
    assert list(april["corrections"]) == [reversal] and april["corrected_months"] == [date(2026, 3, 1)]
    # the refund base reads the month it concerns: March's net fines are now zero
    make_order(order_time=datetime(2026, 4, 15, 10, tzinfo=SH))
    monthly_settlement(month=date(2026, 4, 1), at=datetime(2026, 5, 1, 1, tzinfo=SH))
    assert not LedgerEntry.objects.filter(source_type="refund").exists()


# ---------------------------------------------------------------- 9. operator commands guard their periods


def test_settling_an_unfinished_month_is_refused_and_writes_nothing(net):
    _fine(net.site_a, datetime(2026, 11, 3, 10, tzinfo=SH))
    with pytest.raises(CommandError, match="has not ended"):
        call_command("monthly_settlement", month="2026-11", stdout=StringIO())
    assert not LedgerEntry.objects.exists() and not RewardQuota.objects.exists()
    with pytest.raises(CommandError, match="future"):
        call_command("monthly_settlement", month="2026-10", at="2026-12-02T09:00", stdout=StringIO())


def test_settlement_and_notices_replay_a_missed_run_at_its_moment(net):
    _fine(net.site_a, datetime(2026, 10, 14, 10, tzinfo=SH))
    out = StringIO()
    call_command("monthly_settlement", at="2026-11-01T02:00", no_reports=True, stdout=out)
    assert "month=2026-10" in out.getvalue()
    entry = LedgerEntry.objects.get(kind=EntryKind.FINE)
    assert entry.created_at == datetime(2026, 11, 1, 2, 0, tzinfo=SH)
    call_command("weekly_notices", at="2026-10-19T09:00", stdout=StringIO())  # the Monday after the fine's week
    notice = WeeklyNotice.objects.get()
    assert notice.week == date(2026, 10, 12) and notice.issued_at == datetime(2026, 10, 19, 9, 0, tzinfo=SH)
    with pytest.raises(CommandError, match="has not ended"):
        call_command("weekly_notices", week="2026-W48", stdout=StringIO())


def test_a_sweep_until_the_future_says_it_stops_at_now(net):
    out = StringIO()
    call_command("sla_sweep", since="2026-11-24", until="2026-11-26", stdout=out)
    assert "stops at now" in out.getvalue()
    run = SweepRun.objects.get()
    assert run.until <= run.started_at + timedelta(seconds=1)


# ---------------------------------------------------------------- 11. a late arrival starts its accept clock then


def test_an_order_imported_after_its_order_time_starts_the_accept_clock_on_arrival(net):
    arrived = at(hours=23)  # yesterday's phone order entered by HQ the next morning
    order = make_order(order_time=T0, at=arrived, actor=net.hq)
    assert order.stint_started_at == arrived
    assert order.accept_due_at == arrived + timedelta(minutes=30)
    assert order.pickup_due_at == at(hours=16)  # still from order time
    sweep(arrived + timedelta(minutes=10))
    assert standing() == []  # not "already overdue"
    sweep(arrived + timedelta(minutes=31))
    assert standing(rule=Rule.LATE_ACCEPT) == [(order.pk, 1, Rule.LATE_ACCEPT, net.site_a.code)]
    # its pickup deadline passed before the site's accept deadline: nobody answers for it
    assert standing(rule=Rule.LATE_PICKUP) == []


# ---------------------------------------------------------------- 10. FALSE_WAYBILL is found, not only alleged


def test_waybills_contradicted_by_the_scans_are_listed_for_audit_not_fined(net, login):
    from django.urls import reverse

    from logistics.services import scans_ingest
    from orders.models import OnlineOrder
    from penalties.selectors import waybill_suspects

    confirmed = at(hours=1)
    orders = {}
    for name, waybill in (("scanned", "300000000951"), ("silent", "300000000952"), ("elsewhere", "300000000953")):
        order = make_order(order_time=T0)
        ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
        ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill=waybill, at=confirmed)
        orders[name] = order
    scans_ingest(
        scans=[
            {
                "waybill_no": "300000000951",
                "scan_type": "揽收",
                "site_code": net.site_a.code,
                "scanned_at": at(hours=3),
            },
            {
                "waybill_no": "300000000953",
                "scan_type": "揽收",
                "site_code": net.site_b.code,
                "scanned_at": at(hours=2),
            },
        ]
    )

    def suspects(when):
        return dict(waybill_suspects(OnlineOrder.objects.all(), at=when).values_list("channel_order_id", "suspect"))

    assert suspects(confirmed + timedelta(hours=24)) == {
        orders["elsewhere"].channel_order_id: "other_site",
        orders["silent"].channel_order_id: "no_scan",
    }
    assert suspects(confirmed + timedelta(hours=23, minutes=59)) == {}  # the setting's hours have not passed
    assert not Violation.objects.exists()  # listed, never fined automatically
    # the queue HQ and the LCS work through: the audit page
    with time_machine.travel(confirmed + timedelta(hours=25), tick=False):
        page = login(net.lcs_zj).get(reverse("penalties:audit"), {"kind": "waybill_suspect", "date_from": "2026-11-23"})
    assert page.status_code == 200 and page.content.decode().count('data-testid="suspect"') == 2
    picked = orders["silent"].events.get(kind=EventKind.PICKED_UP)
    services.violation_raise(event=picked, rule=Rule.FALSE_WAYBILL, evidence="轨迹无揽收扫描", actor=net.hq)
    assert list(suspects(confirmed + timedelta(hours=25)).values()) == ["other_site"]  # worked off the queue
