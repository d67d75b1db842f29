"""The API's limit per client: a token bucket in Redis; past it 429 with Retry-After and the JSON error body; a bulk
push counts its orders; Redis away, the limit fails open and the metric counts it."""

import json

import pytest
from django.core.cache import cache

from core import ratelimit, rediscache
from core.signing import headers
from orders.services import api_client_create, channels_ensure


@pytest.fixture
def api(db, settings):
    settings.API_RATE_PER_SECOND = 0.5
    settings.API_RATE_BURST = 10
    channel = channels_ensure()["taobao"]
    return api_client_create(name="淘宝", kind="channel", channel=channel, adapter="generic")


def _order(n):
    return {
        "channel_order_id": f"RL-{n}",
        "sender": {
            "name": "张三",
            "phone": "13812345678",
            "province": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "address": "文三路90号",
        },
    }


def _post(client, api, path, body):
    api_client, secret = api
    data = json.dumps(body).encode()
    h = headers(key=api_client.key, secret=secret, method="POST", path=path, body=data)
    return client.post(path, data=data, content_type="application/json", headers=h)


def test_past_the_bucket_429_with_retry_after(net, client, api):
    for n in range(10):
        assert _post(client, api, "/api/orders", _order(n)).status_code == 201
    refused = _post(client, api, "/api/orders", _order(99))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3
    body = refused.json()["error"]
    assert body["code"] == "rate_limited" and "秒后重试" in body["message"]["zh"] and body["field"] is None


def test_a_bulk_push_counts_its_orders(net, client, api):
    assert _post(client, api, "/api/orders/bulk", {"orders": [_order(n) for n in range(8)]}).status_code == 200
    refused = _post(client, api, "/api/orders/bulk", {"orders": [_order(n) for n in range(10, 15)]})
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 2  # 5 orders wanted, 2 tokens left


def test_clients_have_buckets_of_their_own(net, client, api, settings):
    for n in range(10):
        _post(client, api, "/api/orders", _order(n))
    other = api_client_create(name="快递100", kind="channel", channel=channels_ensure()["kuaidi100"], adapter="generic")
    assert _post(client, other, "/api/orders", _order(50)).status_code == 201


def test_redis_away_fails_open_and_is_counted(net, client, api, monkeypatch):
    def away(*args, **kwargs):
        raise ConnectionError("redis away")

    before = ratelimit.FAIL_OPEN._value.get()
    monkeypatch.setattr(cache._cache, "get_client", away)
    for n in range(12):  # past the burst: nothing refused
        assert _post(client, api, "/api/orders", _order(n)).status_code == 201
    assert ratelimit.FAIL_OPEN._value.get() >= before + 12
    rediscache.reset()
