"""The 1st of the month at SPEC §8's size: ``monthly_settlement`` (ledger in step, refunds and their corrections,
rewards, the monthly statements) for 20,000 sites with 12 months of history, run by a bulk worker while beat's
minute jobs run on their own queue and worker.

    python -m bench.settlement [--quick|--smoke] [--sites N] [--timeout S]

A scratch database (created and dropped here) gets 34 provinces and N sites (20,000; ``--quick`` 200,
``--smoke`` 60) and, for each of the 13 months up to the month being settled (X, the month before this one):

- ``ORDERS_PER_SITE_MONTH`` online orders per site (what "a month with orders" and the reward ranking read; the
  real network has ~60 M orders a month, so the order-table reads here are a floor);
- ``VIOLATIONS_PER_SITE_MONTH`` confirmed violations per site (~60,000 a week over the network, SPEC §8), except
  in a quarter of the site-months, which stay clean and so earn refunds.

The months before X are already in the ledger (their fines, as ``ledger_sync`` keeps them every ten minutes) and
settled (the refunds due by X−1 paid by the real ``refunds_settle``); X's own fines are not yet synced. A private
redis-server is the broker; a bulk worker of one process, a minute worker and beat start as the Procfile does;
after beat's first sweep the bench publishes ``penalties.tasks.monthly_settlement`` (what beat does at 02:00 on
the 1st) and samples, every second until the task is done:

- ``settle_s``: from the publish to the task's end (``settle_minutes`` the same in minutes), split into
  ``money_s`` (until the ledger, refunds and rewards commit: the reward quotas appear) and ``statements_s`` (the
  monthly statements' PDFs, national and per province, after it);
- ``sweep_lag_p99_s`` / ``sweep_lag_max_s``: now − the end of the last SLA sweep (beat sweeps every
  ``SLA_SWEEP_SECONDS``, 60 s: an idle system shows up to ~60 s; bar 90 s); ``sweeps_during``: sweeps that ended
  while the settlement ran.

Last line: RESULT settlement sites=… months=12 violations=… ledger_rows=… orders=… settle_s=… money_s=…
statements_s=… settle_minutes=…
refunds=… adjustments=… rewards=… sweep_lag_p99_s=… sweep_lag_max_s=… sweeps_during=… full_minutes_linear=…
(``full_minutes_linear``: settle_s × 20,000 / N ÷ 60, the full network if the run grows with the sites; equal to
settle_minutes at full size.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from .monday import _free_port, _p99, _stop, _wait_port
from .workbench import NETWORK_SQL, ORDERS_SQL, _admin_url, _create, _db_url, _drop, _migrate, scratch_name

PROMISED = (
    "sites",
    "violations",
    "settle_s",
    "money_s",
    "statements_s",
    "settle_minutes",
    "sweep_lag_p99_s",
    "sweep_lag_max_s",
)
PROMISED += ("sweeps_during", "full_minutes_linear")
FULL_SITES = 20_000
MONTHS = 12
ORDERS_PER_SITE_MONTH = 4
VIOLATIONS_PER_SITE_MONTH = 13
BASE = Path(__file__).resolve().parents[1]

VIOLATIONS_SQL = """
INSERT INTO penalties_violation (reference, stint, rule, site_id, province_id, rule_version_id, fine, occurred_at,
                                 week, status, source, evidence, created_at)
SELECT 'S' || %(tag)s || '-' || s.idx || '-' || k, 1, rv.code, s.site_id, s.province_id, rv.id, rv.fine, t.at,
       date_trunc('week', t.at AT TIME ZONE 'Asia/Shanghai')::date, 'CONFIRMED', 'sweep', '', t.at
FROM bench_sites s CROSS JOIN generate_series(1, %(per_site)s) k
CROSS JOIN LATERAL (SELECT %(start)s::timestamptz + ((k * 2 - 1) * interval '1 day') + interval '10 hours' AS at) t
CROSS JOIN LATERAL (SELECT id, code, fine FROM penalties_ruleversion WHERE code = 'LATE_ACCEPT'
                    ORDER BY effective_from DESC LIMIT 1) rv
WHERE mod(s.idx + %(index)s, 4) <> 0
"""

FINES_SQL = """
INSERT INTO finance_ledgerentry (site_id, province_id, month, posted_month, kind, heading, code, amount, source_type,
                                 source_id, key, note, created_at)
SELECT v.site_id, v.province_id, m.month, m.month, 'fine', 'online', v.rule, -v.fine, 'violation', v.id,
       'fine:violation:' || v.id, '', v.occurred_at + interval '10 minutes'
FROM penalties_violation v
CROSS JOIN LATERAL (SELECT date_trunc('month', (v.occurred_at - interval '1 microsecond')
                                      AT TIME ZONE 'Asia/Shanghai')::date AS month) m
WHERE v.occurred_at < %(until)s
"""


def _months(settled):
    """The 13 months X−12 … X (first days), oldest first."""
    from core.clock import month_add

    return [month_add(settled, k) for k in range(-MONTHS, 1)]


def _load(url: str, sites: int, settled) -> dict:
    """The network, the orders and violations of 13 months, the ledger and settlements before X (see the module's
    text); answers the row counts."""
    from datetime import datetime, timedelta

    from core.clock import month_bounds, tz

    months = _months(settled)
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in NETWORK_SQL.replace("%(sites)s", str(sites)).split(";"):
            if statement.strip():
                conn.execute(statement)
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'orders_onlineorder' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        n = sites * ORDERS_PER_SITE_MONTH
        for i, month in enumerate(months):
            start = datetime(month.year, month.month, 1, tzinfo=tz())
            conn.execute(
                ORDERS_SQL
                % {
                    "prefix": f"M{month:%Y%m}-",
                    "waybill_base": 500000000000 + i * 10_000_000,
                    "site_expr": f"mod(g.i, {sites})",
                    "time_expr": f"'{start.isoformat()}'::timestamptz + mod(g.i * 37, 27 * 24) * interval '1 hour'",
                    "start": 1,
                    "stop": n,
                }
            )
            conn.execute(
                VIOLATIONS_SQL,
                {
                    "tag": f"{month:%Y%m}",
                    "per_site": VIOLATIONS_PER_SITE_MONTH,
                    "start": start,
                    "index": i,
                },
            )
        for _, definition in indexes:
            conn.execute(definition)
        conn.execute(FINES_SQL, {"until": month_bounds(settled)[0]})
        conn.execute("VACUUM ANALYZE")
    # the settlements before X, by the real code: every refund part due by X−1 paid
    from django.db import connection

    from core.clock import month_add
    from penalties.money import refunds_settle

    previous = month_add(settled, -1)
    refunds_settle(month=previous, at=month_bounds(previous)[1] + timedelta(hours=2))
    connection.close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE finance_ledgerentry")
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - our own names
            for table in ("penalties_violation", "finance_ledgerentry", "orders_onlineorder")
        }
    return counts


def _processes(env: dict, tmp: Path) -> list[subprocess.Popen]:
    celery = str(Path(sys.executable).parent / "celery")
    common = [celery, "-A", "config", "worker", "--loglevel", "WARNING"]
    commands = {
        "bulk": [*common, "-Q", "bulk", "-n", f"bulk@{tmp.name}", "--concurrency", "1"],
        "minute": [*common, "-Q", "minute", "-n", f"minute@{tmp.name}", "--concurrency", "1"],
        "beat": [celery, "-A", "config", "beat", "--loglevel", "WARNING", "--schedule", str(tmp / "beat-schedule")],
    }
    return [
        subprocess.Popen(cmd, cwd=BASE, env=env, stdout=open(tmp / f"{name}.log", "w"), stderr=subprocess.STDOUT)
        for name, cmd in commands.items()
    ]


def _run(*, url: str, redis_port: int, timeout: float, settled) -> dict:
    from celery import current_app
    from django.db import connection

    from penalties.models import RewardQuota, SweepRun

    tmp = Path(tempfile.mkdtemp(prefix="q9-settlement-"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_RESULT_BACKEND": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_SPLIT_QUEUES": "true",
        "EMAIL_URL": "dummymail://",
        "MEDIA_ROOT": str(tmp / "media"),
        "VAR_DIR": str(tmp),
        "LOG_LEVEL": "WARNING",
    }
    procs = _processes(env, tmp)
    lags, sweeps, money_s = [], set(), None
    try:
        current_app.send_task("penalties.tasks.sla_sweep")  # beat's first is one interval away
        deadline = time.monotonic() + 180
        while not SweepRun.objects.exists():  # the first sweep: the processes are up
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError(f"beat's first sweep did not come; logs in {tmp}")
            time.sleep(0.5)
        started = time.time()
        result = current_app.send_task("penalties.tasks.monthly_settlement")
        deadline = time.monotonic() + timeout
        done = threading.Event()

        def wait():
            try:
                result.get(timeout=timeout, propagate=False)
            finally:
                done.set()

        threading.Thread(target=wait, daemon=True).start()
        while not done.is_set() and time.monotonic() < deadline:
            done.wait(1.0)
            end = SweepRun.objects.order_by("-started_at").values_list("pk", "started_at", "duration_ms").first()
            lags.append(time.time() - (end[1].timestamp() + end[2] / 1000))
            if end[1].timestamp() + end[2] / 1000 > started:
                sweeps.add(end[0])
            if money_s is None and RewardQuota.objects.filter(month=settled).exists():
                money_s = time.time() - started  # the money's transaction committed: the statements follow
        seconds = time.time() - started
        state, value = result.state, result.result
    finally:
        _stop(procs)
        connection.close()
    if state != "SUCCESS":
        raise RuntimeError(f"monthly_settlement ended {state}: {value!r}; logs in {tmp}")
    shutil.rmtree(tmp, ignore_errors=True)
    figures = dict(part.split("=", 1) for part in str(value).split()[1:])
    return {
        "seconds": seconds,
        "money_s": money_s if money_s is not None else seconds,
        "lag_p99": _p99(lags),
        "lag_max": max(lags, default=float("nan")),
        "sweeps": len(sweeps),
        **figures,
    }


def main(argv):
    quick, smoke = "--quick" in argv, "--smoke" in argv

    def arg(flag, default):
        return argv[argv.index(flag) + 1] if flag in argv else default

    sites = int(arg("--sites", 60 if smoke else 200 if quick else FULL_SITES))
    timeout = float(arg("--timeout", 300 if smoke or quick else 3 * 3600))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    admin = _admin_url(base)
    name = scratch_name(base, "settlement")
    url = _db_url(base, name)
    redis_port = _free_port()
    from devtools.stack import redis_server_command

    redis_dir = Path(tempfile.mkdtemp(prefix="q9-settlement-redis-"))
    redis_proc = subprocess.Popen(
        redis_server_command(redis_port, redis_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_port(redis_port, 10)
        _create(admin, name)
        _migrate(url)
        os.environ["DATABASE_URL"] = url
        os.environ["REDIS_URL"] = os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        os.environ["CELERY_RESULT_BACKEND"] = f"redis://127.0.0.1:{redis_port}/0"
        import django

        django.setup()
        from django.utils import timezone

        from core.clock import previous_month

        settled = previous_month()
        t0 = time.perf_counter()
        counts = _load(url, sites, settled)
        print(
            f"loaded {sites:,} sites, {counts['penalties_violation']:,} violations, "
            f"{counts['finance_ledgerentry']:,} ledger rows and {counts['orders_onlineorder']:,} orders over "
            f"{MONTHS + 1} months in {time.perf_counter() - t0:.0f} s; settling {settled:%Y-%m} "
            f"(today {timezone.localdate()})",
            flush=True,
        )
        r = _run(url=url, redis_port=redis_port, timeout=timeout, settled=settled)
    finally:
        redis_proc.terminate()
        redis_proc.wait(10)
        shutil.rmtree(redis_dir, ignore_errors=True)
        _drop(admin, name)
    full = r["seconds"] * FULL_SITES / sites / 60
    print(
        f"monthly_settlement of {sites:,} sites: {r['seconds']:.1f} s (ledger, refunds and rewards "
        f"{r['money_s']:.1f} s, then the statements' PDFs {r['seconds'] - r['money_s']:.1f} s); sweep lag p99 {r['lag_p99']:.0f} s "
        f"(max {r['lag_max']:.0f} s, {r['sweeps']} sweeps ended during the run); linear to {FULL_SITES:,} sites: "
        f"{full:.1f} min",
        flush=True,
    )
    print(
        f"RESULT settlement sites={sites} months={MONTHS} violations={counts['penalties_violation']} "
        f"ledger_rows={counts['finance_ledgerentry']} orders={counts['orders_onlineorder']} "
        f"settle_s={r['seconds']:.1f} money_s={r['money_s']:.1f} statements_s={r['seconds'] - r['money_s']:.1f} "
        f"settle_minutes={r['seconds'] / 60:.2f} refunds={r.get('refunds', '?')} "
        f"adjustments={r.get('adjustments', '?')} rewards={r.get('rewards', '?')} "
        f"sweep_lag_p99_s={r['lag_p99']:.1f} sweep_lag_max_s={r['lag_max']:.1f} sweeps_during={r['sweeps']} "
        f"full_minutes_linear={full:.1f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
