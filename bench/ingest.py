"""Orders per second through the signed bulk endpoint (routing, clocks and events included), against raw COPY of
the same rows into a table with the same indexes, in the same run.

    python -m bench.ingest [--quick|--smoke] [--orders N] [--batch N]

A scratch database (created and dropped here) gets the real divisions and the demo network; gunicorn serves the
app on a free local port (one worker, as one web process of a deployment); a channel's API client pushes N
orders in signed batches of up to 1,000 over HTTP. Then the same rows (as they were stored, routed) are COPYed
into ``bench_copy (LIKE orders_onlineorder INCLUDING ALL)``.

Then ``--singles`` orders (default 200) are pushed one per request to ``POST /api/orders``: p50 and p95 latency.

Last line: RESULT ingest orders=… api_per_s=… copy_per_s=… ratio=api/copy single_p50_ms=… single_p95_ms=…
"""
from __future__ import annotations

import json
import os
import random
import secrets
import socket
import subprocess
import sys
import time

import psycopg

from .workbench import _admin_url, _create, _db_url, _drop, _migrate, scratch_name

# the keys of the RESULT line (tests/ops/test_benches.py runs every bench with --smoke and checks them)
PROMISED = ("orders", "batch", "api_per_s", "copy_per_s", "ratio", "single_p50_ms", "single_p95_ms")

STREETS = ["文三路", "天目山路", "教工路", "中山路", "人民路", "解放路"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _orders(n: int, districts: list[tuple[str, str, str]], seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        province, city, district = rng.choice(districts)
        out.append({"channel_order_id": f"ING{i:09d}",
                    "sender": {"name": "张三", "phone": f"138{i % 100000000:08d}", "province": province, "city": city,
                               "district": district, "address": f"{rng.choice(STREETS)}{rng.randint(1, 400)}号"},
                    "receiver": {"name": "李四", "phone": "13900000000", "address": "上海市浦东新区世纪大道1号"},
                    "goods": "衣服", "weight_kg": "1.20"})
    return out


def main(argv):
    quick, smoke = "--quick" in argv, "--smoke" in argv

    def arg(flag, default):
        return int(argv[argv.index(flag) + 1]) if flag in argv else default

    n = arg("--orders", 500 if smoke else 3_000 if quick else 20_000)
    batch = arg("--batch", 250 if smoke else 1_000)
    singles_n = arg("--singles", 20 if smoke else 200)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # gunicorn runs with DEBUG off, which refuses the development key: a key of the run's own unless one is set
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    admin, name = _admin_url(base), scratch_name(base, "ingest")
    server = None
    try:
        _create(admin, name)
        url = _db_url(base, name)
        _migrate(url)
        env = {**os.environ, "DATABASE_URL": url, "DEMO_MODE": "0"}
        os.environ.update({"DATABASE_URL": url, "DEMO_MODE": "0"})
        import io

        import django

        django.setup()
        from django.core.management import call_command

        for command in (["load_network"], ["demo_data", "--orders", "0"]):
            call_command(*command, stdout=io.StringIO())
        import requests
        from django.db import connection

        from core.models import District
        from orders.models import Channel, OnlineOrder, OrderEvent
        from orders.services import api_client_create
        from core.signing import headers

        districts = [(d.province.name, d.city.name if d.city.name != "市辖区" else "", d.name) for d in
                     District.objects.filter(statistical_only=False, service_areas__isnull=False)
                     .select_related("province", "city").distinct()[:2000]]
        client, secret = api_client_create(name="bench", kind="channel", channel=Channel.objects.get(slug="taobao"),
                                           adapter="generic")
        connection.close()
        port = _free_port()
        server = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "config.wsgi",
                                   "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "300"],
                                  env={**env, "ALLOWED_HOSTS": "127.0.0.1,localhost"},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz/", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        orders = _orders(n, districts)
        warm = _orders(200, districts, seed=8)
        for o in warm:
            o["channel_order_id"] = "W" + o["channel_order_id"]
        session = requests.Session()

        def push(items, ts):
            body = json.dumps({"orders": items}, ensure_ascii=False).encode()
            h = headers(key=client.key, secret=secret, method="POST", path="/api/orders/bulk", body=body, now=ts)
            r = session.post(f"http://127.0.0.1:{port}/api/orders/bulk", data=body, headers=h, timeout=300)
            assert r.status_code == 200, r.text[:500]
            return r.json()

        push(warm, time.time())  # first-request costs (imports, cpca's tables) out of the measurement
        started = time.perf_counter()
        created = 0
        for k, i in enumerate(range(0, n, batch)):
            created += push(orders[i:i + batch], time.time() + k)["created"]
        api_s = time.perf_counter() - started
        assert created == n, created
        # single-order intake, one request at a time as most channels push
        singles = _orders(singles_n, districts, seed=9)
        single_ms = []
        for item in singles:
            item["channel_order_id"] = "ONE" + item["channel_order_id"]
            body = json.dumps(item, ensure_ascii=False).encode()
            h = headers(key=client.key, secret=secret, method="POST", path="/api/orders", body=body,
                        now=time.time())
            t0 = time.perf_counter()
            r = session.post(f"http://127.0.0.1:{port}/api/orders", data=body, headers=h, timeout=60)
            single_ms.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 201, r.text[:500]
        single_ms.sort()
        events = OrderEvent.objects.filter(order__channel_order_id__startswith="ING").count()
        assert events == n
        # what an order takes in PostgreSQL (rows and indexes of orders and their events), for sizing
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE orders_onlineorder")
            cursor.execute("VACUUM ANALYZE orders_orderevent")
            cursor.execute("SELECT pg_total_relation_size('orders_onlineorder') + "
                           "pg_total_relation_size('orders_orderevent'), (SELECT count(*) FROM orders_onlineorder)")
            size, stored = cursor.fetchone()
        bytes_per_order = size / stored
        # the same rows, as stored, COPYed into a table with the same indexes
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_copy (LIKE orders_onlineorder INCLUDING ALL)")
        cols = [f.column for f in OnlineOrder._meta.concrete_fields if f.column != "id"]
        rows = list(OnlineOrder.objects.filter(channel_order_id__startswith="ING").values_list(
            *[f.attname for f in OnlineOrder._meta.concrete_fields if f.column != "id"]))
        connection.close()
        with psycopg.connect(url) as conn:
            with conn.cursor() as cursor:
                t0 = time.perf_counter()
                with cursor.copy(f"COPY bench_copy ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                conn.commit()
                copy_s = time.perf_counter() - t0
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        _drop(admin, name)
    api_rate, copy_rate = n / api_s, n / copy_s
    print(f"{n:,} orders in batches of {batch}: API {api_s:.1f} s ({api_rate:,.0f}/s), COPY {copy_s:.2f} s "
          f"({copy_rate:,.0f}/s)")
    p50, p95 = single_ms[len(single_ms) // 2], single_ms[min(len(single_ms) - 1, int(0.95 * len(single_ms)))]
    print(f"single orders over HTTP, one at a time: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(single_ms)} orders)")
    print(f"RESULT ingest orders={n} batch={batch} api_per_s={api_rate:.0f} copy_per_s={copy_rate:.0f} "
          f"ratio={api_rate / copy_rate:.3f} single_p50_ms={p50:.1f} single_p95_ms={p95:.1f} "
          f"bytes_per_order={bytes_per_order:.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
