"""站点未揽收: the reminder 30 minutes before service hours end, once a day, only while orders remain."""

from datetime import datetime
from zoneinfo import ZoneInfo

from core.models import Message
from dispatch import services as ops
from dispatch.reminders import unscanned_reminders_send

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")


def test_reminder_before_closing_once_and_only_with_unscanned_orders(net):
    morning = datetime(2026, 11, 23, 9, 0, tzinfo=SH)
    order = make_order(order_time=morning)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=morning)
    assert unscanned_reminders_send(at=datetime(2026, 11, 23, 19, 29, tzinfo=SH)) == 0  # too early
    assert unscanned_reminders_send(at=datetime(2026, 11, 23, 19, 30, tzinfo=SH)) == 1
    message = Message.objects.get(site=net.site_a)
    assert "1" in message.title and "20:00" in message.body and message.link == "/desk/unscanned/"
    assert unscanned_reminders_send(at=datetime(2026, 11, 23, 19, 45, tzinfo=SH)) == 0  # once a day
    assert unscanned_reminders_send(at=datetime(2026, 11, 23, 20, 0, tzinfo=SH)) == 0  # closed
    # the next day, with the parcel scanned, nothing is sent
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000501", at=morning)
    ops.pickup_scan_record(waybill="300000000501", scanned_at=morning)
    assert unscanned_reminders_send(at=datetime(2026, 11, 24, 19, 40, tzinfo=SH)) == 0


def test_xinjiang_is_reminded_at_its_own_closing(net):
    at = datetime(2026, 11, 23, 11, 0, tzinfo=SH)
    order = make_order(
        sender_province="新疆维吾尔自治区",
        sender_city="乌鲁木齐市",
        sender_district="天山区",
        sender_address="解放路1号",
        order_time=at,
    )
    ops.order_accept(order_id=order.pk, actor=net.clerk_x, at=at)
    assert unscanned_reminders_send(at=datetime(2026, 11, 23, 19, 40, tzinfo=SH)) == 0
    assert unscanned_reminders_send(at=datetime(2026, 11, 23, 20, 35, tzinfo=SH)) == 1
    assert Message.objects.filter(site=net.site_x).count() == 1
