"""网点揽件 as a scanner desk: what a scan means, the htmx answers (the row swapped in place, the reason by the row)
and batch confirm naming each failing order (the list's order and filters: test_desk_lists.py)."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from dispatch import pickup_desk
from dispatch import services as ops
from orders.models import EventKind, OnlineOrder, OrderState

from ..factories import make_order

S = OrderState


def accepted(net, *, hours_ago=0.0, **overrides):
    t = timezone.now() - timedelta(hours=hours_ago)
    order = make_order(at=t, order_time=t, **overrides)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=t + timedelta(minutes=1))
    return OnlineOrder.objects.get(pk=order.pk)


def test_scan_of_a_carried_waybill_confirms_that_order(net):
    order = accepted(net, waybill_no="300000000101")
    outcome = pickup_desk.pickup_scan(user=net.clerk_a, code=" 300000000101 ")
    assert outcome.status == "confirmed" and outcome.order.pk == order.pk
    order.refresh_from_db()
    assert order.state == S.PICKED_UP and order.waybill_no == "300000000101"
    assert order.events.latest("id").kind == EventKind.PICKED_UP


def test_scan_of_the_logistics_number_arms_then_the_waybill_confirms(net):
    order = accepted(net)
    first = pickup_desk.pickup_scan(user=net.clerk_a, code=order.channel_order_id)
    assert first.status == "armed" and first.armed_id == order.pk and first.armed_at is not None
    assert OnlineOrder.objects.get(pk=order.pk).state == S.ACCEPTED
    wrong = pickup_desk.pickup_scan(user=net.clerk_a, code="12345", armed_id=order.pk, armed_at=first.armed_at)
    assert wrong.status == "refused" and wrong.order.pk == order.pk and wrong.armed_id is None  # disarmed
    assert "12–15 位数字" in wrong.message
    # after a refusal the next number is nobody's waybill: scanned alone it finds nothing
    stray = pickup_desk.pickup_scan(user=net.clerk_a, code="300000000102", armed_id=None)
    assert stray.status == "not_found" and OnlineOrder.objects.get(pk=order.pk).state == S.ACCEPTED
    again = pickup_desk.pickup_scan(user=net.clerk_a, code=order.channel_order_id)
    done = pickup_desk.pickup_scan(user=net.clerk_a, code="300000000102", armed_id=order.pk, armed_at=again.armed_at)
    assert done.status == "confirmed"
    assert OnlineOrder.objects.get(pk=order.pk).waybill_no == "300000000102"


def test_two_refusals_then_an_unrelated_number_is_refused(net):
    """Armed, two refused scans, then an unrelated parcel's number: refused, never applied to the armed order."""
    order = accepted(net)
    unrelated = accepted(net, channel_order_id="300000000777")  # a parcel whose 物流号 looks like a waybill
    armed = pickup_desk.pickup_scan(user=net.clerk_a, code=order.channel_order_id)
    one = pickup_desk.pickup_scan(user=net.clerk_a, code="123", armed_id=armed.armed_id, armed_at=armed.armed_at)
    two = pickup_desk.pickup_scan(user=net.clerk_a, code="456", armed_id=one.armed_id, armed_at=armed.armed_at)
    assert one.status == "refused" and one.armed_id is None and two.status == "not_found"  # disarmed by the first
    # even with the old order still sent as armed (a stale page), another order's 物流号 is never its waybill
    picked = ops.order_pickup_confirm(order_id=unrelated.pk, actor=net.clerk_a, waybill="300000000778")
    third = pickup_desk.pickup_scan(user=net.clerk_a, code=picked.channel_order_id, armed_id=order.pk,
                                    armed_at=armed.armed_at)  # fmt: skip
    assert third.status == "refused" and "300000000777" in third.message and third.armed_id is None
    assert (
        OnlineOrder.objects.get(pk=order.pk).state == S.ACCEPTED and not OnlineOrder.objects.get(pk=order.pk).waybill_no
    )


def test_an_armed_order_disarms_after_30_seconds_and_when_another_is_scanned(net):
    order, other = accepted(net), accepted(net)
    armed = pickup_desk.pickup_scan(user=net.clerk_a, code=order.channel_order_id)
    late = armed.armed_at + timedelta(seconds=pickup_desk.ARM_SECONDS)
    stale = pickup_desk.pickup_scan(
        user=net.clerk_a, code="300000000110", armed_id=order.pk, armed_at=armed.armed_at, at=late
    )
    assert stale.status == "not_found" and OnlineOrder.objects.get(pk=order.pk).state == S.ACCEPTED
    assert pickup_desk.pickup_scan(user=net.clerk_a, code="300000000110", armed_id=order.pk).status == "not_found"
    armed = pickup_desk.pickup_scan(user=net.clerk_a, code=order.channel_order_id)
    moved = pickup_desk.pickup_scan(
        user=net.clerk_a, code=other.channel_order_id, armed_id=order.pk, armed_at=armed.armed_at
    )
    assert moved.status == "armed" and moved.armed_id == other.pk


def test_scan_with_a_carried_logistics_number_confirms_at_once(net):
    order = accepted(net, waybill_no="300000000103")
    assert pickup_desk.pickup_scan(user=net.clerk_a, code=order.channel_order_id).status == "confirmed"


def test_scan_finds_nothing_outside_the_site_or_without_an_armed_order(net):
    other = make_order(sender_city="宁波市", sender_district="海曙区", waybill_no="300000000104")
    assert other.site == net.site_b
    ops.order_accept(order_id=other.pk, actor=net.clerk_b)
    for code in ("300000000104", other.channel_order_id, "300000000999", ""):
        outcome = pickup_desk.pickup_scan(user=net.clerk_a, code=code)
        assert outcome.status == "not_found" and outcome.order is None
    assert OnlineOrder.objects.get(pk=other.pk).state == S.ACCEPTED


def test_pickup_page_filters_and_bad_filter_values(net, login):
    accepted(net)
    client = login(net.clerk_a)
    page = client.get(reverse("dispatch:pickup"), {"courier": "x'; --", "due": "whatever"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="scan-input"' in html and "autofocus" in html
    assert ">全部</option>" in html


def test_scan_view_swaps_the_row_and_reports_by_it(net, login):
    order = accepted(net)
    client = login(net.clerk_a)
    url = reverse("dispatch:pickup_scan")
    armed = client.post(url, {"code": order.channel_order_id, "armed": ""}, HTTP_HX_REQUEST="true")
    html = armed.content.decode()
    assert f'value="{order.pk}" hx-swap-oob="true"' in html  # the armed order travels with the next scan
    assert f'id="pickup-row-{order.pk}"' in html and 'data-row-state="armed"' in html
    assert 'data-testid="armed-order"' in html and order.channel_order_id in html and order.sender_name in html
    armed_at = re.search(r'name="armed_at" value="([^"]+)"', html).group(1)
    refused = client.post(
        url, {"code": "999", "armed": str(order.pk), "armed_at": armed_at}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-scan-result="refused"' in refused and f'data-testid="row-error-{order.channel_order_id}"' in refused
    assert "12–15 位数字" in refused and 'name="armed" value="" hx-swap-oob="true"' in refused  # disarmed
    html = client.post(url, {"code": order.channel_order_id}, HTTP_HX_REQUEST="true").content.decode()
    armed_at = re.search(r'name="armed_at" value="([^"]+)"', html).group(1)
    done = client.post(
        url, {"code": "300000000105", "armed": str(order.pk), "armed_at": armed_at}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-row-state="confirmed"' in done and "300000000105" in done
    assert OnlineOrder.objects.get(pk=order.pk).state == S.PICKED_UP


def test_row_confirm_by_htmx_answers_with_the_row_and_keeps_the_typed_number(net, login):
    order = accepted(net)
    client = login(net.clerk_a)
    url = reverse("dispatch:order_pickup_confirm", args=[order.pk])
    bad = client.post(url, {f"waybill_{order.pk}": "31234"}, HTTP_HX_REQUEST="true").content.decode()
    assert bad.startswith("<tr") or "<tr" in bad[:200]
    assert 'data-row-state="refused"' in bad and 'value="31234"' in bad and "12–15 位数字" in bad
    ok = client.post(url, {f"waybill_{order.pk}": "300000000106"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-row-state="confirmed"' in ok


def test_batch_confirm_names_each_failing_order(net, login):
    good, missing, bad = accepted(net), accepted(net), accepted(net)
    client = login(net.clerk_a)
    response = client.post(
        reverse("dispatch:orders_pickup_batch"),
        {"ids": [good.pk, missing.pk, bad.pk], f"waybill_{good.pk}": "300000000107", f"waybill_{bad.pk}": "12"},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("1" in t and "揽件" in t for t in texts)
    assert any(t.startswith(f"订单 {missing.channel_order_id}：") and "运单号" in t for t in texts)
    assert any(t.startswith(f"订单 {bad.channel_order_id}：") and "12–15 位数字" in t for t in texts)
    assert OnlineOrder.objects.get(pk=good.pk).state == S.PICKED_UP
