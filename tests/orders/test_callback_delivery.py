"""Deliveries go only where they may (the destination check on the address actually reached, after DNS, for the
client's URL as for an order's own; no redirect followed; a reply kept only as a short printable excerpt), HQ's
form refuses such an address up front, and every callback carries its stable message id (body and header)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.destinations import DestinationRefused, destination_check, excerpt
from orders.models import ApiClient, CallbackAttempt, OutboxMessage
from orders.outbox import outbox_deliver
from orders.services import api_client_create
from tests.factories import channel_get, make_order
from tests.pages import shown

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """A local server: records what it gets per path; ``/redirect`` answers 307 to ``/trap``, ``/noisy`` 500 with
    a long body full of control characters."""

    def __init__(self):
        self.got: list[tuple[str, dict, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                outer.got.append((self.path, body, dict(self.headers)))
                if self.path == "/redirect":
                    self.send_response(307)
                    self.send_header("Location", f"{outer.base}/trap")
                    self.end_headers()
                elif self.path == "/noisy":
                    reply = ("-ERR redis internal\r\n\x1b[31m" + "secret " * 500).encode()
                    self.send_response(500)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                else:
                    self.send_response(200)
                    self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _client(url):
    return ApiClient.objects.create(
        name="淘宝",
        kind="channel",
        channel=channel_get("taobao"),
        adapter="generic",
        key="k1",
        secret="s" * 40,
        callback_url=url,
    )


def _accept_one(net):
    from dispatch import services as ops

    order = make_order(channel="taobao")
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    return OutboxMessage.objects.get(order=order, kind="accepted")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:6379/",
        "http://10.0.0.1/cb",
        "http://[::1]/cb",
        "http://[::ffff:127.0.0.1]/cb",
        "http://224.0.0.1/cb",
        "http://240.0.0.1/cb",
        "http://0.0.0.0/cb",
        "http://localhost/cb",
        "http://user:pw@93.184.216.34/cb",
    ],
)
def test_the_check_refuses_internal_destinations(settings, url):
    settings.CALLBACK_ALLOWED_HOSTS = []
    with pytest.raises(DestinationRefused):
        destination_check(url)


def test_a_named_host_is_allowed_and_nothing_else(settings):
    settings.CALLBACK_ALLOWED_HOSTS = ["127.0.0.1"]
    assert destination_check("http://127.0.0.1:9/cb") == "http://127.0.0.1:9/cb"
    with pytest.raises(DestinationRefused):
        destination_check("http://127.0.0.2:9/cb")


def test_a_client_url_reaching_an_internal_address_is_never_sent_to(net, receiver, settings):
    _client(f"{receiver.base}/cb")  # saved while allowed (or before the check existed)
    settings.CALLBACK_ALLOWED_HOSTS = []
    message = _accept_one(net)
    outbox_deliver()
    message.refresh_from_db()
    assert receiver.got == []
    assert message.status == "failed" and "私有" in message.last_error
    assert CallbackAttempt.objects.get(message=message).status_code is None


def test_the_check_is_on_the_address_reached_after_dns(net, receiver, settings):
    """``localhost`` is not an allowed name, though it resolves to the allowed 127.0.0.1: refused after resolution."""
    _client(f"http://localhost:{receiver.port}/cb")
    message = _accept_one(net)
    outbox_deliver()
    message.refresh_from_db()
    assert receiver.got == [] and message.status == "failed"


def test_a_redirect_is_not_followed(net, receiver, settings):
    _client(f"{receiver.base}/redirect")
    message = _accept_one(net)
    outbox_deliver(rounds=1)
    message.refresh_from_db()
    assert [p for p, _b, _h in receiver.got] == ["/redirect"]  # never /trap
    assert message.status == "pending" and message.last_error == "HTTP 307: redirect not followed"


def test_a_reply_is_kept_only_as_a_short_printable_excerpt(net, receiver, settings):
    _client(f"{receiver.base}/noisy")
    message = _accept_one(net)
    outbox_deliver(rounds=1)
    message.refresh_from_db()
    attempt = CallbackAttempt.objects.get(message=message)
    for text in (message.last_error, attempt.error):
        assert text.startswith("HTTP 500: -ERR redis internal") and len(text) <= 100, text
        assert text.isprintable()
    assert excerpt("a\r\n\x00b" + "x" * 200, 10) == "a bxxxxxxx…"


def test_every_callback_carries_its_message_id(net, receiver, settings):
    settings.CALLBACK_BACKOFF_SECONDS = 0
    _client(f"{receiver.base}/cb")
    message = _accept_one(net)
    outbox_deliver()
    (_path, body, headers) = receiver.got[0]
    assert body["message_id"] == headers["X-Message-Id"] == f"q9:orders.callbacks:{message.pk}"
    # HQ sends it again: the same id, so the receiver can drop the repeat
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed")
    from orders.outbox import outbox_retry

    outbox_retry(message_ids=[message.pk])
    outbox_deliver()
    assert [b["message_id"] for _p, b, _h in receiver.got] == [body["message_id"]] * 2


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest", "http://10.0.0.1/cb", "http://127.0.0.1:6379/"])
def test_hqs_form_refuses_an_internal_callback_url(net, login, settings, url):
    settings.CALLBACK_ALLOWED_HOSTS = []
    client = login(net.hq)
    channel = channel_get("taobao")
    r = client.post(
        "/hq/api-clients/",
        {
            "action": "create",
            "name": "x",
            "kind": "channel",
            "channel": channel.pk,
            "adapter": "generic",
            "callback_url": url,
        },
        follow=True,
    )
    assert "私有" in shown(r) and not ApiClient.objects.exists()
    existing, _secret = api_client_create(name="y", kind="channel", channel=channel, adapter="generic")
    r = client.post(
        "/hq/api-clients/",
        {"action": "update", "client": existing.pk, "callback_url": url, "active": "on"},
        follow=True,
    )
    assert "私有" in shown(r)
    existing.refresh_from_db()
    assert existing.callback_url == ""
