"""The channel API over real HTTP against a live server: signatures, idempotency and conflicts, scope between
channels, bulk partial failures, changes and cancellations, the adapters in their own formats, status
callbacks in their own codes with retries against a local HTTP server, and the tracking feed."""

import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests
from ninja.responses import NinjaJSONEncoder

from core.signing import headers, sign
from dispatch import services as ops
from orders.api import BulkOut
from orders.models import ApiClient, CallbackAttempt, OnlineOrder, OutboxMessage
from orders.outbox import outbox_deliver
from orders.services import api_client_create, channels_ensure

pytestmark = pytest.mark.django_db(transaction=True)


class Api:
    """A channel's system: it signs each request with a fresh timestamp (a resent request is signed anew, as
    the docs ask; an identical signature within 10 minutes is a replay)."""

    def __init__(self, base, client, secret):
        self.base, self.key, self.secret, self.last = base, client.key, secret, 0

    def call(self, method, path, body=None, *, now=None, tamper=False, raw=None):
        data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else b"")
        if now is None:
            now = self.last = max(int(time.time()), self.last + 1)
        h = headers(key=self.key, secret=self.secret, method=method, path=path, body=data, now=now)
        if tamper:
            h["X-Signature"] = "0" * 64
        return requests.request(method, self.base + path, data=data, headers=h, timeout=30)


def order_json(n, **kw):
    body = {
        "channel_order_id": f"TB{n:08d}",
        "sender": {
            "name": "张三",
            "phone": "13812345678",
            "province": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "address": "文三路90号",
        },
        "receiver": {"name": "李四", "phone": "13900000000", "address": "上海市浦东新区世纪大道1号"},
        "goods": "衣服",
        "weight_kg": "1.5",
    }
    body.update(kw)
    return body


@pytest.fixture
def channels(net):
    return channels_ensure()


@pytest.fixture
def taobao(live_server, channels):
    client, secret = api_client_create(name="淘宝", kind="channel", channel=channels["taobao"], adapter="generic")
    return Api(live_server.url, client, secret)


def test_push_repeat_conflict_and_status(net, taobao):
    r = taobao.call("POST", "/api/orders", order_json(1))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created"] and body["state"] == "PENDING" and body["site"]["code"] == net.site_a.code
    again = taobao.call("POST", "/api/orders", order_json(1))
    assert again.status_code == 200 and not again.json()["created"]
    assert OnlineOrder.objects.filter(channel_order_id="TB00000001").count() == 1
    conflict = taobao.call("POST", "/api/orders", order_json(1, goods="手机"))
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "conflict"
    assert conflict.json()["error"]["field"] == "goods" and conflict.json()["error"]["message"]["zh"]
    status = taobao.call("GET", "/api/orders/TB00000001")
    assert status.status_code == 200 and status.json()["events"][0]["kind"] == "created"


def test_signatures_bad_expired_replayed_missing(net, taobao):
    assert (
        taobao.call("POST", "/api/orders", order_json(2), tamper=True).json()["error"]["code"] == "auth_bad_signature"
    )
    old = taobao.call("POST", "/api/orders", order_json(2), now=time.time() - 301)
    assert old.status_code == 401 and old.json()["error"]["code"] == "auth_expired"
    data = json.dumps(order_json(3)).encode()
    h = headers(key=taobao.key, secret=taobao.secret, method="POST", path="/api/orders", body=data)
    first = requests.post(taobao.base + "/api/orders", data=data, headers=h, timeout=30)
    replay = requests.post(taobao.base + "/api/orders", data=data, headers=h, timeout=30)
    assert first.status_code == 201 and replay.status_code == 401 and replay.json()["error"]["code"] == "auth_replayed"
    bare = requests.post(taobao.base + "/api/orders", json=order_json(4), timeout=30)
    assert bare.status_code == 401 and bare.json()["error"]["message"]["en"]
    # the body is part of the signature
    h = headers(key=taobao.key, secret=taobao.secret, method="POST", path="/api/orders", body=b"{}")
    assert requests.post(taobao.base + "/api/orders", data=data, headers=h, timeout=30).status_code == 401


def test_scope_between_channels(net, taobao, live_server, channels):
    client, secret = api_client_create(name="快递100", kind="channel", channel=channels["kuaidi100"], adapter="generic")
    other = Api(live_server.url, client, secret)
    taobao.call("POST", "/api/orders", order_json(5))
    assert other.call("GET", "/api/orders/TB00000005").status_code == 404
    assert other.call("POST", "/api/orders/TB00000005/cancel", {"reason": "x"}).status_code == 404
    # the same channel order id in another channel is another order
    assert other.call("POST", "/api/orders", order_json(5)).status_code == 201
    assert OnlineOrder.objects.filter(channel_order_id="TB00000005").count() == 2


def test_bulk_partial_failures_and_malformed_input(net, taobao):
    taobao.call("POST", "/api/orders", order_json(10))
    items = [
        order_json(11),
        order_json(12, sender={"name": "", "phone": "1", "address": ""}),
        order_json(10),
        order_json(10, goods="别的"),
        order_json(13, waybill_no="12ab"),
        order_json(11),
    ]
    r = taobao.call("POST", "/api/orders/bulk", {"orders": items})
    assert r.status_code == 200, r.text
    body = r.json()
    statuses = [x["status"] for x in body["results"]]
    assert statuses == ["created", "invalid", "existing", "conflict", "invalid", "existing"]
    assert body["results"][1]["error"]["field"] == "sender_name"
    assert body["results"][4]["error"]["code"] == "waybill_invalid"
    assert (body["created"], body["existing"], body["conflicts"], body["invalid"]) == (1, 2, 1, 2)
    for raw in (b"{", b"[]", b'{"orders": []}', b"\x00\xff", json.dumps({"orders": [{"x": 1}]}).encode()):
        bad = taobao.call("POST", "/api/orders/bulk", raw=raw)
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid", raw
    too_many = {"orders": [order_json(1000 + i) for i in range(1001)]}
    assert taobao.call("POST", "/api/orders/bulk", too_many).status_code == 422


def test_change_reroutes_and_cancel(net, taobao):
    taobao.call("POST", "/api/orders", order_json(20))
    r = taobao.call(
        "POST",
        "/api/orders/TB00000020/change",
        {"sender": {"city": "宁波市", "district": "海曙区", "address": "中山路1号"}},
    )
    assert r.status_code == 200 and r.json()["site"]["code"] == net.site_b.code
    r = taobao.call("POST", "/api/orders/TB00000020/cancel", {"reason": "客户取消"})
    assert r.status_code == 200 and r.json()["state"] == "CANCELLED"
    again = taobao.call("POST", "/api/orders/TB00000020/cancel", {"reason": "再次"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"


class Receiver:
    """A local HTTP server that fails the first ``fail`` requests, then answers 200; it records what it got."""

    def __init__(self, fail=0):
        self.fail, self.got = fail, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.got.append((dict(self.headers), json.loads(body)))
                code = 500 if len(outer.got) <= outer.fail else 200
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_kuaidi100_adapter_and_its_callback_codes(net, live_server, channels, settings):
    settings.CALLBACK_BACKOFF_SECONDS = 0
    receiver = Receiver(fail=2)
    client, secret = api_client_create(
        name="快递100", kind="channel", channel=channels["kuaidi100"], adapter="kuaidi100", callback_url=receiver.url
    )
    kd = Api(live_server.url, client, secret)
    payload = {
        "orderId": "KD2026112300001",
        "sendManName": "王五",
        "sendManMobile": "13700000001",
        "sendManPrintAddr": "浙江省杭州市西湖区文三路90号",
        "recManName": "赵六",
        "recManMobile": "13600000000",
        "recManPrintAddr": "北京市朝阳区建国路1号",
        "cargo": "文件",
        "weight": "0.5",
        "dayType": "明天",
        "pickupStartTime": "09:00",
        "pickupEndTime": "11:00",
    }
    r = kd.call("POST", "/api/kuaidi100/orders", payload)
    assert r.status_code == 200 and r.json()["result"] is True and r.json()["data"]["status"] == 0, r.text
    order = OnlineOrder.objects.get(channel_order_id="KD2026112300001")
    from django.utils import timezone

    assert order.site == net.site_a and timezone.localtime(order.window_end).hour == 11
    bad = kd.call("POST", "/api/kuaidi100/orders", {**payload, "orderId": "KD2", "pickupStartTime": "9点"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "pickupStartTime"
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=net.site_a.couriers.first())
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000901")
    for _ in range(6):
        outbox_deliver()
    codes = [body["status"] for _h, body in receiver.got]
    # 0 下单成功, 1 accepted, 1 courier assigned, 10 picked up
    assert set(codes) == {"0", "1", "10"} and OutboxMessage.objects.filter(status="delivered").count() == 4
    courier_call = next(body for _h, body in receiver.got if body["status"] == "1" and body["data"]["courierName"])
    assert courier_call["data"]["courierMobile"]
    assert CallbackAttempt.objects.filter(ok=False).count() == 2  # the two failures before success are recorded
    headers_, body = receiver.got[-1]
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    assert headers_["X-Signature"] == sign(secret, "POST", "/callback", headers_["X-Timestamp"], raw)
    receiver.close()


def test_wechat_same_order_same_waybill_and_codes(net, live_server, channels, settings):
    settings.CALLBACK_BACKOFF_SECONDS = 0
    receiver = Receiver()
    client, secret = api_client_create(
        name="微信", kind="channel", channel=channels["wechat"], adapter="wechat", callback_url=receiver.url
    )
    wx = Api(live_server.url, client, secret)
    payload = {
        "OrderID": "WX0001",
        "Sender": {
            "Name": "钱七",
            "Mobile": "13500000000",
            "Province": "浙江省",
            "City": "杭州市",
            "Area": "西湖区",
            "Address": "天目山路1号",
        },
        "Receiver": {"Name": "孙八", "Mobile": "13400000000", "Address": "广州市天河区"},
        "Cargo": {"Weight": "2", "DetailList": [{"Name": "书", "Count": 2}]},
    }
    first = wx.call("POST", "/api/wechat/orders", payload)
    assert first.status_code == 200, first.text
    first = first.json()
    second = wx.call("POST", "/api/wechat/orders", payload).json()
    assert first["WayBillId"] and first["WayBillId"] == second["WayBillId"] and len(first["WayBillId"]) == 12
    order = OnlineOrder.objects.get(channel_order_id="WX0001")
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=net.site_a.couriers.first())
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a)  # the waybill WeChat already has
    cancel = make_cancelled_wechat(wx)
    outbox_deliver()
    codes = [body["Actions"][0]["action_type"] for _h, body in receiver.got]
    assert codes[:2] == [100003, 100001] and 400001 in codes, codes
    assert cancel.status_code == 200
    receiver.close()


def make_cancelled_wechat(wx):
    payload = {
        "OrderID": "WX0002",
        "Sender": {"Name": "周九", "Mobile": "13300000000", "Address": "杭州市西湖区文三路1号"},
    }
    wx.call("POST", "/api/wechat/orders", payload)
    return wx.call("POST", "/api/wechat/cancel", {"OrderID": "WX0002"})


def test_tracking_feed_stores_once_and_completes_pickups(net, live_server, taobao):
    client, secret = api_client_create(name="扫描系统", kind=ApiClient.Kind.SCANNER, channel=None, adapter="generic")
    scanner = Api(live_server.url, client, secret)
    taobao.call("POST", "/api/orders", order_json(30, waybill_no="300000000777"))
    order = OnlineOrder.objects.get(channel_order_id="TB00000030")
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    scans = {
        "scans": [
            {
                "waybill_no": "300000000777",
                "scan_type": "发件",
                "site_code": net.site_a.code,
                "scanned_at": "2026-11-23T15:00:00+08:00",
            },
            {
                "waybill_no": "300000000777",
                "scan_type": "揽收",
                "site_code": net.site_a.code,
                "scanned_at": "2026-11-23T14:00:00+08:00",
                "operator": "王五",
            },
        ]
    }
    r = scanner.call("POST", "/api/tracking/scans", scans)
    assert r.json() == {"stored": 2, "repeats": 0, "completed_orders": 1, "rejected": []}, r.text
    assert scanner.call("POST", "/api/tracking/scans", scans).json() == {
        "stored": 0,
        "repeats": 2,
        "completed_orders": 0,
        "rejected": [],
    }
    order.refresh_from_db()
    assert order.state == "PICKED_UP" and order.pickup_source == "scan"
    wrong = taobao.call("POST", "/api/tracking/scans", scans)  # a channel is no scanner: said so, by kind
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "client_kind"
    assert "扫描系统" in wrong.json()["error"]["message"]["zh"]
    wrong = scanner.call("POST", "/api/orders", order_json(31))
    assert wrong.status_code == 403 and "销售渠道" in wrong.json()["error"]["message"]["zh"]


def test_crm_pushes_work_orders(net, live_server, taobao):
    client, secret = api_client_create(name="菜鸟CRM", kind=ApiClient.Kind.CRM, channel=None, adapter="generic")
    crm = Api(live_server.url, client, secret)
    body = {
        "wo_id": "CN20261123001",
        "type": "false_sign",
        "source": "guoguo",
        "waybill_no": "300000000981",
        "description": "显示签收但未收到",
        "limit_hours": 12,
    }
    first = crm.call("POST", "/api/crm/work-orders", body)
    assert first.status_code == 201 and first.json()["state"] == "unassigned", first.text
    assert crm.call("POST", "/api/crm/work-orders", body).status_code == 200
    conflict = crm.call("POST", "/api/crm/work-orders", {**body, "type": "delay"})
    assert conflict.status_code == 409 and conflict.json()["error"]["field"] == "type"
    wrong = taobao.call("POST", "/api/crm/work-orders", body)  # a channel is not the CRM
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "client_kind"


def test_bulk_answer_is_what_its_documented_schema_gives(net, taobao):
    """The bulk answer is written without a second validation pass: it must still be exactly what
    BulkOut would make of it, every item with the single-order answer's fields, the same labels and times."""
    taobao.call("POST", "/api/orders", order_json(30))
    r = taobao.call(
        "POST",
        "/api/orders/bulk",
        {
            "orders": [
                order_json(
                    31,
                    order_time="2026-11-24T08:00:00+08:00",
                    window_start="2026-11-24T10:00:00",
                    window_end="2026-11-24T12:00:00",
                ),
                order_json(32, sender={"name": "", "phone": "1", "address": ""}),
                order_json(30),
                order_json(30, goods="别的"),
            ]
        },
    )
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json; charset=utf-8"
    body = r.json()
    assert body == json.loads(json.dumps(BulkOut.model_validate(body).model_dump(), cls=NinjaJSONEncoder))
    single = taobao.call("GET", f"/api/orders/{order_json(31)['channel_order_id']}").json()
    created = body["results"][0]["order"]
    assert created["created"] is True and created["state_label"] == single["state_label"]
    times = ("order_time", "accept_due_at", "pickup_due_at", "picked_up_at", "cancelled_at")

    def same(value, key):  # the answer keeps the offset it was given, the stored order reads back in UTC
        return datetime.fromisoformat(value) if key in times and value else value

    assert {k: same(created[k], k) for k in single if k not in ("events", "created")} == {
        k: same(single[k], k) for k in single if k not in ("events", "created")
    }
    assert body["results"][1]["order"] is None and body["results"][1]["error"]["field"] == "sender_name"
    assert body["results"][2]["status"] == "existing" and body["results"][2]["error"] is None
