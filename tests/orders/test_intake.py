"""Bulk intake writes each order's "created" event straight from the stored order (``created_events_insert``): the row
must hold what ``event_build`` would have built, column for column."""

from datetime import datetime
from zoneinfo import ZoneInfo

from orders.events import _COPY_FIELDS, event_build
from orders.intake import orders_intake
from orders.models import EventKind, OrderEvent

from ..factories import channel_get, order_data

SH = ZoneInfo("Asia/Shanghai")


def test_bulk_created_events_are_what_event_build_gives(net):
    at = datetime(2026, 11, 23, 19, 50, tzinfo=SH)
    items = [
        order_data(channel_order_id="EV-1", order_time=at),
        order_data(
            channel_order_id="EV-2",
            order_time=at,
            sender_address="火星基地一号",
            sender_province="",
            sender_city="",
            sender_district="",
        ),
    ]
    results = orders_intake(channel=channel_get("taobao"), items=items, at=at, actor_label="淘宝")
    assert [r.status for r in results] == ["created", "created"]
    routed, unrouted = (r.order for r in results)
    assert routed.site == net.site_a and unrouted.site == net.data_center and unrouted.route_reason
    for order in (routed, unrouted):
        stored = OrderEvent.objects.get(order=order)
        built = event_build(
            order=order,
            kind=EventKind.CREATED,
            at=at,
            actor_label="淘宝",
            to_state=order.state,
            to_site=order.site,
            text=order.route_reason,
            data={"adcode": order.sender_adcode},
        )
        for field in _COPY_FIELDS:
            assert getattr(stored, field.attname) == getattr(built, field.attname), field.name


def test_a_bulk_order_is_built_as_the_model_builds_it(net):
    """``_unsaved_order`` skips ``Model.__init__`` (its field walk was a third of intake's Python time): the order
    it builds holds, field for field, what ``OnlineOrder(channel=…, **data)`` holds, and is a new, unsaved row."""
    from decimal import Decimal

    from orders import intake
    from orders.models import OnlineOrder

    channel = channel_get("taobao")
    data = {
        **order_data(channel_order_id="BUILT-1", order_time=datetime(2026, 11, 23, 9, tzinfo=SH)),
        "weight_kg": Decimal("1.20"),
        "waybill_no": None,
    }
    fast, plain = intake._unsaved_order(channel, dict(data)), OnlineOrder(channel=channel, **data)
    assert intake._BLANK, "the model grew an init signal or a computed default: the fast way is off"
    for field in OnlineOrder._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(plain, field.attname), field.name
    assert fast.channel is channel and fast._state.adding and fast._state.db == plain._state.db and fast.pk is None
    assert set(fast.__dict__) - {"_state"} == set(plain.__dict__) - {"_state"}


def test_bulk_intake_checks_each_orders_texts_itself(net):
    """The service's own policy check (one search over an order's texts; only a breach looks field by field) names
    the broken field of that order alone: a control character, a text longer than its column. A number sent for a
    text column (a phone from a spreadsheet) is stored as its text, as the ORM would store it."""
    from orders.models import OnlineOrder

    at = datetime(2026, 11, 23, 10, tzinfo=SH)
    items = [
        order_data(channel_order_id="TXT-1", goods="衣\u0007服"),
        order_data(channel_order_id="TXT-2", receiver_address="路" * 201),
        order_data(channel_order_id="TXT-3", sender_phone=13812345678),
        order_data(channel_order_id="TXT-4", remark="第一行\n第二行\t完"),
    ]
    results = orders_intake(channel=channel_get("taobao"), items=items, at=at, actor_label="淘宝")
    assert [(r.status, r.field) for r in results] == [
        ("invalid", "goods"),
        ("invalid", "receiver_address"),
        ("created", None),
        ("created", None),
    ]
    assert "U+0007" in results[0].message and "200" in results[1].message
    assert set(OnlineOrder.objects.values_list("channel_order_id", flat=True)) == {"TXT-3", "TXT-4"}
    assert OnlineOrder.objects.get(channel_order_id="TXT-3").sender_phone == "13812345678"
