"""A status callback survives a Redis outage: with the broker down the change still commits its outbox row;
when Redis comes back, beat and the worker deliver it. Uses a private Redis on its own port (never the shared
one on 6379), a real worker and beat, and a local HTTP server as the channel."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.db import connection

from devtools.stack import database_url_from_settings, redis_server_command
from dispatch import services as ops
from orders.models import OutboxMessage
from orders.services import api_client_create, channels_ensure

from ..factories import make_order

BASE = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_callback_delivered_after_redis_was_stopped_and_restarted(net, tmp_path, settings):
    got = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            got.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    port = _free_port()
    redis_cmd = redis_server_command(port, tmp_path / "redis")
    redis = subprocess.Popen(redis_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    broker = f"redis://127.0.0.1:{port}/0"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_from_settings(connection.settings_dict),
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "CALLBACK_SWEEP_SECONDS": "1",
        "CALLBACK_BACKOFF_SECONDS": "1",
        "SLA_SWEEP_SECONDS": "3600",
        "VAR_DIR": str(tmp_path),
    }
    celery = str(Path(sys.executable).parent / "celery")
    procs = []
    from config.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = broker
    app.conf.task_publish_retry = False
    app.conf.broker_connection_timeout = 1
    try:
        assert _wait(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 10)
        procs = [
            subprocess.Popen(
                [celery, "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING"],
                cwd=BASE,
                env=env,
                stdout=open(tmp_path / "worker.log", "w"),
                stderr=subprocess.STDOUT,
            ),
            subprocess.Popen(
                [
                    celery,
                    "-A",
                    "config",
                    "beat",
                    "--loglevel",
                    "WARNING",
                    "--schedule",
                    str(tmp_path / "beat-schedule"),
                ],
                cwd=BASE,
                env=env,
                stdout=open(tmp_path / "beat.log", "w"),
                stderr=subprocess.STDOUT,
            ),
        ]
        channel = channels_ensure()["taobao"]
        api_client_create(
            name="淘宝",
            kind="channel",
            channel=channel,
            adapter="generic",
            callback_url=f"http://127.0.0.1:{receiver.server_port}/cb",
        )
        order = make_order(channel="taobao")
        time.sleep(3)  # worker and beat are up
        redis.terminate()
        redis.wait(10)
        ops.order_accept(order_id=order.pk, actor=net.clerk_a)  # the broker is down: the change still commits
        message = OutboxMessage.objects.get(order=order)
        time.sleep(4)
        assert not got and OutboxMessage.objects.get(pk=message.pk).status == "pending"
        redis = subprocess.Popen(redis_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert _wait(lambda: bool(got), 90), (tmp_path / "worker.log").read_text()[-2000:]
        assert got[0]["event"] == "accepted" and got[0]["channel_order_id"] == order.channel_order_id
        assert _wait(lambda: OutboxMessage.objects.get(pk=message.pk).status == "delivered", 10)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        redis.terminate()
        redis.wait(10)
        receiver.shutdown()
        app.conf.broker_url = settings.CELERY_BROKER_URL
        app.conf.task_publish_retry = True
        app.conf.broker_connection_timeout = 4
