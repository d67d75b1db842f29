"""A captured signed change replayed is refused whatever state Redis is in (up, stopped, hung): the seen-signature
record is in PostgreSQL (``core.signing``), so a replay can no longer revert a later change while Redis is away."""

import json
import signal
import time

import pytest
import requests

from core.models import SeenSignature
from core.signing import headers
from orders.models import OnlineOrder
from orders.services import api_client_create, channels_ensure

from ..factories import make_order
from .test_redis_outage import private_redis  # noqa: F401 - the fixture: a Redis of the test's own

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _signed(client, secret, path, body, now):
    data = json.dumps(body, ensure_ascii=False).encode()
    return data, headers(key=client.key, secret=secret, method="POST", path=path, body=data, now=now)


@pytest.mark.parametrize("redis_state", ["up", "stopped", "hung"])
def test_a_replayed_change_is_refused(net, live_server, private_redis, redis_state):  # noqa: F811
    channel = channels_ensure()["taobao"]
    client, secret = api_client_create(name="淘宝", kind="channel", channel=channel, adapter="generic")
    order = make_order(channel=channel)
    path = f"/api/orders/{order.channel_order_id}/change"
    if redis_state == "stopped":
        private_redis.terminate()
        private_redis.wait(10)
    elif redis_state == "hung":
        private_redis.send_signal(signal.SIGSTOP)
    now = int(time.time())
    captured = _signed(client, secret, path, {"remark": "第一次修改"}, now)
    later = _signed(client, secret, path, {"remark": "之后的修改"}, now + 1)
    for data, signed in (captured, later):
        r = requests.post(live_server.url + path, data=data, headers=signed, timeout=30)
        assert r.status_code == 200, r.text
    replay = requests.post(live_server.url + path, data=captured[0], headers=captured[1], timeout=30)
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "auth_replayed", replay.text
    assert OnlineOrder.objects.get(pk=order.pk).remark == "之后的修改"
    assert SeenSignature.objects.filter(key__startswith=f"{client.pk}:").count() == 2
