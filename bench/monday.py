"""Monday 09:00 at SPEC §8's size: every site's notice rendered and sent by a bulk worker pool while beat's minute
jobs and a stream of channel callbacks run, with one queue for everything (before) and with the minute's own
queue and worker (after).

    python -m bench.monday [--quick|--smoke] [--sites N] [--bulk P] [--queues one|two|both]

A scratch database (created and dropped here) gets 34 provinces, N sites (20,000; ``--quick`` 2,000, ``--smoke``
60) and three confirmed violations per site in last week (60,000 at full size); a private redis-server on a free
port is the broker. Each mode starts the real processes as the Procfile does — a bulk worker of P processes
(``--bulk``, default 2: this machine has 2 cores), a minute worker of one process, and beat — waits for beat's
first sweep, then publishes ``weekly_cycle`` (what beat does at Monday 09:00: prepare the notices, one
``notice_send`` task per site, the reports) while a callback is queued every second (an outbox row and its kick,
delivered to a local HTTP receiver). Measured while the notices are issued:

- ``notices_per_s_per_process``: notices issued ÷ seconds from the cycle's publish to the last notice ÷ P;
- ``minutes_4_processes``: 20,000 ÷ (4 × that rate) ÷ 60 — the full network on 4 bulk processes, assuming each
  has a core of its own (here P processes share 2 cores with PostgreSQL, the minute worker and beat, so the
  per-process rate is a floor);
- ``sweep_lag_p99_s``: now − the end of the last SLA sweep, sampled every second (beat sweeps every 60 s, so an
  idle system shows up to ~60 s); bar 90 s;
- ``callback_p99_s``: from a callback's outbox row to its arrival at the receiver; bar 60 s.

Keys with ``_one_queue`` are the same run with every task on one queue (``CELERY_SPLIT_QUEUES=false``) and every
worker process taking from it. Last line: RESULT monday sites=… notices=… bulk=… notices_per_s_per_process=…
minutes_4_processes=… sweep_lag_p99_s=… callback_p99_s=… [sweep_lag_p99_s_one_queue=… callback_p99_s_one_queue=…]
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg

from .sweep import ORDERS_SQL
from .workbench import NETWORK_SQL, _admin_url, _create, _db_url, _drop, _migrate, scratch_name

PROMISED = ("sites", "notices", "bulk", "notices_per_s_per_process", "minutes_4_processes", "sweep_lag_p99_s")
PROMISED += ("callback_p99_s",)
FULL_SITES = 20_000
PER_SITE = 3
BASE = Path(__file__).resolve().parents[1]

VIOLATIONS_SQL = """
INSERT INTO penalties_violation (reference, stint, rule, site_id, province_id, rule_version_id, fine, occurred_at,
                                 week, status, source, evidence, created_at)
SELECT 'B' || s.idx || '-' || k, 1, rv.code, s.site_id, s.province_id, rv.id, rv.fine,
       %(week)s::date + interval '1 day' + k * interval '3 hours', %(week)s::date, 'CONFIRMED', 'sweep', '', now()
FROM bench_sites s CROSS JOIN generate_series(1, %(per_site)s) k
CROSS JOIN LATERAL (SELECT id, code, fine FROM penalties_ruleversion WHERE code = 'LATE_ACCEPT'
                    ORDER BY effective_from DESC LIMIT 1) rv
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on {port}")
        time.sleep(0.1)


def _p99(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


class Receiver:
    """The channels' callback endpoint: when each bench callback (``seq``) arrived."""

    def __init__(self):
        arrived = self.arrived = {}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    seq = json.loads(body).get("bench_seq")
                except ValueError:
                    seq = None
                if seq is not None:
                    arrived.setdefault(seq, time.time())
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"result": true, "returnCode": "200", "message": "ok"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cb"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def _load(url: str, sites: int, week) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in NETWORK_SQL.replace("%(sites)s", str(sites)).split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(ORDERS_SQL % {"n": 1, "due": 0, "sites": sites})  # the one order the callbacks are about
        conn.execute(VIOLATIONS_SQL, {"week": week, "per_site": PER_SITE})
        conn.execute("ANALYZE")


def _processes(env: dict, tmp: Path, *, split: bool, bulk: int) -> list[subprocess.Popen]:
    celery = str(Path(sys.executable).parent / "celery")
    common = [celery, "-A", "config", "worker", "--loglevel", "WARNING", "--max-tasks-per-child", "200"]
    bulk_q, minute_q = ("bulk", "minute") if split else ("bulk", "bulk")
    commands = {
        "bulk": [*common, "-Q", bulk_q, "-n", f"bulk@{tmp.name}", "--concurrency", str(bulk)],
        "minute": [*common, "-Q", minute_q, "-n", f"minute@{tmp.name}", "--concurrency", "1"],
        "beat": [celery, "-A", "config", "beat", "--loglevel", "WARNING", "--schedule", str(tmp / "beat-schedule")],
    }
    return [
        subprocess.Popen(cmd, cwd=BASE, env=env, stdout=open(tmp / f"{name}.log", "w"), stderr=subprocess.STDOUT)
        for name, cmd in commands.items()
    ]


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)


def _mode(*, url: str, template: str, sites: int, bulk: int, split: bool, redis_port: int, timeout: float) -> dict:
    """One Monday: a fresh copy of the loaded database, the processes, the cycle, the samples."""
    from django.db import connection
    from django.utils import timezone

    from core import broker
    from orders.models import ApiClient, OnlineOrder, OutboxMessage
    from orders.services import api_client_create, channels_ensure
    from orders.tasks import callbacks_deliver
    from penalties.models import SweepRun, WeeklyNotice

    connection.close()
    admin, name = _admin_url(url), url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    import redis

    redis.Redis(port=redis_port).flushall()
    receiver = Receiver()
    channel = channels_ensure()["taobao"]
    client, _secret = api_client_create(
        name="淘宝(bench)", kind="channel", channel=channel, adapter="generic", callback_url=receiver.url
    )
    ApiClient.objects.exclude(pk=client.pk).update(callback_url="")
    order = OnlineOrder.objects.order_by("pk").first()
    tmp = Path(tempfile.mkdtemp(prefix="q9-monday-"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_RESULT_BACKEND": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_SPLIT_QUEUES": "true" if split else "false",
        "CALLBACK_ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "dummymail://",
        "MEDIA_ROOT": str(tmp / "media"),
        "VAR_DIR": str(tmp),
        "LOG_LEVEL": "WARNING",
    }
    procs = _processes(env, tmp, split=split, bulk=bulk)
    lags, created, stop = [], {}, threading.Event()
    try:
        from celery import current_app

        current_app.send_task("penalties.tasks.sla_sweep")  # beat's first is one interval away
        deadline = time.monotonic() + 120
        while not SweepRun.objects.exists():  # the first sweep: the processes are up
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError(f"beat's first sweep did not come; logs in {tmp}")
            time.sleep(0.5)

        def stream():
            seq = 0
            while not stop.is_set():
                now = timezone.now()
                OutboxMessage.objects.create(
                    client=client,
                    order=order,
                    kind="accepted",
                    url=receiver.url,
                    payload={"bench_seq": seq},
                    next_attempt_at=now,
                    created_at=now,
                )
                created[seq] = time.time()
                broker.kick(callbacks_deliver)
                seq += 1
                stop.wait(1.0)
            connection.close()

        streamer = threading.Thread(target=stream, daemon=True)
        streamer.start()
        started = time.time()
        current_app.send_task("penalties.tasks.weekly_cycle")
        expected, issued, last_issued = sites, 0, started
        deadline = time.monotonic() + timeout
        while issued < expected and time.monotonic() < deadline:
            time.sleep(1.0)
            end = SweepRun.objects.order_by("-started_at").values_list("started_at", "duration_ms").first()
            lags.append(time.time() - (end[0].timestamp() + end[1] / 1000))
            now_issued = WeeklyNotice.objects.filter(issued_at__isnull=False).count()
            if now_issued > issued:
                issued, last_issued = now_issued, time.time()
        stop.set()
        streamer.join(10)
        wait_until = time.monotonic() + 90  # the callbacks queued during the run, delivered
        while len(receiver.arrived) < len(created) and time.monotonic() < wait_until:
            time.sleep(0.5)
        latencies = [receiver.arrived[s] - t for s, t in created.items() if s in receiver.arrived]
        latencies += [time.time() - t for s, t in created.items() if s not in receiver.arrived]  # never came
    finally:
        stop.set()
        _stop(procs)
        receiver.close()
        connection.close()
    seconds = last_issued - started
    result = {
        "notices": issued,
        "seconds": seconds,
        "per_process": issued / seconds / bulk if seconds > 0 else 0.0,
        "lag_p99": _p99(lags),
        "lag_max": max(lags, default=float("nan")),
        "callback_p99": _p99(latencies),
        "callbacks": len(created),
        "complete": issued >= expected,
    }
    shutil.rmtree(tmp, ignore_errors=True)
    return result


def main(argv):
    quick, smoke = "--quick" in argv, "--smoke" in argv

    def arg(flag, default):
        return argv[argv.index(flag) + 1] if flag in argv else default

    sites = int(arg("--sites", 60 if smoke else FULL_SITES // 10 if quick else FULL_SITES))
    bulk = int(arg("--bulk", 2))
    queues = arg("--queues", "two" if smoke else "both")
    timeout = float(arg("--timeout", 120 if smoke else 3 * 3600))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    admin = _admin_url(base)
    name, template = scratch_name(base, "monday"), scratch_name(base, "monday_loaded")
    url, template_url = _db_url(base, name), _db_url(base, template)
    redis_port = _free_port()
    from devtools.stack import redis_server_command

    redis_dir = Path(tempfile.mkdtemp(prefix="q9-monday-redis-"))
    redis_proc = subprocess.Popen(
        redis_server_command(redis_port, redis_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    results = {}
    try:
        _wait_port(redis_port, 10)
        _create(admin, template)
        _migrate(template_url)
        from datetime import timedelta

        from django.utils import timezone

        os.environ["DATABASE_URL"] = url
        os.environ["REDIS_URL"] = os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        os.environ["CALLBACK_ALLOWED_HOSTS"] = "127.0.0.1"
        today = timezone.localdate()
        week = today - timedelta(days=today.weekday() + 7)  # last week: what weekly_cycle notices
        t0 = time.perf_counter()
        _load(template_url, sites, week)
        print(f"loaded {sites:,} sites and {sites * PER_SITE:,} violations in {time.perf_counter() - t0:.0f} s")
        modes = {"one": [False], "two": [True], "both": [False, True]}[queues]
        for split in modes:
            os.environ["CELERY_SPLIT_QUEUES"] = "true" if split else "false"
            import django

            if not results:
                django.setup()
            from django.conf import settings

            from config.celery import app

            # the routes follow the mode (settings are read once per process; this one only publishes)
            app.conf.task_routes = {n: {"queue": settings.MINUTE_QUEUE} for n in settings.MINUTE_TASKS} if split else {}
            app.amqp.flush_routes()
            app.amqp.__dict__.pop("router", None)
            r = _mode(
                url=url, template=template, sites=sites, bulk=bulk, split=split, redis_port=redis_port, timeout=timeout
            )
            results["two" if split else "one"] = r
            print(
                f"{'two queues' if split else 'one queue '}: {r['notices']:,} notices in {r['seconds']:.0f} s "
                f"({r['per_process']:.2f}/s per bulk process, {bulk} processes), sweep lag p99 {r['lag_p99']:.0f} s "
                f"(max {r['lag_max']:.0f} s), callback p99 {r['callback_p99']:.1f} s over {r['callbacks']} callbacks"
                + ("" if r["complete"] else " — INCOMPLETE (timeout)"),
                flush=True,
            )
    finally:
        redis_proc.terminate()
        redis_proc.wait(10)
        shutil.rmtree(redis_dir, ignore_errors=True)
        _drop(admin, name)
        _drop(admin, template)
    main_r = results.get("two") or results["one"]
    minutes = FULL_SITES / (4 * main_r["per_process"]) / 60 if main_r["per_process"] else float("inf")
    print(
        f"extrapolated: {FULL_SITES:,} notices ÷ (4 processes × {main_r['per_process']:.2f}/s) = {minutes:.1f} min "
        "(each process on a core of its own)"
    )
    fields = (
        f"sites={sites} notices={main_r['notices']} bulk={bulk} notices_per_s_per_process={main_r['per_process']:.2f} "
        f"minutes_4_processes={minutes:.1f} sweep_lag_p99_s={main_r['lag_p99']:.1f} "
        f"callback_p99_s={main_r['callback_p99']:.1f}"
    )
    if "one" in results and "two" in results:
        one = results["one"]
        fields += f" sweep_lag_p99_s_one_queue={one['lag_p99']:.1f} callback_p99_s_one_queue={one['callback_p99']:.1f}"
    print(f"RESULT monday {fields}")


if __name__ == "__main__":
    main(sys.argv[1:])
