"""A Celery worker killed mid-delivery loses no callback, and a repeat is recognisable: a real worker sends 8
callbacks to a slow receiver and is SIGKILLed while the receiver is still answering one; a second worker takes over
once that row's lease is over. Every callback arrives at least once, and the one sent twice carries the same message
id (body and ``X-Message-Id``) both times, so the receiver drops the repeat."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection

from devtools.stack import database_url_from_settings
from dispatch import services as ops
from orders.models import OutboxMessage
from orders.services import api_client_create, channels_ensure

from ..factories import make_order
from .test_redis_outage import private_redis  # noqa: F401 - the fixture: a Redis of the test's own

BASE = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _wait(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_killed_mid_delivery_delivers_everything_with_repeats_recognisable(
    net,
    tmp_path,
    private_redis,  # noqa: F811
    settings,
):
    got: list[tuple[str, str]] = []  # (body's message_id, header's)

    class SlowReceiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            got.append((body["message_id"], self.headers.get("X-Message-Id")))
            time.sleep(1.5)  # slow, though within the timeout
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), SlowReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    broker = settings.CACHES["default"]["LOCATION"]
    env = {
        **os.environ,
        "DATABASE_URL": database_url_from_settings(connection.settings_dict),
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "CALLBACK_SWEEP_SECONDS": "1",
        "CALLBACK_BACKOFF_SECONDS": "1",
        "CALLBACK_TIMEOUT_SECONDS": "3",
        "CALLBACK_LEASE_SECONDS": "10",
        "SLA_SWEEP_SECONDS": "3600",
        "VAR_DIR": str(tmp_path),
    }
    celery = str(Path(sys.executable).parent / "celery")

    def start(name, *args):
        return subprocess.Popen(
            [celery, "-A", "config", *args, "--loglevel", "WARNING"],
            cwd=BASE,
            env=env,
            stdout=open(tmp_path / f"{name}.log", "w"),
            stderr=subprocess.STDOUT,
        )

    api_client_create(
        name="淘宝",
        kind="channel",
        channel=channels_ensure()["taobao"],
        adapter="generic",
        callback_url=f"http://127.0.0.1:{receiver.server_port}/cb",
    )
    orders = [make_order(channel="taobao") for _ in range(8)]
    procs = []
    try:
        first = start("worker-1", "worker", "--pool", "solo", "-n", "first@%h")
        procs.append(first)
        time.sleep(3)
        for order in orders:
            ops.order_accept(order_id=order.pk, actor=net.clerk_a)  # each kicks the delivery after commit
        ids = {f"q9:orders.callbacks:{m.pk}" for m in OutboxMessage.objects.filter(order__in=orders)}
        assert len(ids) == 8
        assert _wait(lambda: len(got) >= 2, 60), (tmp_path / "worker-1.log").read_text()[-2000:]
        first.send_signal(signal.SIGKILL)  # mid-delivery: the receiver is still answering
        first.wait(10)
        in_flight = got[-1][0]
        procs += [
            start("worker-2", "worker", "--pool", "solo", "-n", "second@%h"),
            start("beat", "beat", "--schedule", str(tmp_path / "beat-schedule")),
        ]
        assert _wait(lambda: OutboxMessage.objects.filter(order__in=orders, status="delivered").count() == 8, 120), (
            tmp_path / "worker-2.log"
        ).read_text()[-2000:]
        times = Counter(body for body, _header in got)
        assert set(times) == ids  # every callback at least once, nothing else
        assert all(body == header for body, header in got)  # the same id in the body and the header
        assert times[in_flight] == 2  # the one the killed worker was sending, sent again with the same id
        assert sum(times.values()) == 9  # and no other repeat
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        receiver.shutdown()
