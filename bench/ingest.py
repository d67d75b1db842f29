"""Orders per second through the signed bulk endpoint (routing, clocks and events included), against raw COPY of
the same rows into a table with the same indexes, in the same run.

    python -m bench.ingest [--quick] [--orders N] [--batch N]

A scratch database (created and dropped here) gets the real divisions and the demo network; gunicorn serves the
app on a free local port (one worker, as one web process of a deployment); a channel's API client pushes N
orders in signed batches of up to 1,000 over HTTP. Then the same rows (as they were stored, routed) are COPYed
into ``bench_copy (LIKE orders_onlineorder INCLUDING ALL)``.

Last line: RESULT ingest orders=… api_per_s=… copy_per_s=… ratio=api/copy
"""
from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time

import psycopg

from .workbench import _admin_url, _create, _db_url, _drop, _migrate

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
    quick = "--quick" in argv

    def arg(flag, default):
        return int(argv[argv.index(flag) + 1]) if flag in argv else default

    n = arg("--orders", 3_000 if quick else 20_000)
    batch = arg("--batch", 1_000)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    admin, name = _admin_url(base), "q9_bench_ingest"
    server = None
    try:
        _create(admin, name)
        url = _db_url(base, name)
        _migrate(url)
        env = {**os.environ, "DATABASE_URL": url, "DEMO_MODE": "0"}
        for command in (["load_network"], ["demo_data", "--orders", "0"]):
            subprocess.run([sys.executable, "manage.py", *command], check=True, env=env, stdout=subprocess.DEVNULL)
        os.environ["DATABASE_URL"] = url
        import django

        django.setup()
        import requests
        from django.db import connection

        from core.models import District
        from orders.models import Channel, OnlineOrder, OrderEvent
        from orders.services import api_client_create
        from orders.signing import headers

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
        events = OrderEvent.objects.filter(order__channel_order_id__startswith="ING").count()
        assert events == n
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
    print(f"RESULT ingest orders={n} batch={batch} api_per_s={api_rate:.0f} copy_per_s={copy_rate:.0f} "
          f"ratio={api_rate / copy_rate:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
