"""Witnessed time (SPEC §4 "What stands depends on what happened"): an act of the courier's phone counts when it
happened on the phone, brought onto the server's clock, within the bounds: reached the server within 24 h, the
phone's clock not ahead of the server's by more than 2 minutes, not before the courier's assignment, never later
than received; otherwise when it was received. The event keeps both times and the pages show them."""

import json
import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from courier import services
from courier.models import CourierAct
from orders.models import EventKind, OrderEvent, OrderState
from penalties.models import Violation
from penalties.sweep import sla_sweep

from .test_phone import assigned, courier_of

B = CourierAct.TimeBasis
S = OrderState


def _confirm(user, order, *, done_at, sent_at, received, waybill="300000000501"):
    return services.courier_acts_apply(
        user=user,
        acts=[
            {
                "id": str(uuid.uuid4()),
                "kind": "confirm",
                "order": order.pk,
                "waybill": waybill,
                "done_at": done_at.isoformat() if done_at else None,
            }
        ],
        sent_at=sent_at.isoformat() if sent_at else None,
        at=received,
    )[0]


def _picked_event(order):
    return OrderEvent.objects.get(order=order, kind=EventKind.PICKED_UP)


def _late_pickups(order):
    return Violation.objects.filter(order=order, rule="LATE_PICKUP").exclude(status="VOIDED")


def test_an_offline_pickup_before_the_deadline_synced_after_it_leaves_no_fine(net):
    """Picked up at 15:50 in a dead zone, synced at 16:20, the deadline at 16:00: no standing LATE_PICKUP."""
    me = courier_of(net)
    order = assigned(net, me, hours_ago=60)
    due = order.pickup_due_at
    assert due < timezone.now() - timedelta(hours=1)
    door, synced = due - timedelta(minutes=10), due + timedelta(minutes=20)
    answer = _confirm(me, order, done_at=door, sent_at=synced, received=synced)  # the phone's clock is right
    assert answer.outcome == "applied"
    order.refresh_from_db()
    assert order.state == S.PICKED_UP and order.picked_up_at == door
    event = _picked_event(order)
    assert event.at == door and event.data["late"] is False
    assert event.data["received_at"] == timezone.localtime(synced).isoformat() and event.data["time_basis"] == B.PHONE
    # the sweep after the sync finds nothing late
    sla_sweep(since=due - timedelta(days=1), until=synced + timedelta(minutes=10), at=synced + timedelta(minutes=10))
    assert not _late_pickups(order).exists()


def test_the_phones_offset_is_taken_out(net):
    """A phone whose clock is 30 minutes slow (or set back) is brought onto the server's clock by the difference
    between its clock and the server's at the sync: setting the clock back gains nothing."""
    me = courier_of(net)
    order = assigned(net, me, hours_ago=60)
    due = order.pickup_due_at
    slow = timedelta(minutes=30)
    door, synced = due + timedelta(minutes=5), due + timedelta(minutes=20)
    _confirm(me, order, done_at=door - slow, sent_at=synced - slow, received=synced)
    event = _picked_event(order)
    assert event.at == door and event.data["late"] is True  # 16:05 on the server's clock: late all the same


def test_bound_an_act_reaching_the_server_after_24_hours_counts_when_received(net):
    me = courier_of(net)
    order = assigned(net, me, hours_ago=60)
    door = order.pickup_due_at - timedelta(minutes=10)
    received = door + timedelta(hours=24, seconds=1)
    assert received < timezone.now()
    _confirm(me, order, done_at=door, sent_at=received, received=received)
    event = _picked_event(order)
    assert event.at == received and event.data["time_basis"] == B.LATE and event.data["late"] is True
    # exactly 24 hours is within the bound
    other = assigned(net, me, hours_ago=60)
    door = other.pickup_due_at - timedelta(minutes=10)
    _confirm(me, other, done_at=door, sent_at=door + timedelta(hours=24), received=door + timedelta(hours=24),
             waybill="300000000502")  # fmt: skip
    assert _picked_event(other).at == door


def test_bound_a_phone_clock_ahead_of_the_server_by_more_than_2_minutes(net):
    me = courier_of(net)
    order = assigned(net, me, hours_ago=60)
    received = order.pickup_due_at + timedelta(minutes=20)
    ahead = timedelta(minutes=2, seconds=1)
    _confirm(me, order, done_at=received - timedelta(minutes=30) + ahead, sent_at=received + ahead, received=received)
    event = _picked_event(order)
    assert event.at == received and event.data["time_basis"] == B.AHEAD
    # 2 minutes ahead is tolerated (and the act is brought back onto the server's clock)
    other = assigned(net, me, hours_ago=60)
    received = other.pickup_due_at + timedelta(minutes=20)
    ahead = timedelta(minutes=2)
    door = received - timedelta(minutes=30)
    _confirm(me, other, done_at=door + ahead, sent_at=received + ahead, received=received, waybill="300000000502")
    assert _picked_event(other).at == door
    # a phone that sends no clock of its own: its act time alone is judged
    third = assigned(net, me, hours_ago=60)
    received = third.pickup_due_at + timedelta(minutes=20)
    _confirm(
        me, third, done_at=received + timedelta(minutes=3), sent_at=None, received=received, waybill="300000000503"
    )
    assert _picked_event(third).data["time_basis"] == B.AHEAD and _picked_event(third).at == received


def test_bound_not_before_the_couriers_assignment(net):
    me = courier_of(net)
    order = assigned(net, me, hours_ago=60)
    given = OrderEvent.objects.get(order=order, kind=EventKind.COURIER).at
    received = given + timedelta(hours=1)
    _confirm(me, order, done_at=given - timedelta(seconds=1), sent_at=received, received=received)
    event = _picked_event(order)
    assert event.at == received and event.data["time_basis"] == B.BEFORE_ASSIGNMENT
    other = assigned(net, me, hours_ago=60)
    given = OrderEvent.objects.get(order=other, kind=EventKind.COURIER).at
    _confirm(me, other, done_at=given, sent_at=given + timedelta(hours=1), received=given + timedelta(hours=1),
             waybill="300000000502")  # fmt: skip
    assert _picked_event(other).at == given


def test_never_later_than_received_and_no_phone_time_is_the_time_received(net):
    me = courier_of(net)
    assert (
        services.witnessed_time(phone_at=None, phone_now=None, received=timezone.now(), assigned_at=None).basis
        == B.RECEIVED
    )
    now = timezone.now()
    # a phone 1 minute ahead whose act is "after" the sync on its own clock still counts when received at the latest
    seen = services.witnessed_time(phone_at=now + timedelta(minutes=1), phone_now=now, received=now, assigned_at=None)
    assert seen.at == now and seen.basis == B.PHONE
    order = assigned(net, me, hours_ago=60)
    received = order.pickup_due_at
    _confirm(me, order, done_at=None, sent_at=received, received=received)
    assert _picked_event(order).data["time_basis"] == B.RECEIVED


def test_the_timeline_shows_both_times(net, login):
    me = courier_of(net)
    order = assigned(net, me, hours_ago=60)
    due = order.pickup_due_at
    door, synced = due - timedelta(minutes=10), due + timedelta(minutes=20)
    _confirm(me, order, done_at=door, sent_at=synced, received=synced)
    page = login(net.clerk_a).get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="act-evidence"' in page
    assert timezone.localtime(door).strftime("%Y-%m-%d %H:%M:%S") in page
    assert timezone.localtime(synced).strftime("%Y-%m-%d %H:%M:%S") in page


def test_the_phones_endpoint_takes_its_clock_at_the_sync(net, login):
    me = courier_of(net)
    order = assigned(net, me, hours_ago=60)
    now = timezone.now()
    body = {
        "sent_at": (now - timedelta(minutes=30)).isoformat(),  # the phone is 30 minutes slow
        "acts": [{"id": str(uuid.uuid4()), "kind": "confirm", "order": order.pk, "waybill": "300000000504",
                  "done_at": (now - timedelta(minutes=40)).isoformat()}],
    }  # fmt: skip
    results = login(me).post(reverse("courier:acts"), json.dumps(body), content_type="application/json").json()
    assert results["results"][0]["outcome"] == "applied"
    event = _picked_event(order)
    assert abs((event.at - (now - timedelta(minutes=10))).total_seconds()) < 5
    act = CourierAct.objects.get(order=order)
    assert act.counted_at == event.at and act.time_basis == B.PHONE and act.phone_sent_at is not None


def test_a_fine_the_sweep_recorded_before_the_late_sync_is_re_judged(net):
    """The sweep runs at 16:05 and fines the order still waiting; the courier's 15:50 pickup arrives at 16:20;
    the next sweep re-judges the order from its history: no LATE_PICKUP stands."""
    me = courier_of(net)
    order = assigned(net, me, hours_ago=60)
    due = order.pickup_due_at
    door, synced = due - timedelta(minutes=10), due + timedelta(minutes=20)
    sla_sweep(since=due - timedelta(days=1), until=due + timedelta(minutes=5), at=due + timedelta(minutes=5))
    assert _late_pickups(order).count() == 1
    assert _confirm(me, order, done_at=door, sent_at=synced, received=synced).outcome == "applied"
    sla_sweep(since=due - timedelta(days=1), until=synced + timedelta(minutes=10), at=synced + timedelta(minutes=10))
    assert not _late_pickups(order).exists()
    assert Violation.objects.filter(order=order, rule="LATE_PICKUP", status="VOIDED").count() == 1
