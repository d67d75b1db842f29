"""运单号更正: the site that picked an order up corrects a mistyped waybill number — one event with the old and
new number, the channel told again, HQ finding it in audit — and is refused once a pickup scan matched the old
number, the week's notice is out, an audit judged the order, or the channel issued the number."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core.exceptions import DomainError
from dispatch import services as ops
from dispatch.corrections import order_waybill_correct
from orders.models import EventKind, OnlineOrder, OutboxMessage
from orders.services import api_client_create
from penalties import services as penalty_services
from penalties.models import Rule
from penalties.reports import weekly_notices

from ..factories import channel_get, make_order

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 17, 10, 0, tzinfo=SH)  # a Tuesday; its week's notice is issued on Monday 11-23


def picked(net, waybill="300000000801", channel="taobao", at=T0):
    order = make_order(order_time=at, at=at, channel=channel)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=at + timedelta(minutes=5))
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill=waybill, at=at + timedelta(hours=2))
    return OnlineOrder.objects.get(pk=order.pk)


def test_correction_records_old_and_new_and_tells_the_channel(net):
    api_client_create(
        name="淘宝回调",
        kind="channel",
        channel=channel_get("taobao"),
        adapter="generic",
        callback_url="http://127.0.0.1:9/cb",
    )
    order = picked(net)
    before = OutboxMessage.objects.filter(order=order).count()
    order_waybill_correct(
        order_id=order.pk, actor=net.clerk_a, waybill="300000000802", reason="面单上是 802", at=T0 + timedelta(hours=3)
    )
    order.refresh_from_db()
    assert order.waybill_no == "300000000802" and order.state == "PICKED_UP"
    event = order.events.latest("id")
    assert event.kind == EventKind.WAYBILL_CORRECTED and event.data == {"old": "300000000801", "new": "300000000802"}
    assert event.actor == net.clerk_a and event.text == "面单上是 802"
    callback = OutboxMessage.objects.filter(order=order).order_by("-id").first()
    assert OutboxMessage.objects.filter(order=order).count() == before + 1
    assert callback.kind == EventKind.WAYBILL_CORRECTED and callback.payload["waybill_no"] == "300000000802"


def test_refusals(net):
    order = picked(net, "300000000811")
    with pytest.raises(DomainError, match="12–15"):
        order_waybill_correct(order_id=order.pk, actor=net.clerk_a, waybill="12", reason="x")
    with pytest.raises(DomainError):  # same number
        order_waybill_correct(order_id=order.pk, actor=net.clerk_a, waybill="300000000811", reason="x")
    with pytest.raises(DomainError):  # no reason
        order_waybill_correct(order_id=order.pk, actor=net.clerk_a, waybill="300000000812", reason="")
    with pytest.raises(DomainError):  # another site's clerk
        order_waybill_correct(order_id=order.pk, actor=net.clerk_b, waybill="300000000812", reason="x")
    other = picked(net, "300000000813")
    with pytest.raises(DomainError, match="300000000813"):  # taken by another order
        order_waybill_correct(order_id=order.pk, actor=net.clerk_a, waybill="300000000813", reason="x")
    # a pickup scan matched the old number: the parcel carries it
    ops.pickup_scan_record(waybill="300000000813", scanned_at=T0 + timedelta(hours=4), site_code=net.site_a.code)
    with pytest.raises(DomainError, match="扫描"):
        order_waybill_correct(order_id=other.pk, actor=net.clerk_a, waybill="300000000814", reason="x")
    assert OnlineOrder.objects.get(pk=other.pk).waybill_no == "300000000813"


def test_not_after_the_weeks_notice_nor_after_an_audit(net):
    order = picked(net, "300000000821")
    audited = picked(net, "300000000822")
    penalty_services.violation_raise(
        event=audited.events.get(kind=EventKind.PICKED_UP),
        rule=Rule.FALSE_WAYBILL,
        evidence="回访：面单不符",
        actor=net.hq,
    )
    with pytest.raises(DomainError, match="稽核"):
        order_waybill_correct(order_id=audited.pk, actor=net.clerk_a, waybill="300000000823", reason="x")
    weekly_notices(week=T0.date() - timedelta(days=T0.weekday()), at=datetime(2026, 11, 23, 9, 0, tzinfo=SH))
    with pytest.raises(DomainError, match="周通报|通报"):
        order_waybill_correct(order_id=order.pk, actor=net.clerk_a, waybill="300000000824", reason="x")


def test_channel_issued_numbers_stay(net):
    order = picked(net, "800000000001", channel="wechat")
    with pytest.raises(DomainError, match="渠道"):
        order_waybill_correct(order_id=order.pk, actor=net.clerk_a, waybill="300000000831", reason="x")


def test_page_and_audit_listing(net, login):
    order = picked(net, "300000000841")
    client = login(net.clerk_a)
    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="waybill-correct"' in page
    bad = client.post(
        reverse("dispatch:order_waybill_correct", args=[order.pk]), {"waybill": "1", "text": "面单"}, follow=True
    ).content.decode()
    assert "alert-danger" in bad and 'value="面单"' in bad  # kept
    client.post(
        reverse("dispatch:order_waybill_correct", args=[order.pk]), {"waybill": "300000000842", "text": "面单上是 842"}
    )
    detail = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    assert "300000000841 → 300000000842" in detail
    audit = (
        login(net.hq)
        .get(
            reverse("penalties:audit"),
            {"kind": "waybill_corrected", "date_from": "2026-11-16", "date_to": "2026-11-22"},
        )
        .content.decode()
    )
    assert order.channel_order_id in audit
