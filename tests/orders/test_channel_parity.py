"""Channel parity: Kuaidi100 hears every code (0 下单成功, 1, 9, 10, 99, 610 下单失败) at the order's own
``callBackUrl`` (a local HTTP server), a callback address pointing at a private network is refused at intake and
at delivery; order ids follow the channel's prefix rule (触宝 ``CT_H_``); e-mail copies carry absolute links."""

import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from core.models import Message
from core.services import message_send
from dispatch import services as ops
from orders.callback_urls import callback_url_check
from orders.exceptions import CallbackUrlRefused
from orders.models import CallbackAttempt, OnlineOrder, OrderCallbackUrl, OutboxMessage
from orders.outbox import outbox_deliver
from orders.services import api_client_create, channels_ensure, order_cancel

from .test_api import Api, order_json

pytestmark = pytest.mark.django_db(transaction=True)


class PathReceiver:
    """A local HTTP server recording the status codes it receives, per path."""

    def __init__(self):
        self.got = defaultdict(list)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                outer.got[self.path].append(body["status"])
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def kd100_order(order_id, **kw):
    return {
        "orderId": order_id,
        "sendManName": "王五",
        "sendManMobile": "13700000001",
        "sendManPrintAddr": "浙江省杭州市西湖区文三路90号",
        "cargo": "文件",
        **kw,
    }


@pytest.fixture
def kd(net, live_server):
    channels = channels_ensure()
    receiver = PathReceiver()
    client, secret = api_client_create(
        name="快递100",
        kind="channel",
        channel=channels["kuaidi100"],
        adapter="kuaidi100",
        callback_url=f"{receiver.base}/client",
    )
    yield Api(live_server.url, client, secret), receiver
    receiver.close()


def test_every_code_reaches_the_orders_own_address(net, kd, settings):
    settings.CALLBACK_BACKOFF_SECONDS = 0
    api, receiver = kd
    for n in (1, 2, 3):
        r = api.call("POST", "/api/kuaidi100/orders", kd100_order(f"KD{n}", callBackUrl=f"{receiver.base}/own/KD{n}"))
        assert r.status_code == 200 and r.json()["data"]["status"] == 0, r.text
    assert api.call("POST", "/api/kuaidi100/orders", kd100_order("KD4")).status_code == 200  # no address of its own
    orders = {o.channel_order_id: o for o in OnlineOrder.objects.all()}
    courier = net.site_a.couriers.first()
    ops.order_accept(order_id=orders["KD1"].pk, actor=net.clerk_a)
    ops.order_courier_assign(order_id=orders["KD1"].pk, actor=net.clerk_a, courier=courier)
    ops.order_pickup_confirm(order_id=orders["KD1"].pk, actor=net.clerk_a, waybill="300000000911")
    assert api.call("POST", "/api/kuaidi100/cancel", {"orderId": "KD2", "cancelMsg": "不寄了"}).status_code == 200
    ops.order_accept_fail(order_id=orders["KD3"].pk, actor=net.clerk_a, reason="duplicate", text="重复下单")
    order_cancel(order_id=orders["KD4"].pk, actor=net.hq, text="地址无网点服务，总部取消")
    for _ in range(3):
        outbox_deliver()
    assert dict(receiver.got) == {
        "/own/KD1": ["0", "1", "1", "10"],  # placed, accepted, courier assigned, picked up
        "/own/KD2": ["0", "9"],  # the user cancelled
        "/own/KD3": ["0", "99"],  # our accept failed
        "/client": ["0", "610"],  # HQ cancelled an order the network cannot serve: 下单失败
    }
    # a repeat of an order sends no second 下单成功
    assert api.call("POST", "/api/kuaidi100/orders", kd100_order("KD4")).status_code == 200
    assert OutboxMessage.objects.filter(order=orders["KD4"], kind="created").count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/cb",
        "http://127.0.0.1:9/cb",
        "http://169.254.169.254/latest",
        "http://localhost/cb",
        "http://[::1]/cb",
        "http://0.0.0.0/cb",
        "http://192.168.1.9/",
        "ftp://example.com/x",
        "javascript:alert(1)",
        "http://[::ffff:10.0.0.1]/cb",
    ],
)
def test_a_private_or_odd_callback_address_is_refused(net, kd, url, settings):
    settings.CALLBACK_ALLOWED_HOSTS = []
    api, _receiver = kd
    r = api.call("POST", "/api/kuaidi100/orders", kd100_order("KD9", callBackUrl=url))
    assert r.status_code == 422 and r.json()["error"]["field"] == "callBackUrl", r.text
    assert not OnlineOrder.objects.exists()


def test_a_public_address_passes_the_check(settings):
    settings.CALLBACK_ALLOWED_HOSTS = []
    assert callback_url_check("https://93.184.216.34/cb") == "https://93.184.216.34/cb"
    with pytest.raises(CallbackUrlRefused):
        callback_url_check("http://100.64.0.1/cb")  # carrier-grade NAT is not public either


def test_an_address_that_turns_private_is_refused_at_delivery(net, kd, settings):
    api, receiver = kd
    r = api.call("POST", "/api/kuaidi100/orders", kd100_order("KD5", callBackUrl=f"{receiver.base}/own/KD5"))
    assert r.status_code == 200
    outbox_deliver()
    assert receiver.got["/own/KD5"] == ["0"]
    settings.CALLBACK_ALLOWED_HOSTS = []  # as if its name now resolved to an internal address
    ops.order_accept(order_id=OnlineOrder.objects.get().pk, actor=net.clerk_a)
    outbox_deliver()
    message = OutboxMessage.objects.get(order__channel_order_id="KD5", kind="accepted")
    assert message.status == "failed" and "私有" in message.last_error  # not retried: it would never pass
    assert CallbackAttempt.objects.get(message=message).ok is False
    assert receiver.got["/own/KD5"] == ["0"] and OrderCallbackUrl.objects.get().url.endswith("/own/KD5")


def test_order_ids_follow_the_channels_prefix_rule(net, live_server):
    channels = channels_ensure()
    client, secret = api_client_create(name="触宝", kind="channel", channel=channels["chubao"], adapter="generic")
    chubao = Api(live_server.url, client, secret)
    r = chubao.call("POST", "/api/orders", order_json(1, channel_order_id="TB123"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "channel_order_id"
    assert "CT_H_" in r.json()["error"]["message"]["zh"]
    r = chubao.call(
        "POST",
        "/api/orders/bulk",
        {"orders": [order_json(1, channel_order_id="CT_H_1"), order_json(2, channel_order_id="XX2")]},
    )
    assert [i["status"] for i in r.json()["results"]] == ["created", "invalid"], r.text
    assert chubao.call("POST", "/api/orders", order_json(3, channel_order_id="CT_H_3")).status_code == 201


def test_email_copies_carry_absolute_links(net, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://desk.q9.example/"
    with django_capture_on_commit_callbacks(execute=True):
        message_send(
            audience=Message.Audience.SITE,
            site=net.site_a,
            title="通知",
            body="请查看",
            link="/violations/",
            email=True,
        )
    assert mail.outbox and "https://desk.q9.example/violations/" in mail.outbox[0].body


def test_remind_the_customer_says_where_it_goes_or_that_it_cannot(net, live_server, client):
    from django.contrib.messages import get_messages
    from django.urls import reverse

    from ..factories import make_order

    channels = channels_ensure()
    receiver = PathReceiver()
    api_client_create(
        name="淘宝开放平台",
        kind="channel",
        channel=channels["taobao"],
        adapter="generic",
        callback_url=f"{receiver.base}/taobao",
    )
    api_client_create(
        name="快递100",
        kind="channel",
        channel=channels["kuaidi100"],
        adapter="kuaidi100",
        callback_url=f"{receiver.base}/kd",
    )
    said = {}
    for channel in ("taobao", "kuaidi100"):
        order = make_order(channel=channel, business_type="online", channel_order_id=f"R-{channel}")
        ops.order_accept(order_id=order.pk, actor=net.clerk_a)
        client.force_login(net.clerk_a, backend="core.auth.UserBackend")
        response = client.post(reverse("dispatch:order_waybill_remind", args=[order.pk]))
        said[channel] = [str(m) for m in get_messages(response.wsgi_request)][-1]
    assert "淘宝开放平台" in said["taobao"]
    assert "无法转达" in said["kuaidi100"] and "13812345678" in said["kuaidi100"]
    receiver.close()
