"""Redis is never on a request's critical path: with a private Redis stopped, and then frozen
(SIGSTOP: it accepts connections and never answers), every page and action answers within 2 s — the clerk's
workbench, accept and batch accept, HQ's home, the order list, a signed API push — the pages say the cache is
away, and nothing is lost: every change is committed with its outbox row, which beat delivers once Redis is back.
Uses its own redis-server on its own port, never the shared one."""

import json
import os
import signal
import socket
import subprocess
import time

import pytest
from django.urls import reverse

from core import broker, rediscache
from core.signing import headers
from devtools.stack import redis_server_command
from orders.models import OnlineOrder, OrderState, OutboxMessage
from orders.services import api_client_create, channels_ensure

from ..factories import make_order

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
LIMIT = 2.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def private_redis(tmp_path, settings):
    from config.celery import app

    port = int(os.environ.get("Q9_PRIVATE_REDIS_PORT") or _free_port())
    proc = subprocess.Popen(
        redis_server_command(port, tmp_path / "redis"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        assert time.monotonic() < deadline, "the private redis-server did not start"
        time.sleep(0.1)
    url = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app._pool = None
    rediscache.reset()
    broker.reset()
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)
            proc.terminate()
            proc.wait(10)
        app.conf.broker_url = settings.CELERY_BROKER_URL
        app._pool = None
        rediscache.reset()
        broker.reset()


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _exercise(net, client, api, label):
    """Every page and action a clerk, HQ and a channel use, each timed; returns the accepted orders."""
    channel, api_client, secret = api
    orders = [make_order(channel=channel) for _ in range(3)]
    slow, seen_note = [], False

    def check(name, response, took, ok=(200, 201, 302)):
        nonlocal seen_note
        if took > LIMIT or response.status_code not in ok:
            slow.append(f"{label} {name}: {response.status_code} in {took:.2f} s")
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            seen_note = seen_note or "data-degraded" in response.content.decode()

    client.force_login(net.clerk_a, backend="core.auth.UserBackend")
    check("workbench", *_timed(lambda: client.get(reverse("dispatch:workbench"))))
    check("accept", *_timed(lambda: client.post(reverse("dispatch:order_accept", args=[orders[0].pk]))))
    check(
        "batch accept",
        *_timed(lambda: client.post(reverse("dispatch:orders_accept_batch"), {"ids": [orders[1].pk, orders[2].pk]})),
    )
    check("home (clerk)", *_timed(lambda: client.get(reverse("home"))))
    client.force_login(net.hq, backend="core.auth.UserBackend")
    check("home (HQ)", *_timed(lambda: client.get(reverse("home"))))
    check("order list", *_timed(lambda: client.get(reverse("orders:order_list"))))
    check("message list", *_timed(lambda: client.get(reverse("core:message_list"))))
    body = json.dumps(
        {
            "channel_order_id": f"OUT-{label}",
            "sender": {
                "name": "张三",
                "phone": "13812345678",
                "province": "浙江省",
                "city": "杭州市",
                "district": "西湖区",
                "address": "文三路90号",
            },
        }
    ).encode()
    h = headers(key=api_client.key, secret=secret, method="POST", path="/api/orders", body=body)
    response, took = _timed(lambda: client.post("/api/orders", data=body, content_type="application/json", headers=h))
    check("API push", response, took, ok=(201,))
    if not response["Content-Type"].startswith("application/json"):
        slow.append(f"{label} API push: answered {response['Content-Type']}, not JSON")
    return orders, slow, seen_note


def _api(net):
    channel = channels_ensure()["taobao"]
    client, secret = api_client_create(
        name="淘宝", kind="channel", channel=channel, adapter="generic", callback_url="http://127.0.0.1:9/cb"
    )
    return channel, client, secret


def _lost(orders, label) -> list[str]:
    """What the outage lost: accepted orders not accepted, callbacks not queued, the pushed order not stored."""
    lost = [
        f"order {o.pk} not accepted" for o in orders if OnlineOrder.objects.get(pk=o.pk).state != OrderState.ACCEPTED
    ]
    lost += [
        f"order {o.pk}: no queued callback"
        for o in orders
        if not OutboxMessage.objects.filter(order=o, kind="accepted", status="pending").exists()
    ]
    if not OnlineOrder.objects.filter(channel_order_id=f"OUT-{label}").exists():
        lost.append(f"pushed order OUT-{label} not stored")
    return lost


def test_stopped_redis_never_stalls_a_clerk(net, client, private_redis):
    api = _api(net)
    private_redis.terminate()
    private_redis.wait(10)
    orders, slow, seen_note = _exercise(net, client, api, "stopped")
    assert slow == [], slow  # every page and action answered, each within LIMIT seconds
    assert seen_note, "the pages say the cache is away"
    assert _lost(orders, "stopped") == []


def test_frozen_redis_never_stalls_a_clerk(net, client, private_redis):
    api = _api(net)
    private_redis.send_signal(signal.SIGSTOP)
    try:
        orders, slow, seen_note = _exercise(net, client, api, "frozen")
    finally:
        private_redis.send_signal(signal.SIGCONT)
    assert slow == [], slow
    assert seen_note, "the pages say the cache is away"
    assert _lost(orders, "frozen") == []
    # Redis is back: after the breaker's pause the cache answers again
    rediscache.reset()
    from django.core.cache import cache

    cache.set("q9:test:back", "1", 30)
    assert cache.get("q9:test:back") == "1"
