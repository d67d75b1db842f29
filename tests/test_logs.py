"""Logs: one JSON object per line, the request id on every line of the request (and answered in X-Request-ID), the
user and site, and no personal data in any line — names, phones, addresses, ID numbers — even when a request
carries them (an API push of an order with its sender) or a log call slips them in."""

import io
import json
import logging

import pytest
import structlog
from django.conf import settings
from django.urls import reverse

from config.logs import REQUEST_ID_HEADER, task_finished, task_published, task_started
from core.signing import headers
from orders.services import api_client_create, channels_ensure

PERSONAL = ("13812345678", "138 1234 5678", "张三丰", "文三路90号", "330106199001011234")


@pytest.fixture
def log_lines():
    cfg = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(**cfg))
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield lambda: [line for line in stream.getvalue().splitlines() if line.strip()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _push(client, secret, api_client, body):
    data = json.dumps(body).encode()
    h = headers(key=api_client.key, secret=secret, method="POST", path="/api/orders", body=data)
    return client.post("/api/orders", data=data, content_type="application/json", headers=h)


def test_json_lines_with_request_id_user_and_site_and_no_personal_data(net, client, log_lines):
    channel = channels_ensure()["taobao"]
    api_client, secret = api_client_create(name="淘宝", kind="channel", channel=channel, adapter="generic")
    sender = {"name": "张三丰", "phone": "13812345678", "province": "浙江省", "city": "杭州市", "district": "西湖区"}
    good = _push(
        client, secret, api_client, {"channel_order_id": "LOG-1", "sender": {**sender, "address": "文三路90号"}}
    )
    assert good.status_code == 201
    bad = _push(client, secret, api_client, {"channel_order_id": "LOG-2", "sender": {**sender, "phone": "12"}})
    assert bad.status_code == 422
    client.force_login(net.clerk_a, backend="core.auth.UserBackend")
    page = client.get(reverse("dispatch:workbench") + "?q=13812345678", headers={REQUEST_ID_HEADER: "lb-abcdef012345"})
    assert page[REQUEST_ID_HEADER] == "lb-abcdef012345"  # the load balancer's id is kept
    # what a careless call would write
    logging.getLogger("orders").warning("sender 138 1234 5678 id 330106199001011234", extra={"sender_name": "张三丰"})
    structlog.get_logger("orders").info("pushed", receiver_address="文三路90号", phone="13812345678")

    lines = log_lines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    for line in lines:
        for value in PERSONAL:
            assert value not in line, line
    requests = [r for r in records if r["event"] == "request"]
    assert {r["view"] for r in requests} >= {"api:push_order", "dispatch:workbench"}, requests
    assert all(len(r["request_id"]) >= 8 for r in requests)
    assert good[REQUEST_ID_HEADER] != bad[REQUEST_ID_HEADER]
    clerk = next(r for r in requests if r["view"] == "dispatch:workbench")
    assert clerk["request_id"] == "lb-abcdef012345" and clerk["user_id"] == net.clerk_a.pk
    assert clerk["site_id"] == net.clerk_a.site_id and clerk["path"] == reverse("dispatch:workbench")  # no query
    careless = next(r for r in records if r.get("logger") == "orders" and r["level"] == "warning")
    assert "[phone]" in careless["event"] and "[id-number]" in careless["event"]
    assert careless["sender_name"] == "[scrubbed]"


def test_the_request_id_rides_in_the_task_message(log_lines):
    """before_task_publish puts the id in the headers; the worker's task_prerun binds it to the task's lines."""
    from structlog.contextvars import bind_contextvars, clear_contextvars

    bind_contextvars(request_id="req-0123456789")
    message_headers = {}
    task_published(message_headers)
    clear_contextvars()
    assert message_headers == {"q9_request_id": "req-0123456789"}

    class Task:
        name = "orders.tasks.callbacks_deliver"
        request = type("R", (), {"q9_request_id": "req-0123456789"})()

    task_started(Task(), "t-1")
    logging.getLogger("orders.outbox").info("delivered")
    task_finished("t-1", "SUCCESS", 0.01)
    records = [json.loads(line) for line in log_lines()]
    inside = [r for r in records if r.get("task_id") == "t-1"]
    assert [r["event"] for r in inside] == ["task started", "delivered", "task finished"]
    assert {r["request_id"] for r in inside} == {"req-0123456789"}
