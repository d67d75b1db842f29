"""The SLA sweep: every clock edge and rule, stacking, reruns, concurrency, and a catch-up after a gap giving
exactly what minute-by-minute sweeps give."""

import random
import threading
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from dispatch import services as ops
from orders.services import order_cancel
from penalties.models import Rule, RuleVersion, Violation
from penalties.rule_versions import rules_changed
from penalties.sweep import sla_sweep, sla_sweep_due

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)  # a Monday, inside service hours
WEEK = T0 - timedelta(days=7)


def at(minutes=0, seconds=0, hours=0):
    return T0 + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def sweep(when):
    return sla_sweep(since=WEEK, until=when, at=when)


def found(**filters):
    return sorted(Violation.objects.filter(**filters).values_list("order_id", "stint", "rule", "site__code"))


def test_pending_past_its_deadline_exactly_and_one_second_later(net):
    order = make_order(order_time=T0, at=T0)
    sweep(at(30))
    assert not Violation.objects.exists()  # exactly at the deadline: not late yet
    sweep(at(30, 1))
    v = Violation.objects.get()
    assert (v.order, v.stint, v.rule, v.site, v.fine) == (order, 1, Rule.LATE_ACCEPT, net.site_a, Decimal("100"))
    assert v.occurred_at == at(30) and v.week == T0.date() and v.status == "CONFIRMED" and v.source == "sweep"
    # the detection is an event of its own, written with the row, at the time the sweep found it
    assert [(e.kind, e.at, e.actor_id, e.data) for e in v.events.all()] == [
        ("detected", at(30, 1), None, {"source": "sweep"})
    ]
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(45))  # answering later adds no second fine
    sweep(at(50))
    assert Violation.objects.count() == 1


def test_late_answer_found_from_the_history_without_a_sweep_in_between(net):
    late, on_time = make_order(order_time=T0), make_order(order_time=T0)
    ops.order_accept(order_id=late.pk, actor=net.clerk_a, at=at(30, 1))
    ops.order_accept(order_id=on_time.pk, actor=net.clerk_a, at=at(30))
    sweep(at(60))
    assert found() == [(late.pk, 1, Rule.LATE_ACCEPT, net.site_a.code)]


def test_sweep_twice_changes_nothing(net):
    for _ in range(3):
        make_order(order_time=T0)
    first = sweep(at(40))
    second = sweep(at(40))
    assert first.inserted == 3 and second.inserted == 0 and Violation.objects.count() == 3


def test_transfer_gives_each_site_its_own_stint(net):
    order = make_order(order_time=T0)
    ops.order_transfer(order_id=order.pk, actor=net.clerk_a, to_site=net.site_b, at=at(35))  # late at A
    ops.order_accept(order_id=order.pk, actor=net.clerk_b, at=at(64))  # B on time (its own 30 minutes)
    sweep(at(120))
    assert found() == [(order.pk, 1, Rule.LATE_ACCEPT, net.site_a.code)]
    other = make_order(order_time=T0)
    ops.order_transfer(order_id=other.pk, actor=net.clerk_a, to_site=net.site_b, at=at(10))  # A on time
    sweep(at(41))  # B's deadline 10:40 passed with the order still pending
    assert found(order=other) == [(other.pk, 2, Rule.LATE_ACCEPT, net.site_b.code)]


def test_accept_over_night_in_service_minutes(net):
    evening = datetime(2026, 11, 23, 19, 50, tzinfo=SH)
    order = make_order(order_time=evening)
    sweep(datetime(2026, 11, 24, 8, 20, tzinfo=SH))
    assert not Violation.objects.exists()
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=datetime(2026, 11, 24, 8, 20, 1, tzinfo=SH))
    sweep(datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    assert Violation.objects.get().occurred_at == datetime(2026, 11, 24, 8, 20, tzinfo=SH)


def test_late_pickup_and_stacking(net):
    order = make_order(order_time=T0)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(31))
    sweep(at(hours=16))
    assert found() == [(order.pk, 1, Rule.LATE_ACCEPT, net.site_a.code)]
    sweep(at(hours=16, seconds=1))
    assert found() == [
        (order.pk, 1, Rule.LATE_ACCEPT, net.site_a.code),
        (order.pk, 1, Rule.LATE_PICKUP, net.site_a.code),
    ]
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000601", at=at(hours=17))
    sweep(at(hours=18))
    assert Violation.objects.count() == 2  # stacked, each once


def test_consumer_window_and_reappointment(net):
    window_end = at(hours=30)
    order = make_order(order_time=T0, window_start=window_end - timedelta(hours=2), window_end=window_end)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
    sweep(at(hours=20))
    assert not Violation.objects.exists()  # the consumer's later window, not 16 hours
    # re-appointed in time: the new window's end is the deadline
    ops.order_reappoint(
        order_id=order.pk,
        actor=net.clerk_a,
        window_start=at(hours=40),
        window_end=at(hours=42),
        text="客户改约",
        at=at(hours=29),
    )
    sweep(at(hours=41))
    assert not Violation.objects.exists()
    sweep(at(hours=42, seconds=1))
    assert found() == [(order.pk, 1, Rule.LATE_PICKUP, net.site_a.code)]


def test_reappointment_after_the_deadline_does_not_erase_it(net):
    order = make_order(order_time=T0)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(5))
    ops.order_reappoint(
        order_id=order.pk,
        actor=net.clerk_a,
        window_start=at(hours=20),
        window_end=at(hours=22),
        text="补约",
        at=at(hours=17),
    )
    sweep(at(hours=18))  # no sweep ran at 16:00; the history shows the deadline had passed
    assert found() == [(order.pk, 1, Rule.LATE_PICKUP, net.site_a.code)]


def test_cancellation_stops_the_clocks(net):
    early, late = make_order(order_time=T0), make_order(order_time=T0)
    order_cancel(order_id=early.pk, at=at(10))
    order_cancel(order_id=late.pk, at=at(40))
    sweep(at(hours=20))
    assert found() == [(late.pk, 1, Rule.LATE_ACCEPT, net.site_a.code)]


def test_data_center_is_never_fined(net):
    order = make_order(order_time=T0, sender_province="", sender_city="", sender_district="", sender_address="火星")
    sweep(at(hours=20))
    assert not Violation.objects.exists()
    ops.orders_dispatch(order_ids=[order.pk], actor=net.hq, to_site=net.site_a, at=at(hours=20))
    sweep(at(hours=22))  # 08:00 next day: dispatched at 06:00, due 08:30 (service minutes)
    assert not Violation.objects.exists()
    sweep(at(hours=23))
    assert found() == [(order.pk, 2, Rule.LATE_ACCEPT, net.site_a.code)]  # the site's own clock from dispatch


def test_rule_change_applies_to_clocks_started_after_it(net):
    before = make_order(order_time=T0)
    RuleVersion.objects.create(
        code=Rule.LATE_ACCEPT, fine=Decimal("200"), threshold_minutes=20, description="新标准", effective_from=at(5)
    )
    rules_changed()
    after = make_order(order_time=at(10))
    assert before.accept_due_at == at(30) and after.accept_due_at == at(30)  # 20 minutes from 10:10
    sweep(at(45))
    fines = dict(Violation.objects.values_list("order_id", "fine"))
    assert fines == {before.pk: Decimal("100"), after.pk: Decimal("200")}


def test_statements_per_sweep_do_not_grow_with_the_number_due(net):
    def run(n, when):
        for _ in range(n):
            make_order(order_time=when - timedelta(minutes=40))
        with CaptureQueriesContext(connection) as ctx:
            result = sla_sweep(since=when - timedelta(hours=1), until=when, at=when)
        assert result.inserted == n
        return len(ctx.captured_queries)

    assert run(1, at(60)) == run(60, at(120))


def test_scheduled_run_continues_from_the_last_one(net):
    make_order(order_time=T0)
    first = sla_sweep_due(at=at(20))
    assert first.inserted == 0
    second = sla_sweep_due(at=at(hours=6))  # after a six-hour outage
    assert second.since <= at(20) and second.inserted == 1  # LATE_ACCEPT at 10:30 was caught up
    assert Violation.objects.filter(rule=Rule.LATE_ACCEPT).count() == 1


def _scenario(net, rng, start, minutes):
    """Orders arriving over the window and answered at random times (some late, some on time, some never),
    some transferred, some cancelled. Returns a time-ordered list of (time, action)."""
    actions = []
    for _i in range(40):
        t = start + timedelta(minutes=rng.randint(0, minutes - 60))
        order = make_order(order_time=t, at=t)
        fate = rng.random()
        answer = t + timedelta(minutes=rng.choice([5, 29, 30, 31, 45, 90]))
        if fate < 0.5:
            actions.append((answer, lambda o=order, a=answer: ops.order_accept(order_id=o.pk, actor=net.hq, at=a)))
        elif fate < 0.65:
            actions.append(
                (
                    answer,
                    lambda o=order, a=answer: ops.order_transfer(order_id=o.pk, actor=net.hq, to_site=net.site_b, at=a),
                )
            )
        elif fate < 0.8:
            actions.append((answer, lambda o=order, a=answer: order_cancel(order_id=o.pk, at=a)))
        elif fate < 0.9:
            actions.append(
                (
                    answer,
                    lambda o=order, a=answer: ops.order_accept_fail(
                        order_id=o.pk, actor=net.hq, reason="phone", text="空号", at=a
                    ),
                )
            )
    return sorted(actions, key=lambda x: x[0])


def _snapshot():
    return sorted(Violation.objects.values_list("order_id", "stint", "rule", "site_id", "fine", "week", "occurred_at"))


def test_catch_up_after_six_hours_equals_minute_by_minute(net):
    rng = random.Random(7)
    start = datetime(2026, 11, 23, 9, 0, tzinfo=SH)
    actions = _scenario(net, rng, start, 6 * 60)
    # minute by minute, acting as time passes
    pending = list(actions)
    for minute in range(6 * 60 + 1):
        now = start + timedelta(minutes=minute)
        while pending and pending[0][0] <= now:
            pending.pop(0)[1]()
        sla_sweep(since=now - timedelta(minutes=1), until=now, at=now)
    minute_by_minute = _snapshot()
    assert minute_by_minute  # the scenario has late ones
    from django.db import connection

    with connection.cursor() as cursor:  # violation events refuse DELETE (append-only): empty the tables instead
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE penalties_violationevent, penalties_violation CASCADE")
    end = start + timedelta(minutes=6 * 60)
    sla_sweep(since=start, until=end, at=end)  # one run after a six-hour outage
    assert _snapshot() == minute_by_minute


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once(net):
    from tests.rulebook_seed import rules_seed

    rules_seed()  # the transactional flush emptied the rule table
    for _ in range(20):
        make_order(order_time=T0)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(sla_sweep(since=WEEK, until=at(40), at=at(40)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(r.inserted for r in results) == 20
    assert Violation.objects.count() == 20
