"""One SLA sweep over a million open orders of which ten thousand are due, against a bare SQL
INSERT … SELECT … ON CONFLICT DO NOTHING doing the same detection, in the same run.

    python -m bench.sweep [--quick|--smoke] [--orders N] [--due N] [--repeat K]

A scratch database (created and dropped here) gets 2,000 sites and N open orders (half pending, half accepted),
one "created" event each (accepted ones also an on-time "accepted" event), each event with the clocks as they
stood (``clock_*``, as ``orders.events`` writes them), and 50,000 on-time answers inside the sweep's window; ``due`` of the orders have a
deadline inside the window (half accept, half pickup), the rest later. Each repeat empties the violation tables
first. The bare statement detects the same open orders (pending past the accept deadline, open past the pickup
deadline when it falls at or after the holder's accept deadline) as one INSERT … SELECT … ON CONFLICT DO NOTHING into the same violation table (same indexes and unique
key), with the rule versions looked up beforehand and without the history statements, lock or run record.
Also measured: the SQL statements per sweep with ``due`` and with a tenth of it (they must be equal).

Last line: RESULT sweep orders=… due=… sweep_ms=… bare_ms=… statements=… statements_small=… ratio=sweep/bare
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import psycopg

from .workbench import (
    NETWORK_SQL,
    SITES,
    _admin_url,
    _create,
    _db_url,
    _drop,
    _migrate,
    scratch_name,
)

# the keys of the RESULT line (tests/ops/test_benches.py runs every bench with --smoke and checks them)
PROMISED = (
    "orders",
    "due",
    "violations",
    "sweep_ms",
    "bare_ms",
    "statements",
    "statements_small",
    "bare_rows",
    "parity",
    "ratio",
)

ORDERS_SQL = """
INSERT INTO orders_onlineorder (
  channel_id, channel_order_id, business_type, is_online, sender_name, sender_phone, sender_province, sender_city,
  sender_district, sender_address, sender_adcode, receiver_name, receiver_phone, receiver_province, receiver_city,
  receiver_district, receiver_address, goods, remark, order_time, state, site_id, province_id, route_reason, stint,
  stint_started_at, accept_due_at, pickup_due_at, accepted_at, pickup_source, fail_reason, fail_text, created_at,
  updated_at)
SELECT ch.id, 'S' || g.i, 'send', true, '张三', '13800000000', '浙江省', '杭州市', '西湖区', '文三路1号', '330106',
       '李四', '13900000000', '上海市', '', '浦东新区', '世纪大道1号', '衣服', '', t.ot, st.state, s.site_id,
       s.province_id, '', 1, t.ot,
       t.accept_due, t.pickup_due,
       CASE WHEN st.state = 'ACCEPTED' THEN t.ot + interval '5 minutes' END, '', '', '', t.ot, t.ot
FROM generate_series(1::bigint, %(n)s::bigint) AS g(i)
CROSS JOIN LATERAL (SELECT CASE WHEN mod(g.i, 2) = 0 THEN 'PENDING' ELSE 'ACCEPTED' END AS state) st
CROSS JOIN LATERAL (SELECT
    CASE WHEN g.i <= %(due)s THEN now() - interval '3 hours' ELSE now() - interval '5 minutes' END AS ot,
    CASE WHEN g.i <= %(due)s THEN now() - interval '30 minutes' - mod(g.i, 50) * interval '1 second'
         ELSE now() + interval '20 minutes' END AS accept_due,
    CASE WHEN g.i <= %(due)s THEN now() - interval '20 minutes' - mod(g.i, 50) * interval '1 second'
         ELSE now() + interval '15 hours' END AS pickup_due) t
JOIN bench_sites s ON s.idx = mod(g.i * 7919, %(sites)s)
JOIN orders_channel ch ON ch.slug = 'taobao'
"""

EVENTS_SQL = """
INSERT INTO orders_orderevent (order_id, kind, at, actor_label, site_id, stint, from_state, to_state, reason, text,
                               waybill_no, data, clock_started_at, clock_accept_due_at, clock_pickup_due_at)
SELECT o.id, 'created', o.order_time, '淘宝', o.site_id, 1, '', 'PENDING', '', '', '', '{}'::jsonb,
       o.stint_started_at, o.accept_due_at, o.pickup_due_at
FROM orders_onlineorder o;
INSERT INTO orders_orderevent (order_id, kind, at, actor_label, site_id, stint, from_state, to_state, reason, text,
                               waybill_no, data, clock_started_at, clock_accept_due_at, clock_pickup_due_at)
SELECT o.id, 'accepted', o.accepted_at, '', o.site_id, 1, 'PENDING', 'ACCEPTED', '', '', '', '{"late": false}'::jsonb,
       o.stint_started_at, o.accept_due_at, o.pickup_due_at
FROM orders_onlineorder o WHERE o.state = 'ACCEPTED';
INSERT INTO orders_orderevent (order_id, kind, at, actor_label, site_id, stint, from_state, to_state, reason, text,
                               waybill_no, data, clock_started_at, clock_accept_due_at, clock_pickup_due_at)
SELECT o.id, 'courier', now() - interval '10 minutes', '', o.site_id, 1, 'ACCEPTED', 'ACCEPTED', '', '', '', '{}'::jsonb,
       o.stint_started_at, o.accept_due_at, o.pickup_due_at
FROM orders_onlineorder o WHERE o.state = 'ACCEPTED' AND o.id > %(due)s ORDER BY o.id LIMIT 50000;
"""

# the same detection as one plain statement into the same table (same columns, indexes and unique key), with the
# rule versions looked up beforehand: what the sweep costs beyond this is its own doing
BARE = """
INSERT INTO penalties_violation (order_id, stint, rule, site_id, province_id, rule_version_id, fine, occurred_at,
                                 week, status, source, evidence, created_at)
SELECT id, stint, 'LATE_ACCEPT', site_id, province_id, %(accept_rv)s, 100, accept_due_at,
       (date_trunc('week', accept_due_at AT TIME ZONE 'Asia/Shanghai'))::date, 'CONFIRMED', 'sweep', '', now()
  FROM orders_onlineorder
 WHERE state = 'PENDING' AND accept_due_at >= %(since)s AND accept_due_at < %(until)s
UNION ALL
SELECT o.id, o.stint, 'LATE_PICKUP', o.site_id, o.province_id, %(pickup_rv)s, 100, o.pickup_due_at,
       (date_trunc('week', o.pickup_due_at AT TIME ZONE 'Asia/Shanghai'))::date, 'CONFIRMED', 'sweep', '', now()
  FROM orders_onlineorder o JOIN core_site s ON s.id = o.site_id
 WHERE o.state IN ('PENDING', 'ACCEPTED') AND NOT s.is_data_center
   AND o.pickup_due_at >= %(since)s AND o.pickup_due_at < %(until)s AND o.pickup_due_at >= o.stint_started_at
   -- the holder answers for a pickup deadline at or after its own accept deadline (clock.holder_answers_for_pickup)
   AND o.pickup_due_at >= o.accept_due_at
ON CONFLICT (order_id, stint, rule) WHERE source = 'sweep' AND NOT (status = 'VOIDED') DO NOTHING
"""


def _load(url: str, n: int, due: int) -> float:
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        for statement in NETWORK_SQL.replace("%(sites)s", str(SITES)).split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(ORDERS_SQL % {"n": n, "due": due, "sites": SITES})
        for statement in EVENTS_SQL.split(";"):
            if statement.strip():
                conn.execute(statement % {"due": due})
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def main(argv):
    quick, smoke = "--quick" in argv, "--smoke" in argv

    def arg(flag, default):
        return int(argv[argv.index(flag) + 1]) if flag in argv else default

    n = arg("--orders", 20_000 if smoke else 100_000 if quick else 1_000_000)
    due = arg("--due", 200 if smoke else 1_000 if quick else 10_000)
    repeat = arg("--repeat", 2 if smoke else 5 if quick else 7)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    admin, name = _admin_url(base), scratch_name(base, "sweep")
    try:
        _create(admin, name)
        url = _db_url(base, name)
        _migrate(url)
        print(f"loaded {n:,} open orders ({due:,} due) in {_load(url, n, due):.0f} s", flush=True)
        os.environ["DATABASE_URL"] = url
        import django

        django.setup()
        from datetime import timedelta

        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from penalties.models import RuleVersion, Violation
        from penalties.sweep import sla_sweep

        now = timezone.now()
        window = {"since": now - timedelta(hours=1), "until": now}
        versions = dict(RuleVersion.objects.values_list("code", "pk"))
        bare_params = {**window, "accept_rv": versions["LATE_ACCEPT"], "pickup_rv": versions["LATE_PICKUP"]}

        def reset():
            with connection.cursor() as cursor:
                # CASCADE: every table that references violations (events, attachments, appeals, notice lines,
                # and whatever later issues add) is emptied with them, so a new reference cannot break the bench
                cursor.execute("TRUNCATE penalties_violation, penalties_sweeprun CASCADE")

        sweep_ms, bare_ms = [], []
        for _i in range(repeat):
            reset()
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(BARE, bare_params)
                bare_rows = cursor.rowcount
            bare_ms.append((time.perf_counter() - t0) * 1000)
            reset()
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                result = sla_sweep(since=window["since"], until=window["until"], at=now)
            sweep_ms.append((time.perf_counter() - t0) * 1000)
            statements = len(ctx.captured_queries)
            # parity: the product's rules against the bare statement's; the generated rows are what the services
            # write (an accepted order keeps its stint's accept deadline, every event snapshots the clocks), and
            # the bare statement states the holder's pickup rule, so both must find the same violations
            parity = int(result.inserted == bare_rows == Violation.objects.count())
        # the same sweep with a tenth of the deadlines in its window: the same statements
        reset()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT min(accept_due_at), max(accept_due_at) FROM orders_onlineorder WHERE accept_due_at < %s", [now]
            )
            lo, hi = cursor.fetchone()
        small_window = {"since": lo, "until": lo + (hi - lo) / 10}
        with CaptureQueriesContext(connection) as ctx:
            small = sla_sweep(since=small_window["since"], until=small_window["until"], at=now)
        statements_small = len(ctx.captured_queries)
        reset()
        connection.close()
    finally:
        _drop(admin, name)
    s, b = statistics.median(sweep_ms), statistics.median(bare_ms)
    print(
        f"violations={result.inserted:,} (small window: {small.inserted:,}); sweep median {s:.0f} ms, "
        f"bare median {b:.0f} ms; statements {statements} vs {statements_small}"
    )
    print(
        f"RESULT sweep orders={n} due={due} violations={result.inserted} sweep_ms={s:.1f} bare_ms={b:.1f} "
        f"statements={statements} statements_small={statements_small} bare_rows={bare_rows} parity={parity} "
        f"ratio={s / b:.2f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
