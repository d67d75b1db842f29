"""Bulk intake writes each order's "created" event straight from the order (``created_events_copy``): the row
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
    items = [order_data(channel_order_id="EV-1", order_time=at),
             order_data(channel_order_id="EV-2", order_time=at, sender_address="火星基地一号", sender_province="",
                        sender_city="", sender_district="")]
    results = orders_intake(channel=channel_get("taobao"), items=items, at=at, actor_label="淘宝")
    assert [r.status for r in results] == ["created", "created"]
    routed, unrouted = (r.order for r in results)
    assert routed.site == net.site_a and unrouted.site == net.data_center and unrouted.route_reason
    for order in (routed, unrouted):
        stored = OrderEvent.objects.get(order=order)
        built = event_build(order=order, kind=EventKind.CREATED, at=at, actor_label="淘宝", to_state=order.state,
                            to_site=order.site, text=order.route_reason, data={"adcode": order.sender_adcode})
        for field in _COPY_FIELDS:
            assert getattr(stored, field.attname) == getattr(built, field.attname), field.name
