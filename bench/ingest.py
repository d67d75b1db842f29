"""Orders per second through the signed bulk endpoint (routing, clocks and events included), against raw COPY of
the same rows into a table with the same indexes, in the same run.

    python -m bench.ingest [--quick|--smoke] [--orders N] [--batch N] [--clients N]

A scratch database (created and dropped here) gets the real divisions and the demo network, then ANALYZE (the
statistics a running deployment has); the app is served by the Procfile's web line (gunicorn with its threads), one
worker process pinned to one core. A channel's API client pushes N orders in signed batches of up to 1,000 over
HTTP, one batch after another (``api_serial_per_s``, ``ratio_serial``); then N more are pushed by ``--clients``
channels at once (default 2: ``api_per_s``, ``ratio``), as channels push: the worker runs one request's Python
while another's waits on PostgreSQL. The bodies are built before the clock starts (a channel's own work). Then
the same 2N rows (as they were stored, routed) are COPYed into ``bench_copy (LIKE orders_onlineorder INCLUDING
ALL)`` in one COPY and one commit (three times, the median). Last, PostgreSQL's share of intake alone: N stored orders written again as
intake writes them, orders and their events with their foreign keys, and nothing else (``writes_per_s``,
``ratio_writes``: what ``ratio`` could reach with no Python at all).

Then ``--singles`` orders (default 200) are pushed one per request to ``POST /api/orders``: p50 and p95 latency.

Last line: RESULT ingest orders=… clients=… api_per_s=… api_serial_per_s=… copy_per_s=… ratio=api/copy
ratio_serial=… single_p50_ms=… single_p95_ms=…
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg

from .load import PgCpu, _cpu, _gunicorn_pids, _serve
from .workbench import _admin_url, _create, _db_url, _drop, _migrate, scratch_name

# the keys of the RESULT line (tests/ops/test_benches.py runs every bench with --smoke and checks them)
PROMISED = (
    "orders",
    "batch",
    "clients",
    "api_per_s",
    "api_serial_per_s",
    "copy_per_s",
    "ratio",
    "ratio_serial",
    "writes_per_s",
    "ratio_writes",
    "single_p50_ms",
    "single_p95_ms",
)

_CREATED_HEAD = re.compile(rb'\{"created": ?(\d+)')
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
        out.append(
            {
                "channel_order_id": f"ING{i:09d}",
                "sender": {
                    "name": "张三",
                    "phone": f"138{i % 100000000:08d}",
                    "province": province,
                    "city": city,
                    "district": district,
                    "address": f"{rng.choice(STREETS)}{rng.randint(1, 400)}号",
                },
                "receiver": {"name": "李四", "phone": "13900000000", "address": "上海市浦东新区世纪大道1号"},
                "goods": "衣服",
                "weight_kg": "1.20",
            }
        )
    return out


def _writes_alone(n: int, batch: int) -> float:
    """Seconds for PostgreSQL's share of intake alone: n of the stored orders again (new ids and order ids), in
    batches, written as intake writes them (``orders.intake._copy_insert``, ``created_events_insert``, one commit
    a batch, so the foreign keys of orders and events are checked), with nothing else: no HTTP, no validation, no
    routing. ``api_per_s`` cannot pass ``writes_per_s`` however cheap the Python becomes."""
    from django.db import transaction

    from orders.events import created_events_insert
    from orders.intake import _copy_insert
    from orders.models import OnlineOrder

    orders = list(OnlineOrder.objects.filter(channel_order_id__startswith="ING").order_by("pk")[:n])
    for order in orders:
        order.pk = None
        order.channel_order_id = "AGAIN" + order.channel_order_id
    started = time.perf_counter()
    for i in range(0, len(orders), batch):
        with transaction.atomic():
            _copy_insert(orders[i : i + batch])
            created_events_insert(orders[i : i + batch], at=orders[i].created_at, actor_label="bench")
    return time.perf_counter() - started


def main(argv):
    quick, smoke = "--quick" in argv, "--smoke" in argv

    def arg(flag, default):
        return int(argv[argv.index(flag) + 1]) if flag in argv else default

    n = arg("--orders", 500 if smoke else 3_000 if quick else 20_000)
    batch = arg("--batch", 250 if smoke else 1_000)
    clients = arg("--clients", 2)
    singles_n = arg("--singles", 20 if smoke else 200)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # gunicorn runs with DEBUG off, which refuses the development key: a key of the run's own unless one is set
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    admin, name = _admin_url(base), scratch_name(base, "ingest")
    server = None
    try:
        _create(admin, name)
        url = _db_url(base, name)
        _migrate(url)
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
        from core.signing import headers
        from orders.models import Channel, OnlineOrder, OrderEvent
        from orders.services import api_client_create

        districts = [
            (d.province.name, d.city.name if d.city.name != "市辖区" else "", d.name)
            for d in District.objects.filter(statistical_only=False, service_areas__isnull=False)
            .select_related("province", "city")
            .distinct()[:2000]
        ]
        client, secret = api_client_create(
            name="bench", kind="channel", channel=Channel.objects.get(slug="taobao"), adapter="generic"
        )
        connection.close()
        port = _free_port()
        # the Procfile's own web line (gunicorn with its threads), one worker process pinned to one core
        server = _serve(url, port, {"DEMO_MODE": "0"})
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz/", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        orders = _orders(2 * n, districts)
        warm = _orders(200, districts, seed=8)
        for o in warm:
            o["channel_order_id"] = "W" + o["channel_order_id"]
        local = threading.local()

        def push(body: bytes):
            if not hasattr(local, "session"):
                local.session = requests.Session()
            ts = time.time()  # every batch is a different body, so never a replay of another's signature
            h = headers(key=client.key, secret=secret, method="POST", path="/api/orders/bulk", body=body, now=ts)
            r = local.session.post(f"http://127.0.0.1:{port}/api/orders/bulk", data=body, headers=h, timeout=300)
            assert r.status_code == 200, r.text[:500]
            # the count from the answer's head, without parsing the thousand results: the load generator shares a
            # core with PostgreSQL and must not become what is measured
            return int(_CREATED_HEAD.match(r.content).group(1))

        def bodies(items):  # what a channel has ready to send: built before the clock starts
            return [
                json.dumps({"orders": items[i : i + batch]}, ensure_ascii=False).encode()
                for i in range(0, len(items), batch)
            ]

        push(bodies(warm)[0])  # first-request costs (imports, cpca's tables) out of the measurement
        # planner statistics as a running deployment has them (autovacuum's ANALYZE): just loaded, the tables have
        # none, and PostgreSQL then scans every site and every order of the channel for each batch's look-ups
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE")
        # one channel pushing one batch after another, then ``clients`` channels pushing at the same time (what
        # the worker's threads serve: one request's Python runs while another waits on PostgreSQL)
        pids = _gunicorn_pids(server)
        serial = bodies(orders[:n])
        started, cpu0 = time.perf_counter(), _cpu(pids)
        created = sum(push(body) for body in serial)
        serial_s, serial_cpu = time.perf_counter() - started, _cpu(pids) - cpu0
        assert created == n, created
        parallel = bodies(orders[n:])
        pg = PgCpu(admin, name)
        pg.start()
        started, cpu0, client0 = time.perf_counter(), _cpu(pids), time.process_time()
        with ThreadPoolExecutor(clients) as pool:
            created = sum(pool.map(push, parallel))
        api_s, api_cpu = time.perf_counter() - started, _cpu(pids) - cpu0
        client_cpu = time.process_time() - client0
        pg.sample()
        pg_cpu = pg.used()
        pg.conn.close()
        assert created == n, created
        # single-order intake, one request at a time as most channels push
        session = requests.Session()
        singles = _orders(singles_n, districts, seed=9)
        single_ms = []
        for item in singles:
            item["channel_order_id"] = "ONE" + item["channel_order_id"]
            body = json.dumps(item, ensure_ascii=False).encode()
            h = headers(key=client.key, secret=secret, method="POST", path="/api/orders", body=body, now=time.time())
            t0 = time.perf_counter()
            r = session.post(f"http://127.0.0.1:{port}/api/orders", data=body, headers=h, timeout=60)
            single_ms.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 201, r.text[:500]
        single_ms.sort()
        events = OrderEvent.objects.filter(order__channel_order_id__startswith="ING").count()
        assert events == 2 * n
        # what an order takes in PostgreSQL (rows and indexes of orders and their events), for sizing
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE orders_onlineorder")
            cursor.execute("VACUUM ANALYZE orders_orderevent")
            cursor.execute(
                "SELECT pg_total_relation_size('orders_onlineorder') + "
                "pg_total_relation_size('orders_orderevent'), (SELECT count(*) FROM orders_onlineorder)"
            )
            size, stored = cursor.fetchone()
        bytes_per_order = size / stored
        # the same rows, as stored, COPYed into a table with the same indexes: three times, each into a new
        # table, the median taken (one COPY of 40,000 rows varied by ±10 % from run to run)
        cols = [f.column for f in OnlineOrder._meta.concrete_fields if f.column != "id"]
        rows = list(
            OnlineOrder.objects.filter(channel_order_id__startswith="ING").values_list(
                *[f.attname for f in OnlineOrder._meta.concrete_fields if f.column != "id"]
            )
        )
        connection.close()
        copies = []
        with psycopg.connect(url) as conn:
            for k in range(3):
                with conn.cursor() as cursor:
                    cursor.execute(f"CREATE TABLE bench_copy_{k} (LIKE orders_onlineorder INCLUDING ALL)")
                    conn.commit()
                    t0 = time.perf_counter()
                    with cursor.copy(f"COPY bench_copy_{k} ({', '.join(cols)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    conn.commit()
                    copies.append(time.perf_counter() - t0)
        copy_s = sorted(copies)[1]
        writes_s = _writes_alone(n, batch)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        _drop(admin, name)
    api_rate, serial_rate, copy_rate, writes_rate = n / api_s, n / serial_s, 2 * n / copy_s, n / writes_s
    print(
        f"{n:,} orders in batches of {batch}, one channel at a time: {serial_s:.1f} s ({serial_rate:,.0f}/s); "
        f"{clients} channels at once: {api_s:.1f} s ({api_rate:,.0f}/s); COPY of the {2 * n:,} rows {copy_s:.2f} s "
        f"({copy_rate:,.0f}/s)"
    )
    p50, p95 = single_ms[len(single_ms) // 2], single_ms[min(len(single_ms) - 1, int(0.95 * len(single_ms)))]
    print(
        f"PostgreSQL's share alone (orders, events, their foreign keys; no HTTP, no Python per order): "
        f"{writes_rate:,.0f}/s"
    )
    print(f"single orders over HTTP, one at a time: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(single_ms)} orders)")
    print(
        f"RESULT ingest orders={n} batch={batch} clients={clients} api_per_s={api_rate:.0f} "
        f"api_serial_per_s={serial_rate:.0f} copy_per_s={copy_rate:.0f} ratio={api_rate / copy_rate:.3f} "
        f"ratio_serial={serial_rate / copy_rate:.3f} writes_per_s={writes_rate:.0f} "
        f"ratio_writes={writes_rate / copy_rate:.3f} web_cpu_ms_per_1000={api_cpu / n * 1e6:.0f} "
        f"web_cpu_serial_ms_per_1000={serial_cpu / n * 1e6:.0f} pg_cpu_ms_per_1000={pg_cpu / n * 1e6:.0f} "
        f"client_cpu_ms_per_1000={client_cpu / n * 1e6:.0f} single_p50_ms={p50:.1f} single_p95_ms={p95:.1f} "
        f"bytes_per_order={bytes_per_order:.0f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
