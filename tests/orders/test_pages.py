"""The order pages as people use them: the workbench, pickup, cancellations, the query with its filters and
export, the detail page with its timeline, HQ's dispatch and hand entry."""

from datetime import timedelta
from io import BytesIO

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dispatch import services as ops
from dispatch.models import SiteActivity
from orders.models import EventKind, OnlineOrder, OrderState
from orders.services import order_cancel

from ..factories import make_order

S = OrderState


def test_banner_and_workbench(net, login):
    client = login(net.clerk_a)
    page = client.get(reverse("home")).content.decode()
    assert "data-pending-part hidden" in page  # the live banner is on every desk page, hidden while nothing waits
    order = make_order(remark="请下午来")
    page = client.get(reverse("home")).content.decode()
    assert "您还有未接订单,请尽快操作!" in page and "data-pending-part hidden" not in page
    response = client.get(reverse("dispatch:workbench"))
    body = response.content.decode()
    assert order.channel_order_id in body and "请下午来" in body and "138****5678" in body
    assert SiteActivity.objects.get(site=net.site_a).last_refresh_at is not None
    # the other site's clerk sees neither the order nor the banner
    other = login(net.clerk_b).get(reverse("dispatch:workbench")).content.decode()
    assert order.channel_order_id not in other and "您还有未接订单" not in other


def test_polling_rows_record_the_refresh(net, login):
    client = login(net.clerk_a)
    make_order()
    before = timezone.now()
    rows = client.get(reverse("dispatch:workbench_rows"), HTTP_HX_REQUEST="true")
    assert rows.status_code == 200 and b"<html" not in rows.content and b'data-pending="1"' in rows.content
    assert SiteActivity.objects.get(site=net.site_a).last_refresh_at >= before


def test_accept_batch_transfer_and_fail_from_the_workbench(net, login):
    client = login(net.clerk_a)
    a, b, c, d = (make_order() for _ in range(4))
    r = client.post(reverse("dispatch:order_accept", args=[a.pk]), {f"expect_{a.pk}": "PENDING"}, follow=True)
    assert f"订单 {a.channel_order_id} 接单成功" in r.content.decode()
    assert OnlineOrder.objects.get(pk=a.pk).state == S.ACCEPTED
    r = client.post(reverse("dispatch:orders_accept_batch"), {"ids": [b.pk, c.pk, a.pk]}, follow=True)
    assert OnlineOrder.objects.get(pk=b.pk).state == S.ACCEPTED and OnlineOrder.objects.get(pk=c.pk).state == S.ACCEPTED
    assert a.channel_order_id in r.content.decode()  # the one it could not accept is named
    r = client.post(
        reverse("dispatch:order_transfer", args=[d.pk]),
        {"to_site": f"{net.site_b.code} {net.site_b.name}", "expect": "PENDING"},
        follow=True,
    )
    assert OnlineOrder.objects.get(pk=d.pk).site == net.site_b
    e = make_order()
    r = client.post(reverse("dispatch:order_transfer", args=[e.pk]), {"to_site": "no such site"}, follow=True)
    assert "转" in r.content.decode() and OnlineOrder.objects.get(pk=e.pk).site == net.site_a
    r = client.post(reverse("dispatch:order_accept_fail", args=[e.pk]), {"reason": "phone", "text": ""}, follow=True)
    assert OnlineOrder.objects.get(pk=e.pk).state == S.PENDING and "alert-danger" in r.content.decode()
    client.post(reverse("dispatch:order_accept_fail", args=[e.pk]), {"reason": "phone", "text": "空号"})
    assert OnlineOrder.objects.get(pk=e.pk).state == S.ACCEPT_FAILED


def test_an_order_of_another_site_is_404(net, login):
    order = make_order(sender_city="宁波市", sender_district="海曙区")
    client = login(net.clerk_a)
    assert client.post(reverse("dispatch:order_accept", args=[order.pk])).status_code == 404
    assert client.get(reverse("orders:order_detail", args=[order.pk])).status_code == 404
    assert OnlineOrder.objects.get(pk=order.pk).state == S.PENDING


def test_pickup_page_courier_and_confirm(net, login):
    client = login(net.clerk_a)
    order = make_order()
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    courier = net.site_a.couriers.first()
    page = client.get(reverse("dispatch:pickup")).content.decode()
    assert order.channel_order_id in page and courier.name in page
    client.post(reverse("dispatch:order_courier", args=[order.pk]), {f"courier_{order.pk}": courier.pk})
    assert OnlineOrder.objects.get(pk=order.pk).courier == courier
    r = client.post(
        reverse("dispatch:order_pickup_confirm", args=[order.pk]), {f"waybill_{order.pk}": "12ab"}, follow=True
    )
    assert "12ab" in r.content.decode() and "12–15 位数字" in r.content.decode()
    client.post(reverse("dispatch:order_pickup_confirm", args=[order.pk]), {f"waybill_{order.pk}": "300000000123"})
    assert OnlineOrder.objects.get(pk=order.pk).state == S.PICKED_UP


def test_batch_pickup_and_awaiting_waybill(net, login):
    client = login(net.clerk_a)
    a, b = make_order(), make_order(business_type="online")
    ops.orders_accept_batch(order_ids=[a.pk, b.pk], actor=net.clerk_a)
    page = client.get(reverse("dispatch:pickup")).content.decode()
    assert "等待运单号" in page
    client.post(reverse("dispatch:order_waybill_remind", args=[b.pk]))
    assert OnlineOrder.objects.get(pk=b.pk).waybill_reminded_at
    client.post(
        reverse("dispatch:orders_pickup_batch"),
        {"ids": [a.pk, b.pk], f"waybill_{a.pk}": "300000000201", f"waybill_{b.pk}": "300000000202"},
    )
    assert set(OnlineOrder.objects.filter(pk__in=[a.pk, b.pk]).values_list("state", flat=True)) == {S.PICKED_UP}


def test_reappoint_from_the_pickup_page(net, login):
    client = login(net.clerk_a)
    order = make_order()
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    start = timezone.localtime() + timedelta(days=1)
    client.post(
        reverse("dispatch:order_reappoint", args=[order.pk]),
        {
            "window_start": start.strftime("%Y-%m-%dT%H:%M"),
            "window_end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "text": "电话约定",
        },
    )
    order.refresh_from_db()
    assert order.events.latest("id").kind == EventKind.REAPPOINTED
    assert timezone.localtime(order.pickup_due_at).strftime("%H:%M") == (start + timedelta(hours=2)).strftime("%H:%M")


def test_cancellations_filter_and_handle(net, login):
    client = login(net.clerk_a)
    a, b = make_order(), make_order()
    order_cancel(order_id=a.pk, actor_label="淘宝")
    order_cancel(order_id=b.pk, actor_label="淘宝")
    page = client.get(reverse("dispatch:cancellations")).content.decode()
    assert a.channel_order_id in page and b.channel_order_id in page
    client.post(reverse("dispatch:cancellations_handle"), {"ids": [a.pk]})
    open_page = client.get(reverse("dispatch:cancellations") + "?handled=open").content.decode()
    done_page = client.get(reverse("dispatch:cancellations") + "?handled=done").content.decode()
    assert a.channel_order_id not in open_page and b.channel_order_id in open_page
    assert a.channel_order_id in done_page and b.channel_order_id not in done_page
    # the same filter on the order query
    q = client.get(reverse("orders:order_list"), {"cancel": "open"}).content.decode()
    assert b.channel_order_id in q and a.channel_order_id not in q


def test_order_query_filters_lookup_and_export(net, login):
    now = timezone.now()
    old = make_order(order_time=now - timedelta(days=20), channel="kuaidi100")
    recent = make_order(order_time=now - timedelta(hours=1), is_online=False)
    ops.order_accept(order_id=recent.pk, actor=net.clerk_a)
    client = login(net.clerk_a)
    page = client.get(reverse("orders:order_list")).content.decode()
    assert recent.channel_order_id in page and old.channel_order_id not in page  # last 7 days by default
    page = client.get(reverse("orders:order_list"), {"q": old.channel_order_id}).content.decode()
    assert old.channel_order_id in page  # a lookup ignores the dates
    assert (
        recent.channel_order_id
        in client.get(reverse("orders:order_list"), {"is_online": "0", "state": "ACCEPTED"}).content.decode()
    )
    assert recent.channel_order_id not in client.get(reverse("orders:order_list"), {"is_online": "1"}).content.decode()
    response = client.get(reverse("orders:order_export"), {"state": "ACCEPTED"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][rows[0].index("物流号")] == recent.channel_order_id
    # bad input answers with the page, not a 500
    assert client.get(reverse("orders:order_list"), {"date_from": "yesterday", "state": "NOPE"}).status_code == 200


def test_detail_page_has_the_whole_timeline(net, login):
    order = make_order()
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000301")
    page = login(net.lcs_zj).get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    for text in ("订单已接收", "接单成功", "揽件确认", "300000000301", "13812345678"):
        assert text in page, text


def test_unscanned_query(net, login):
    a, b = make_order(), make_order()
    ops.orders_accept_batch(order_ids=[a.pk, b.pk], actor=net.clerk_a)
    ops.order_pickup_confirm(order_id=b.pk, actor=net.clerk_a, waybill="300000000401")
    ops.pickup_scan_record(waybill="300000000401", scanned_at=timezone.now())
    page = login(net.clerk_a).get(reverse("dispatch:unscanned")).content.decode()
    assert a.channel_order_id in page and b.channel_order_id not in page
    assert login(net.clerk_b).get(reverse("dispatch:unscanned")).content.decode().count(a.channel_order_id) == 0


def test_hq_dispatch_page_and_hand_entry(net, login):
    client = login(net.hq)
    r = client.post(
        reverse("orders:order_new"),
        {
            "channel": "",
            "sender_name": "王五",
            "sender_phone": "13700000001",
            "sender_address": "火星基地",
            "business_type": "send",
            "is_online": "on",
        },
    )
    assert r.status_code == 200  # channel missing: the form comes back with what was typed
    assert "王五" in r.content.decode()
    from orders.models import Channel

    r = client.post(
        reverse("orders:order_new"),
        {
            "channel": Channel.objects.get(slug="hq").pk,
            "sender_name": "王五",
            "sender_phone": "13700000001",
            "sender_address": "火星基地",
            "business_type": "send",
            "is_online": "on",
        },
        follow=True,
    )
    order = OnlineOrder.objects.get(sender_name="王五")
    assert order.site == net.data_center and order.events.get().kind == EventKind.ENTERED
    page = client.get(reverse("dispatch:hq_dispatch")).content.decode()
    assert order.channel_order_id in page and order.route_reason in page
    client.post(reverse("dispatch:hq_dispatch_submit"), {"ids": [order.pk], "to_site": net.site_a.code})
    order.refresh_from_db()
    assert order.site == net.site_a and order.dispatched_at
    assert client.get(reverse("dispatch:site_search"), {"q": "宁波"}).json()["results"][0]["code"] == net.site_b.code


def test_hq_reopen_and_cancel_from_the_detail_page(net, login):
    order = make_order()
    ops.order_accept_fail(order_id=order.pk, actor=net.clerk_a, reason="duplicate", text="重复")
    client = login(net.hq)
    client.post(reverse("dispatch:order_reopen", args=[order.pk]), {"to_site": "", "text": "并非重复"})
    order.refresh_from_db()
    assert order.state == S.PENDING and order.site == net.site_a
    client.post(reverse("dispatch:order_cancel", args=[order.pk]), {"text": "淘宝客服来电撤单"})
    assert OnlineOrder.objects.get(pk=order.pk).state == S.CANCELLED


def test_clerk_corrects_details(net, login):
    order = make_order()
    client = login(net.clerk_a)
    data = {
        "sender_name": "张三",
        "sender_phone": "13800000000",
        "sender_province": "浙江省",
        "sender_city": "杭州市",
        "sender_district": "西湖区",
        "sender_address": "文三路90号",
        "note": "电话核实",
    }
    client.post(reverse("orders:order_correct", args=[order.pk]), data)
    order.refresh_from_db()
    assert order.sender_phone == "13800000000" and order.events.latest("id").kind == EventKind.CORRECTED


def test_silent_sites(net, login, settings):
    import time_machine

    from dispatch.services import site_refresh_note

    with time_machine.travel(
        timezone.datetime(2026, 11, 23, 10, 0, tzinfo=timezone.get_current_timezone()), tick=False
    ):
        site_refresh_note(site_id=net.site_a.pk, at=timezone.now() - timedelta(minutes=5))
        site_refresh_note(site_id=net.site_b.pk, at=timezone.now() - timedelta(minutes=25))
        page = login(net.lcs_zj).get(reverse("dispatch:silent_sites")).content.decode()
        assert net.site_b.name in page and net.site_a.name not in page and net.site_x.name not in page
        assert ">25分<" in page  # silent for, in plain Chinese
        hq = login(net.hq).get(reverse("dispatch:silent_sites")).content.decode()
        assert net.site_x.name in hq  # Xinjiang opens at 10:00: in hours and never refreshed
    with time_machine.travel(
        timezone.datetime(2026, 11, 23, 9, 59, tzinfo=timezone.get_current_timezone()), tick=False
    ):
        hq = login(net.hq).get(reverse("dispatch:silent_sites")).content.decode()
        assert net.site_x.name not in hq and net.site_b.name in hq  # before Xinjiang's hours
