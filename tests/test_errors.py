"""Sentry: with a DSN the SDK sends errors — here to a local fake endpoint, whose envelope is read back — and no
phone, name, address or ID number is in it."""

import gzip
import json
import logging
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from config.errors import sentry_init

PERSONAL = ("13812345678", "张三丰", "文三路90号", "330106199001011234")


@pytest.fixture
def fake_sentry():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding == "br":
                import brotli

                body = brotli.decompress(body)
            received.append((self.path, body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sentry_init(f"http://publickey@127.0.0.1:{server.server_address[1]}/42", environment="test")
    try:
        yield received
    finally:
        sentry_sdk.get_client().close(timeout=2)
        sentry_sdk.init()  # no DSN: nothing is sent by the tests after this one
        server.shutdown()


def _events(received):
    events = []
    for path, body in received:
        assert path == "/api/42/envelope/"
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append((payload.decode(), json.loads(payload)))
    return events


def test_an_error_reaches_sentry_scrubbed(fake_sentry):
    sender = {"sender_name": "张三丰", "sender_phone": "13812345678", "sender_address": "文三路90号"}
    sentry_sdk.set_context("order", {**sender, "channel_order_id": "LP0001", "id_number": "330106199001011234"})
    try:
        raise ValueError("refused 13812345678 with id 330106199001011234")
    except ValueError:
        sentry_sdk.capture_exception()
    logging.getLogger("orders").error("delivery failed for 13812345678", extra={"receiver_name": "张三丰"})
    sentry_sdk.flush(timeout=5)
    events = _events(fake_sentry)
    assert len(events) == 2, fake_sentry
    for text, _event in events:
        for value in PERSONAL:
            assert value not in text, (value, text[:2000])
    (_text, error), (_text2, logged) = events
    assert error["exception"]["values"][0]["type"] == "ValueError"
    assert error["exception"]["values"][0]["value"] == "refused [phone] with id [id-number]"
    assert error["contexts"]["order"]["channel_order_id"] == "LP0001"  # what is not personal stays
    assert error["environment"] == "test"
    assert "[phone]" in logged["logentry"]["message"] or "[phone]" in json.dumps(logged["logentry"])
