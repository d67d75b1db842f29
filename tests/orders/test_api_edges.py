"""API edges: a body limit consistent with the bulk schema (a full bulk of long Chinese orders
passes; past the limit a JSON 413), one canonical signing form of the path shared by client and server,
non-object bodies refused with 422 at any depth, and the constraints written in the OpenAPI document."""

import json
import time

import pytest

from core.signing import canonical_path, headers
from orders.models import OnlineOrder, OrderState
from orders.services import api_client_create, channels_ensure


@pytest.fixture
def api(net, client):
    channels = channels_ensure()
    api_client, secret = api_client_create(name="淘宝", kind="channel", channel=channels["taobao"], adapter="generic")

    stamps = iter(range(10**6))

    def call(method, path, body=None, *, raw=None, sign_path=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        # each request signed at its own second: an identical signature within 10 minutes is a replay
        now = time.time() - 200 + next(stamps)
        h = headers(key=api_client.key, secret=secret, method=method, path=sign_path or path, body=data, now=now)
        return client.generic(method, path, data=data, content_type="application/json", headers=h)

    return call


def order(cid, **kw):
    body = {
        "channel_order_id": cid,
        "sender": {
            "name": "张三",
            "phone": "13812345678",
            "province": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "address": "文三路90号",
        },
    }
    body.update(kw)
    return body


def test_a_full_bulk_of_long_chinese_orders_fits_the_limit(api):
    items = [
        order(
            f"LONG{i:04d}",
            goods="长" * 200,
            remark="备注" * 250,
            receiver={"name": "李" * 64, "address": "北京市朝阳区" + "路" * 190},
        )
        for i in range(1000)
    ]
    raw = json.dumps({"orders": items}).encode()  # ASCII-escaped: every Chinese character is six bytes
    assert len(raw) > 3_850_000
    r = api("POST", "/api/orders/bulk", raw=raw)
    assert r.status_code == 200, r.content[:300]
    assert r.json()["created"] == 1000


def test_past_the_limit_a_json_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    raw = json.dumps({"orders": [order(f"BIG{i:05d}", remark="x" * 500) for i in range(3000)]}).encode()
    r = api("POST", "/api/orders/bulk", raw=raw)
    assert r.status_code == 413 and r["Content-Type"].startswith("application/json")
    assert r.json()["error"]["code"] == "too_large"
    assert not OnlineOrder.objects.exists()


@pytest.mark.parametrize(
    "method, path", [("TRACE", "/api/orders"), ("DELETE", "/api/orders/bulk"), ("PUT", "/api/orders/X1/cancel")]
)
def test_a_method_the_path_does_not_take_is_a_json_405(api, method, path):
    r = api(method, path)
    assert r.status_code == 405 and r["Content-Type"].startswith("application/json"), r.content[:200]
    assert r.json()["error"]["code"] == "method_not_allowed" and "POST" in r["Allow"]


def test_an_unknown_api_path_is_a_json_404(client):
    r = client.get("/api/no-such-thing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_canonical_path_is_shared_by_client_and_server(api):
    assert canonical_path("/api/orders/A(1)") == canonical_path("/api/orders/A%281%29") == "/api/orders/A%281%29"
    assert canonical_path("/api/orders/a b?x=1") == "/api/orders/a%20b?x=1"
    assert api("POST", "/api/orders", order("A(1)")).status_code == 201
    assert api("GET", "/api/orders/A(1)").status_code == 200
    assert api("GET", "/api/orders/A%281%29").status_code == 200
    assert api("GET", "/api/orders/A(1)", sign_path="/api/orders/A%281%29").status_code == 200
    assert api("GET", "/api/orders/A(1)", sign_path="/api/orders/A(2)").status_code == 401


@pytest.mark.parametrize("raw", [b"[null,null]", b"null", b'"cancel"', b"42", b"[]"])
def test_non_object_bodies_are_422(api, raw):
    assert api("POST", "/api/orders", order("NOB-1")).status_code == 201
    r = api("POST", "/api/orders/NOB-1/cancel", raw=raw)
    assert r.status_code == 422 and r.json()["error"]["field"] == "body"
    assert OnlineOrder.objects.get(channel_order_id="NOB-1").state == OrderState.PENDING


def test_nested_non_objects_are_422(api):
    r = api("POST", "/api/orders/bulk", {"orders": [order("NEST-1", receiver=[None, None])]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "orders.0.receiver"
    r = api("POST", "/api/orders", order("NEST-2", sender=["张三"]))
    assert r.status_code == 422
    assert not OnlineOrder.objects.exists()


def test_the_schema_documents_the_constraints(client):
    schema = client.get("/api/openapi.json").json()
    goods = schema["components"]["schemas"]["OrderIn"]["properties"]["goods"]
    assert goods["maxLength"] == 200 and "\\u0000" in goods["pattern"]
    assert "2000–2100" in schema["components"]["schemas"]["OrderIn"]["properties"]["order_time"]["description"]
    assert "JSON 对象" in schema["info"]["description"] and "413" in schema["info"]["description"]


@pytest.mark.parametrize(
    "field,value",
    [
        ("is_online", 0),
        ("is_online", "true"),
        ("weight_kg", "1.555"),
        ("weight_kg", True),
        ("weight_kg", "1e3"),
        ("order_time", 1764000000),
        ("order_time", "1999-12-31T23:00:00+08:00"),
        ("order_time", "2026-11-24"),
        ("waybill_no", "ABC123"),
        ("goods", "a\u0001b"),
        ("goods", "a\ufffeb"),
    ],
)
def test_what_the_document_forbids_is_refused(api, field, value):
    """The document and the server agree: a flag is a JSON boolean, a weight a number or a decimal text of two
    places, a time an RFC 3339 text of 2000–2100 (never Unix seconds), a waybill the configured format."""
    r = api("POST", "/api/orders", order("STRICT-1", **{field: value}))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
    assert not OnlineOrder.objects.exists()


def test_what_the_document_allows_is_accepted(api):
    r = api(
        "POST",
        "/api/orders",
        order(
            "LOOSE-1",
            weight_kg=1.555,
            is_online=False,
            waybill_no="",
            window_start="2026-11-25T09:00:00",
            window_end="2026-11-25T11:00:00+08:00",
        ),
    )
    assert r.status_code == 201, r.text
    stored = OnlineOrder.objects.get(channel_order_id="LOOSE-1")
    assert str(stored.weight_kg) == "1.56" and stored.is_online is False and stored.waybill_no is None
    r = api("POST", "/api/orders", order("BLANK-1", sender={"name": "  ", "phone": "1", "address": "文三路90号"}))
    assert r.status_code == 422 and r.json()["error"]["field"] == "sender.name"


def test_a_body_that_is_not_json_is_a_json_422_whatever_its_content_type(client):
    for content_type in ("multipart/form-data", "text/plain", "application/json"):
        r = client.generic("POST", "/api/orders", data=b"x", content_type=content_type)
        assert r.status_code == 422 and r["Content-Type"].startswith("application/json"), content_type
        assert r.json()["error"]["field"] == "body" and "第 1 行第 1 列" in r.json()["error"]["message"]["zh"]


@pytest.mark.parametrize(
    "path,body,field,words",
    [
        ("/api/orders", order("POLICY-1", goods="a\u0001b"), "goods", "不允许控制字符（U+0001）"),
        ("/api/orders", order("POLICY-2", remark="x\ud800"), "remark", "不允许控制字符（U+D800）"),
        (
            "/api/orders",
            order("POLICY-3", sender={"name": "\u3000 ", "phone": "1", "address": "文三路90号"}),
            "sender.name",
            "不能为空",
        ),
        (
            "/api/orders",
            order("POLICY-4", receiver={"address": "b\u007f"}),
            "receiver.address",
            "不允许控制字符（U+007F）",
        ),
        (
            "/api/orders/bulk",
            {"orders": [order("POLICY-5"), order("POLICY-6", goods="\uffff")]},
            "orders.1.goods",
            "不允许控制字符（U+FFFF）",
        ),
    ],
)
def test_a_text_policy_breach_names_the_field_and_the_character(api, path, body, field, words):
    """pydantic-core enforces the policy's pattern (no Python call per text); the answer still says, in Chinese,
    which character to remove or that the text is blank, and nothing of the request is stored."""
    r = api("POST", path, raw=json.dumps(body, ensure_ascii=True).encode())
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == field and words in error["message"]["zh"], error
    assert not OnlineOrder.objects.exists()


def test_a_bulk_answer_gives_each_order_its_own_times(api):
    """The bulk answer formats each distinct time once, but by instant and zone: a repeat (read back from the
    database, in UTC) and a new order of the same instant (sent in +08:00) each keep their own text."""
    first = api("POST", "/api/orders", order("TIME-1", order_time="2026-11-23T10:00:00+08:00"))
    assert first.status_code == 201, first.text
    single = api("GET", "/api/orders/TIME-1").json()["order_time"]
    r = api(
        "POST",
        "/api/orders/bulk",
        {
            "orders": [
                order("TIME-1", order_time="2026-11-23T10:00:00+08:00"),
                order("TIME-2", order_time="2026-11-23T10:00:00+08:00"),
            ]
        },
    )
    assert r.status_code == 200, r.text
    repeat, new = (item["order"]["order_time"] for item in r.json()["results"])
    assert repeat == single and new == "2026-11-23T10:00:00+08:00"


def test_the_body_is_parsed_once(api, monkeypatch):
    """The input guard reads every /api/ body; the API's parser takes what it read instead of parsing again."""
    from ninja.parser import Parser

    def again(self, request):
        raise AssertionError("the body was parsed a second time")

    monkeypatch.setattr(Parser, "parse_body", again)
    assert api("POST", "/api/orders", order("ONCE-1")).status_code == 201
    assert api("POST", "/api/orders/bulk", {"orders": [order("ONCE-2")]}).json()["created"] == 1
