"""Every transition of SPEC §3 and every illegal one: state, fields and the event row; illegal ones change
nothing and say why."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.exceptions import DomainError
from core.models import Site
from dispatch import services as ops
from orders import services as order_services
from orders.exceptions import IllegalTransition, OrderError, OrderOutOfScope
from orders.models import EventKind, FailReason, OnlineOrder, OrderEvent, OrderState
from orders.workflow import TRANSITIONS

from ..factories import CourierFactory, make_order

SH = ZoneInfo("Asia/Shanghai")
S = OrderState
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def at(minutes=0, seconds=0):
    return T0 + timedelta(minutes=minutes, seconds=seconds)


@pytest.fixture
def order(net):
    return make_order(at=T0, order_time=T0)


def snapshot(order):
    fresh = OnlineOrder.objects.get(pk=order.pk)
    return {f.attname: getattr(fresh, f.attname) for f in OnlineOrder._meta.concrete_fields}, fresh.events.count()


def test_accept(net, order):
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(30))
    order.refresh_from_db()
    assert order.state == S.ACCEPTED and order.accepted_at == at(30)
    event = order.events.latest("id")
    assert (event.kind, event.actor, event.site, event.from_state, event.to_state) == (
        EventKind.ACCEPTED,
        net.clerk_a,
        net.site_a,
        S.PENDING,
        S.ACCEPTED,
    )
    assert event.data["late"] is False  # exactly 30 minutes: on time


def test_accept_one_second_late_is_recorded_as_late(net, order):
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(30, 1))
    assert OnlineOrder.objects.get(pk=order.pk).events.latest("id").data["late"] is True


def test_contract_area_order_is_operated_by_the_parent_clerk(net):
    order = make_order(sender_address="开发区科技园1号")
    assert order.site == net.area_a
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    ops.order_transfer(order_id=order.pk, actor=net.clerk_area, to_site=net.site_b)  # the area's own clerk too


def test_accept_fail_needs_a_true_reason_and_text(net, order):
    with pytest.raises(OrderError):
        ops.order_accept_fail(order_id=order.pk, actor=net.clerk_a, reason="too_far", text="太远")
    with pytest.raises(OrderError):
        ops.order_accept_fail(order_id=order.pk, actor=net.clerk_a, reason=FailReason.PHONE, text=" ")
    assert "too_far" not in FailReason.values and "staff" not in " ".join(FailReason.values)
    ops.order_accept_fail(order_id=order.pk, actor=net.clerk_a, reason=FailReason.PHONE, text="空号", at=at(5))
    order.refresh_from_db()
    assert order.state == S.ACCEPT_FAILED and order.fail_reason == FailReason.PHONE
    event = order.events.latest("id")
    assert event.kind == EventKind.ACCEPT_FAILED and event.reason == FailReason.PHONE and event.text == "空号"


def test_transfer_restarts_the_receiving_sites_clock(net, order):
    ops.order_transfer(order_id=order.pk, actor=net.clerk_a, to_site=net.site_b, text="不在服务范围", at=at(20))
    order.refresh_from_db()
    assert order.site == net.site_b and order.state == S.PENDING and order.stint == 2
    assert order.accept_due_at == at(50)  # its own 30 minutes from the transfer
    assert order.pickup_due_at == T0 + timedelta(hours=16)  # the pickup clock still runs from order time
    event = order.events.latest("id")
    assert (event.kind, event.site, event.to_site, event.stint) == (EventKind.TRANSFERRED, net.site_a, net.site_b, 1)
    # the transferring site no longer sees or operates it
    with pytest.raises(OrderOutOfScope):
        ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    ops.order_accept(order_id=order.pk, actor=net.clerk_b, at=at(49))


def test_transfer_from_accepted_and_to_the_data_center(net, order):
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(1))
    courier = net.site_a.couriers.first()
    ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=courier)
    ops.order_transfer(order_id=order.pk, actor=net.clerk_a, to_site=net.data_center, at=at(2))
    order.refresh_from_db()
    assert order.site == net.data_center and order.state == S.PENDING and order.accept_due_at is None
    assert order.courier is None


def test_transfer_targets_are_checked(net, order):
    sorting = Site.objects.create(code="SC33", name="杭州分拨", province=net.zj, kind=Site.Kind.SORTING)
    for target in (net.site_a, sorting):
        with pytest.raises(OrderError):
            ops.order_transfer(order_id=order.pk, actor=net.clerk_a, to_site=target)
    assert order.events.count() == 1


def test_courier_pickup_and_waybill_rules(net, order, settings):
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(1))
    other_site_courier = net.site_b.couriers.first()
    with pytest.raises(OrderError):
        ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=other_site_courier)
    courier = net.site_a.couriers.first()
    ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=courier, at=at(2))
    second = CourierFactory(site=net.site_a)
    ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=second, at=at(3))  # reassign
    for bad in ("12345", "ABC123456789012", "1234567890123456"):
        with pytest.raises(DomainError) as info:
            ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill=bad)
        assert info.value.field == "waybill_no"
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300012345678", at=at(60))
    order.refresh_from_db()
    assert order.state == S.PICKED_UP and order.waybill_no == "300012345678" and order.pickup_source == "confirm"
    event = order.events.latest("id")
    assert event.kind == EventKind.PICKED_UP and event.courier == second and event.waybill_no == "300012345678"
    # unique across orders
    other = make_order()
    ops.order_accept(order_id=other.pk, actor=net.clerk_a)
    with pytest.raises(DomainError, match="300012345678"):
        ops.order_pickup_confirm(order_id=other.pk, actor=net.clerk_a, waybill="300012345678")
    # the format is a setting
    settings.WAYBILL_PATTERN = r"^BX\d{10}$"
    ops.order_pickup_confirm(order_id=other.pk, actor=net.clerk_a, waybill="BX0000000001")


def test_pickup_fail_and_reappointment(net, order):
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(1))
    start, end = T0 + timedelta(days=1, hours=8), T0 + timedelta(days=1, hours=10)
    ops.order_reappoint(
        order_id=order.pk, actor=net.clerk_a, window_start=start, window_end=end, text="电话约定明天上午", at=at(120)
    )
    order.refresh_from_db()
    assert order.pickup_due_at == end and order.state == S.ACCEPTED
    event = order.events.latest("id")
    assert (
        event.kind == EventKind.REAPPOINTED and event.data["previous_due_at"] == (T0 + timedelta(hours=16)).isoformat()
    )
    with pytest.raises(OrderError):  # a window in the past
        ops.order_reappoint(
            order_id=order.pk, actor=net.clerk_a, window_start=at(-60), window_end=at(-30), text="x", at=at(121)
        )
    ops.order_pickup_fail(
        order_id=order.pk, actor=net.clerk_a, reason=FailReason.PREMISES, text="小区不让进", at=at(130)
    )
    order.refresh_from_db()
    assert order.state == S.PICKUP_FAILED and order.events.latest("id").kind == EventKind.PICKUP_FAILED


def test_window_later_than_16_hours_sets_the_pickup_deadline(net):
    end = T0 + timedelta(hours=30)
    order = make_order(order_time=T0, window_start=T0 + timedelta(hours=28), window_end=end)
    assert order.pickup_due_at == end


def test_cancellation_and_its_acknowledgement(net, order):
    order_services.order_cancel(order_id=order.pk, actor_label="淘宝", at=at(10))
    order.refresh_from_db()
    assert order.state == S.CANCELLED and order.cancel_handled_at is None
    result = ops.orders_cancel_handle(order_ids=[order.pk], actor=net.clerk_a, at=at(12))
    assert result.done == [order.pk]
    order.refresh_from_db()
    assert order.cancel_handled_at == at(12) and order.events.latest("id").kind == EventKind.CANCEL_HANDLED
    again = ops.orders_cancel_handle(order_ids=[order.pk], actor=net.clerk_a)
    assert again.done == [] and again.refused
    with pytest.raises(IllegalTransition):
        ops.order_accept(order_id=order.pk, actor=net.clerk_a)


def test_hq_dispatch_from_the_data_center(net):
    order = make_order(sender_province="", sender_city="", sender_district="", sender_address="火星基地", order_time=T0)
    with pytest.raises(OrderOutOfScope):
        ops.orders_dispatch(order_ids=[order.pk], actor=net.clerk_a, to_site=net.site_a)
    dispatch_at = T0 + timedelta(hours=17)
    result = ops.orders_dispatch(order_ids=[order.pk], actor=net.hq, to_site=net.site_a, at=dispatch_at)
    assert result.done == [order.pk]
    order.refresh_from_db()
    assert order.site == net.site_a and order.dispatched_at == dispatch_at
    assert order.accept_due_at == clock_due(net, dispatch_at)
    assert order.pickup_due_at == dispatch_at + timedelta(hours=16)  # not late for HQ's waiting time
    event = order.events.latest("id")
    assert event.kind == EventKind.DISPATCHED and event.actor == net.hq and event.site == net.data_center
    assert ops.orders_dispatch(order_ids=[order.pk], actor=net.hq, to_site=net.site_b).refused


def clock_due(net, when):
    from core.clock import accept_due

    return accept_due(net.zj, when)


def test_hq_reopens_a_failed_order(net, order):
    ops.order_accept_fail(order_id=order.pk, actor=net.clerk_a, reason=FailReason.DUPLICATE, text="重复", at=at(3))
    with pytest.raises(OrderOutOfScope):
        ops.order_reopen(order_id=order.pk, actor=net.clerk_a, to_site=net.site_a, text="x")
    ops.order_reopen(order_id=order.pk, actor=net.hq, to_site=net.site_a, text="稽核：并非重复订单", at=at(90))
    order.refresh_from_db()
    assert order.state == S.PENDING and order.stint == 2 and order.accept_due_at == at(120) and not order.fail_reason
    assert order.events.latest("id").kind == EventKind.REOPENED


def test_pickup_scan_completes_an_accepted_order(net, order):
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    OnlineOrder.objects.filter(pk=order.pk).update(waybill_no="300000000001")
    assert ops.pickup_scan_record(waybill="300000000099", scanned_at=at(40)).order_id is None
    result = ops.pickup_scan_record(waybill="300000000001", scanned_at=at(40), site_code="33010601", operator="王五")
    assert result.completed
    order.refresh_from_db()
    assert order.state == S.PICKED_UP and order.pickup_source == "scan" and order.pickup_scan_at == at(40)
    assert order.events.latest("id").kind == EventKind.SCANNED
    # a second scan changes neither the state nor the first scan time
    ops.pickup_scan_record(waybill="300000000001", scanned_at=at(50))
    order.refresh_from_db()
    assert order.pickup_scan_at == at(40)


def test_scan_after_confirm_records_the_scan_time(net, order):
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000002", at=at(30))
    ops.pickup_scan_record(waybill="300000000002", scanned_at=at(90))
    order.refresh_from_db()
    assert order.pickup_source == "confirm" and order.pickup_scan_at == at(90)


def test_change_reroutes_when_the_district_changes(net, order):
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at(1))
    order_services.order_change(order_id=order.pk, changes={"sender_phone": "13700000000"}, actor_label="淘宝")
    order.refresh_from_db()
    assert order.site == net.site_a and order.state == S.ACCEPTED  # same district: no re-route
    order_services.order_change(
        order_id=order.pk,
        at=at(5),
        actor_label="淘宝",
        changes={"sender_city": "宁波市", "sender_district": "海曙区", "sender_address": "中山路1号"},
    )
    order.refresh_from_db()
    assert order.site == net.site_b and order.state == S.PENDING and order.accept_due_at == at(35)
    kinds = list(order.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.CHANGED, EventKind.REROUTED]


def test_site_correction_is_recorded(net, order):
    order_services.order_change(
        order_id=order.pk, changes={"sender_phone": "13600000000"}, actor=net.clerk_a, corrected=True, note="电话核实"
    )
    event = order.events.latest("id")
    assert event.kind == EventKind.CORRECTED and event.data["changes"]["sender_phone"] == ["13812345678", "13600000000"]
    with pytest.raises(OrderError):
        order_services.order_change(order_id=order.pk, changes={"sender_phone": "13600000000"}, corrected=True)


def test_window_change_moves_the_pickup_deadline(net, order):
    end = T0 + timedelta(hours=40)
    order_services.order_change(
        order_id=order.pk, changes={"window_start": end - timedelta(hours=2), "window_end": end}
    )
    order.refresh_from_db()
    assert order.pickup_due_at == end


# every (action, state) pair that the state machine forbids: a clear error and nothing changed
ACTIONS = {
    "accept": lambda net, o: ops.order_accept(order_id=o.pk, actor=net.hq, expect=None),
    "transfer": lambda net, o: ops.order_transfer(order_id=o.pk, actor=net.hq, to_site=net.site_x),
    "accept_fail": lambda net, o: ops.order_accept_fail(
        order_id=o.pk, actor=net.hq, reason="phone", text="x", expect=None
    ),
    "courier": lambda net, o: ops.order_courier_assign(
        order_id=o.pk, actor=net.hq, courier=net.site_a.couriers.first()
    ),
    "pickup_confirm": lambda net, o: ops.order_pickup_confirm(
        order_id=o.pk, actor=net.hq, waybill="399999999999", expect=None
    ),
    "pickup_fail": lambda net, o: ops.order_pickup_fail(
        order_id=o.pk, actor=net.hq, reason="phone", text="x", expect=None
    ),
    "reappoint": lambda net, o: ops.order_reappoint(
        order_id=o.pk,
        actor=net.hq,
        window_start=timezone.now() + timedelta(days=1),
        window_end=timezone.now() + timedelta(days=1, hours=1),
        text="x",
    ),
    "cancel": lambda net, o: order_services.order_cancel(order_id=o.pk),
    "reopen": lambda net, o: ops.order_reopen(order_id=o.pk, actor=net.hq, to_site=net.site_a, text="x"),
    "change": lambda net, o: order_services.order_change(order_id=o.pk, changes={"remark": "改"}),
    "correct": lambda net, o: order_services.order_change(order_id=o.pk, changes={"remark": "改"}, corrected=True),
}

REACH = {
    S.PENDING: lambda net, o: None,
    S.ACCEPTED: lambda net, o: ops.order_accept(order_id=o.pk, actor=net.hq),
    S.PICKED_UP: lambda net, o: (
        ops.order_accept(order_id=o.pk, actor=net.hq),
        ops.order_pickup_confirm(order_id=o.pk, actor=net.hq, waybill="388888888888"),
    ),
    S.ACCEPT_FAILED: lambda net, o: ops.order_accept_fail(order_id=o.pk, actor=net.hq, reason="phone", text="x"),
    S.PICKUP_FAILED: lambda net, o: (
        ops.order_accept(order_id=o.pk, actor=net.hq),
        ops.order_pickup_fail(order_id=o.pk, actor=net.hq, reason="phone", text="x"),
    ),
    S.CANCELLED: lambda net, o: order_services.order_cancel(order_id=o.pk),
}

ILLEGAL = [(action, state) for action in ACTIONS for state in S.values if state not in TRANSITIONS[action][1]]


@pytest.mark.parametrize("action, state", ILLEGAL)
def test_illegal_transitions_change_nothing(net, action, state):
    order = make_order()
    REACH[state](net, order)
    assert OnlineOrder.objects.get(pk=order.pk).state == state
    before = snapshot(order)
    with pytest.raises(IllegalTransition) as info:
        ACTIONS[action](net, order)
    assert str(info.value.message)  # says which state and which action
    assert snapshot(order) == before


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_legal_transition_writes_exactly_one_event(net, action):
    legal_from = sorted(TRANSITIONS[action][1])
    for state in legal_from:
        order = make_order()
        REACH[state](net, order)
        before = set(OrderEvent.objects.filter(order=order).values_list("pk", flat=True))
        ACTIONS[action](net, order)
        new = OrderEvent.objects.filter(order=order).exclude(pk__in=before)
        assert new.count() == 1, (action, state, list(new.values_list("kind", flat=True)))


def test_batch_accept_query_count_does_not_grow(net):
    def run(n):
        ids = [make_order().pk for _ in range(n)]
        clerk = type(net.clerk_a).objects.get(pk=net.clerk_a.pk)  # nothing cached from an earlier run
        with CaptureQueriesContext(connection) as ctx:
            result = ops.orders_accept_batch(order_ids=ids, actor=clerk)
        assert len(result.done) == n
        assert OrderEvent.objects.filter(order_id__in=ids, kind=EventKind.ACCEPTED).count() == n
        return len(ctx.captured_queries)

    assert run(10) == run(200)


def test_batch_accept_reports_what_it_could_not_do(net):
    a, b, c = make_order(), make_order(), make_order(sender_city="宁波市", sender_district="海曙区")
    ops.order_accept(order_id=b.pk, actor=net.clerk_a)
    result = ops.orders_accept_batch(order_ids=[a.pk, b.pk, c.pk, 999999999], actor=net.clerk_a)
    assert result.done == [a.pk]
    assert {pk for pk, _ in result.refused} == {b.pk, c.pk, 999999999}
    assert OnlineOrder.objects.get(pk=c.pk).state == S.PENDING


def test_batch_pickup_confirm_keeps_the_good_rows(net):
    a, b, c = (make_order() for _ in range(3))
    ops.orders_accept_batch(order_ids=[a.pk, b.pk, c.pk], actor=net.clerk_a)
    result = ops.orders_pickup_confirm_batch(
        items=[(a.pk, "300000000011"), (b.pk, "bad"), (c.pk, "300000000011")], actor=net.clerk_a
    )
    assert result.done == [a.pk] and {pk for pk, _ in result.refused} == {b.pk, c.pk}
    assert OnlineOrder.objects.get(pk=b.pk).state == S.ACCEPTED


def test_awaiting_waybill_and_reminder(net):
    order = make_order(business_type="online")
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    order.refresh_from_db()
    assert order.awaiting_waybill
    ops.order_waybill_remind(order_id=order.pk, actor=net.clerk_a, at=at(5))
    order.refresh_from_db()
    assert order.waybill_reminded_at == at(5) and order.events.latest("id").kind == EventKind.WAYBILL_REMINDER
    customer = make_order(business_type="online", waybill_no="312345678901")
    ops.order_accept(order_id=customer.pk, actor=net.clerk_a)
    with pytest.raises(OrderError):
        ops.order_waybill_remind(order_id=customer.pk, actor=net.clerk_a)
    ops.order_pickup_confirm(order_id=customer.pk, actor=net.clerk_a)  # the customer's waybill is used
    assert OnlineOrder.objects.get(pk=customer.pk).waybill_no == "312345678901"


def test_intake_is_idempotent_and_refuses_a_different_repeat(net):
    from orders.models import Channel

    from ..factories import order_data

    channel = Channel.objects.get(slug="kuaidi100")
    data = order_data()
    first = order_services.order_create(channel=channel, data=data, at=T0)
    again = order_services.order_create(channel=channel, data=data, at=T0)
    assert first.created and not again.created and again.order.pk == first.order.pk
    with pytest.raises(OrderError):
        order_services.order_create(channel=channel, data={**data, "sender_phone": "13000000000"}, at=T0)
    assert OnlineOrder.objects.filter(channel_order_id=data["channel_order_id"]).count() == 1


def test_overnight_order_on_time_at_0820_late_at_082001(net):
    evening = datetime(2026, 11, 23, 19, 50, tzinfo=SH)
    on_time, late = make_order(order_time=evening), make_order(order_time=evening)
    assert on_time.accept_due_at == datetime(2026, 11, 24, 8, 20, tzinfo=SH)
    ops.order_accept(order_id=on_time.pk, actor=net.clerk_a, at=datetime(2026, 11, 24, 8, 20, tzinfo=SH))
    ops.order_accept(order_id=late.pk, actor=net.clerk_a, at=datetime(2026, 11, 24, 8, 20, 1, tzinfo=SH))
    assert on_time.events.latest("id").data["late"] is False
    assert late.events.latest("id").data["late"] is True


def test_xinjiang_order_gets_xinjiang_hours(net):
    evening = datetime(2026, 11, 23, 20, 40, tzinfo=SH)
    order = make_order(
        order_time=evening,
        sender_province="新疆维吾尔自治区",
        sender_city="乌鲁木齐市",
        sender_district="天山区",
        sender_address="解放路1号",
    )
    # Xinjiang closes at 21:00: 20 minutes today, 10 tomorrow from 10:00 (Zhejiang would be all tomorrow)
    assert order.site == net.site_x and order.accept_due_at == datetime(2026, 11, 24, 10, 10, tzinfo=SH)


def test_literal_clock_setting_applies_to_new_orders(net, settings):
    settings.ACCEPT_CLOCK = "wall"
    evening = datetime(2026, 11, 23, 19, 50, tzinfo=SH)
    assert make_order(order_time=evening).accept_due_at == datetime(2026, 11, 23, 20, 20, tzinfo=SH)
