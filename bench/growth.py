"""How fast each append-only table grows per 1,000 orders, through the real services.

    python -m bench.growth [--smoke] [--orders N]

A scratch database (migrated, the network loaded, the demo accounts made) gets an API client with a callback
address on every channel, then ``dispatch.demo_orders.demo_orders_build`` takes in N orders of the last 7 days and
works them as a site would (accept, courier, pickup or failure, 揽收 scan: ``orders.events`` writes each event and
queues its callbacks in the same transaction); the callback outbox is then delivered once against a receiver that
answers 200 (one attempt per callback: the happy path; each retry adds one more). Rows and bytes (heap, indexes and
TOAST: ``pg_total_relation_size``) of each table are printed per 1,000 orders.

Default 2,000 orders (--smoke 20). Last line: RESULT growth orders=… <table>_rows_per_1k=… <table>_kb_per_1k=… …
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import psycopg

from bench.workbench import _admin_url, _create, _db_url, _migrate, scratch_name, scratch_release

PROMISED = ("orders", "events_rows_per_1k", "events_kb_per_1k", "callbacks_rows_per_1k", "callbacks_kb_per_1k")

TABLES = (
    ("orders_onlineorder", "orders"),
    ("orders_orderevent", "events"),
    ("orders_historychange", "history"),
    ("orders_outboxmessage", "callbacks"),
    ("orders_callbackattempt", "attempts"),
    ("logistics_trackingevent", "scans"),
    ("orders_pickupbinding", "bindings"),
    ("courier_courieract", "acts"),
    ("core_message", "messages"),
)


def main(argv):
    n = int(argv[argv.index("--orders") + 1]) if "--orders" in argv else 20 if "--smoke" in argv else 2_000
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    admin, name = _admin_url(base), scratch_name(base, "growth")
    try:
        _create(admin, name)
        url = _db_url(base, name)
        _migrate(url)
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from core.demo import demo_network_build
        from dispatch.demo_orders import demo_orders_build
        from orders.models import ApiClient, Channel
        from orders.outbox import outbox_deliver
        from orders.services import channels_ensure

        call_command("load_network", verbosity=0)
        demo_network_build(with_accounts=True)
        channels_ensure()
        for channel in Channel.objects.all():
            ApiClient.objects.create(
                name=f"{channel.name} callbacks",
                channel=channel,
                key=f"bench-{channel.pk}",
                secret="bench-secret",
                callback_url=f"https://callbacks.example.com/{channel.code}",
            )
        t0 = time.perf_counter()
        now = datetime(2026, 11, 20, 18, tzinfo=ZoneInfo("Asia/Shanghai"))
        with mock.patch("django.utils.timezone.now", return_value=now):
            created = demo_orders_build(size=n, now=now)
        with mock.patch("core.outbox.post_signed", return_value=(True, 200, "")):
            delivered = outbox_deliver(limit=1000, rounds=1_000_000)
        print(f"{created:,} orders worked, {delivered:,} callbacks delivered in {time.perf_counter() - t0:.0f} s")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            orders = conn.execute("SELECT count(*) FROM orders_onlineorder").fetchone()[0]
            fields = [f"orders={orders}"]
            print(f"{'table':<28}{'rows':>10}{'rows/1k':>10}{'KB/1k':>10}{'B/row':>8}")
            for table, short in TABLES:
                rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                size = conn.execute("SELECT pg_total_relation_size(%s::regclass)", [table]).fetchone()[0]
                if conn.execute("SELECT relkind FROM pg_class WHERE relname = %s", [table]).fetchone()[0] == "p":
                    size = conn.execute(
                        "SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits "
                        "WHERE inhparent = %s::regclass",
                        [table],
                    ).fetchone()[0]
                per_k, kb_k = rows * 1000 / orders, size / 1024 * 1000 / orders
                print(f"{table:<28}{rows:>10}{per_k:>10.0f}{kb_k:>10.0f}{(size / rows if rows else 0):>8.0f}")
                fields += [f"{short}_rows_per_1k={per_k:.0f}", f"{short}_kb_per_1k={kb_k:.0f}"]
        print("RESULT growth " + " ".join(fields), flush=True)
    finally:
        scratch_release(admin, name)


if __name__ == "__main__":
    main(sys.argv[1:])
