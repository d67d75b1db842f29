"""Overload answers 503 with Retry-After, never 500: gunicorn (8 threads) with a pool of one connection
(``DB_POOL_SIZE=1``); a lock held on the API clients' table keeps that connection busy, so the other requests wait
for the pool in vain and get 503s; once the lock is gone every request is served again."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

from core.signing import headers
from devtools.stack import database_url_from_settings
from orders.models import ApiClient
from orders.services import api_client_create, channels_ensure

from ..factories import make_order

BASE = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_exhausted_pool_answers_503_and_recovers(net, tmp_path):
    channel = channels_ensure()["taobao"]
    client, secret = api_client_create(name="淘宝", kind="channel", channel=channel, adapter="generic")
    order = make_order(channel=channel)
    url = database_url_from_settings(connection.settings_dict)
    port = _free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
        "WEB_CONCURRENCY": "1",
        "DB_POOL_SIZE": "1",
        "DB_POOL_TIMEOUT": "0.5",
    }
    server = subprocess.Popen(
        [gunicorn, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--threads", "8", "--timeout", "60"],
        cwd=BASE,
        env=env,
        stdout=open(tmp_path / "gunicorn.log", "w"),
        stderr=subprocess.STDOUT,
    )
    path = f"/api/orders/{order.channel_order_id}"
    stamp = [int(time.time()) - 200]

    def get():
        stamp[0] += 1  # a fresh signature each time (an identical one would be a replay)
        h = headers(key=client.key, secret=secret, method="GET", path=path, body=b"", now=stamp[0])
        return requests.get(f"http://127.0.0.1:{port}{path}", headers=h, timeout=60)

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz/", timeout=30).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()[-2000:]
            time.sleep(0.3)
        assert get().status_code == 200
        answers = []
        with psycopg.connect(url) as holder:
            holder.execute(f"LOCK TABLE {ApiClient._meta.db_table} IN ACCESS EXCLUSIVE MODE")
            signed = [stamp[0] + 1 + i for i in range(8)]
            stamp[0] += 8

            def one(ts):
                h = headers(key=client.key, secret=secret, method="GET", path=path, body=b"", now=ts)
                r = requests.get(f"http://127.0.0.1:{port}{path}", headers=h, timeout=60)
                answers.append((r.status_code, r.headers.get("Retry-After"), r.text[:200]))

            threads = [threading.Thread(target=one, args=(ts,)) for ts in signed]
            for t in threads:
                t.start()
                time.sleep(0.05)
            time.sleep(3)  # the pool's wait (0.5 s) is long over for every request but the one holding it
            holder.rollback()  # the lock goes
            for t in threads:
                t.join(60)
        codes = sorted(code for code, _retry, _text in answers)
        assert 500 not in codes and codes.count(503) >= 5 and set(codes) <= {200, 503}, answers
        busy = [a for a in answers if a[0] == 503]
        assert all(retry == "5" for _code, retry, _text in busy)
        assert json.loads(busy[0][2])["error"]["code"] == "busy"
        assert [get().status_code for _ in range(5)] == [200] * 5  # recovered
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
