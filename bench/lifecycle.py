"""Data over time: erasing a month of personal data and archiving a month partition, measured.

    python -m bench.lifecycle [--quick|--smoke] [--orders N] [--scans N]

A scratch database (migrated, loaded by SQL like bench.sweep) gets N orders closed 200 days ago with their events;
then ``retention.services.erasure_run`` (the real service, batches of 2,000) erases them while a poller process runs
the clerk's unchanged-poll query (the site's pending count, what 网点接单's 304 answer costs the database) — its
p95 while the erasure runs against its p95 before, as ``ratio=``. Then a month of tracking scans is archived from
its partition (``core.partitions.partition_archive``: detach, gzip'd COPY, manifest, drop) and the same rows are
deleted from a plain copy of the table (time, and the dead rows left behind).

Default 1,000,000 orders and 1,000,000 scans (--quick 100,000, --smoke 5,000). SPEC §8's month is ~60 M orders:
``full_month_erase_s_est`` extrapolates the measured rate linearly (an estimate, not a measurement).

Last line: RESULT lifecycle orders=… erase_s=… erase_per_s=… poll_p95_ms_idle=… poll_p95_ms_erasing=… ratio=…
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time

import psycopg

from bench.sweep import _load
from bench.workbench import _admin_url, _create, _db_url, _migrate, scratch_name, scratch_release

PROMISED = (
    "orders",
    "erase_s",
    "erase_per_s",
    "poll_p95_ms_idle",
    "poll_p95_ms_erasing",
    "ratio",
    "scans",
    "archive_s",
    "delete_s",
    "delete_dead_rows",
    "full_month_erase_s_est",
)

CLOSE_SQL = """
UPDATE orders_onlineorder SET state = 'PICKED_UP', order_time = order_time - interval '200 days',
       picked_up_at = order_time - interval '200 days' + interval '2 hours',
       updated_at = order_time - interval '200 days' + interval '2 hours'
 WHERE id % 20 <> 0
"""

SCANS_SQL = """
INSERT INTO logistics_trackingevent (waybill_no, scan_type, site_code, scanned_at, operator, received_at, source)
SELECT lpad(g::text, 12, '0'), 'PU', '33010601', timestamptz '2024-03-01 00:00+08' + (g %% 2500000) * interval '1 second',
       '', now(), 'api'
FROM generate_series(1, %(n)s) g
"""


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


IDLE, ERASING, STOP = 0, 1, 2


def _poll(url: str, site_id: int, phase, out) -> None:
    """The unchanged poll's query, over and over, on its own connection, in a process of its own (as a web worker
    runs it: a thread of the erasing process would measure the wait for Python's GIL, not the database);
    latencies per phase, sent back when told to stop."""
    samples: dict[str, list[float]] = {"idle": [], "erasing": []}
    with psycopg.connect(url, autocommit=True) as conn:
        while phase.value != STOP:
            key = "idle" if phase.value == IDLE else "erasing"
            t0 = time.perf_counter()
            conn.execute(
                "SELECT count(*) FROM orders_onlineorder WHERE site_id = %s AND state = 'PENDING'", [site_id]
            ).fetchone()
            samples[key].append((time.perf_counter() - t0) * 1000)
            time.sleep(0.02)
    out.put(samples)


class Poller:
    """The poll in a child process; ``phase`` switches it from idle to erasing; ``finish`` returns its samples."""

    def __init__(self, url: str, site_id: int):
        ctx = multiprocessing.get_context("spawn")
        self.phase, self.out = ctx.Value("i", IDLE), ctx.Queue()
        self.process = ctx.Process(target=_poll, args=(url, site_id, self.phase, self.out), daemon=True)

    def start(self) -> None:
        self.process.start()

    def erasing(self) -> None:
        self.phase.value = ERASING

    def finish(self) -> dict[str, list[float]]:
        self.phase.value = STOP
        samples = self.out.get(timeout=60)
        self.process.join(10)
        return samples


def main(argv):
    quick, smoke = "--quick" in argv, "--smoke" in argv

    def arg(flag, default):
        return int(argv[argv.index(flag) + 1]) if flag in argv else default

    n = arg("--orders", 5_000 if smoke else 100_000 if quick else 1_000_000)
    scans = arg("--scans", 5_000 if smoke else 100_000 if quick else 1_000_000)
    idle_s = 1.0 if smoke else 5.0 if quick else 20.0  # the baseline's polls: ~50 a second
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    admin, name = _admin_url(base), scratch_name(base, "lifecycle")
    archive = tempfile.mkdtemp(prefix="q9-archive-")
    try:
        _create(admin, name)
        url = _db_url(base, name)
        _migrate(url)
        print(f"loaded {n:,} orders in {_load(url, n, 0):.0f} s", flush=True)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(CLOSE_SQL)
            conn.execute("VACUUM ANALYZE orders_onlineorder")
            site_id = conn.execute("SELECT site_id FROM orders_onlineorder WHERE state = 'PENDING' LIMIT 1").fetchone()
        os.environ["DATABASE_URL"] = url
        os.environ["PARTITION_ARCHIVE_DIR"] = archive
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from datetime import date

        from core.partitions import month_create, partition_archive
        from logistics.partitions import SCANS
        from retention.services import erasure_run

        poller = Poller(url, site_id[0] if site_id else 0)
        poller.start()
        time.sleep(idle_s)
        poller.erasing()
        t0 = time.perf_counter()
        run = erasure_run(batch=2000, max_batches=10_000_000)
        erase_s = time.perf_counter() - t0
        samples = poller.finish()
        idle, erasing = samples["idle"] or [0.0], samples["erasing"] or [0.0]
        p95_idle, p95_erasing = _p95(idle), _p95(erasing)
        rate = run.orders / erase_s if erase_s else 0
        print(
            f"erased {run.orders:,} orders ({run.events:,} events) in {erase_s:.1f} s; poll p95 {p95_idle:.2f} ms "
            f"idle, {p95_erasing:.2f} ms erasing ({len(idle)}/{len(erasing)} polls)",
            flush=True,
        )

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(SCANS_SQL, {"n": scans})
            conn.execute("CREATE TABLE scan_plain AS SELECT * FROM logistics_trackingevent")
            conn.execute("CREATE INDEX ON scan_plain (waybill_no, scanned_at)")
            conn.execute("VACUUM ANALYZE scan_plain")
        month = date(2024, 3, 1)
        month_create(SCANS, month)
        t0 = time.perf_counter()
        record = partition_archive(SCANS, month)
        archive_s = time.perf_counter() - t0
        with psycopg.connect(url, autocommit=True) as conn:
            t0 = time.perf_counter()
            deleted = conn.execute(
                "DELETE FROM scan_plain WHERE scanned_at >= %s AND scanned_at < %s",
                [record.get("from"), record.get("to")],
            ).rowcount
            delete_s = time.perf_counter() - t0
            conn.execute("SELECT pg_stat_force_next_flush()")
            time.sleep(0.6)
            dead = conn.execute(
                "SELECT coalesce(n_dead_tup, 0) FROM pg_stat_user_tables WHERE relname = 'scan_plain'"
            ).fetchone()[0]
        print(
            f"a month of {record.get('rows', 0):,} scans archived (detach, COPY, gzip, drop) in {archive_s:.2f} s; "
            f"the same {deleted:,} rows deleted from a plain table in {delete_s:.2f} s, {dead:,} dead rows left",
            flush=True,
        )
        print(
            f"RESULT lifecycle orders={run.orders} erase_s={erase_s:.2f} erase_per_s={rate:.0f} "
            f"poll_p95_ms_idle={p95_idle:.2f} poll_p95_ms_erasing={p95_erasing:.2f} "
            f"ratio={p95_erasing / p95_idle if p95_idle else 0:.2f} scans={record.get('rows', 0)} "
            f"archive_s={archive_s:.2f} delete_s={delete_s:.2f} delete_dead_rows={dead} "
            f"full_month_erase_s_est={60_000_000 / rate if rate else 0:.0f}",
            flush=True,
        )
    finally:
        scratch_release(admin, name)
        shutil.rmtree(archive, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
