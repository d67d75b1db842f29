"""Order events in month partitions against one plain table: the desk's reads of events, and the cost of the move.

    python -m bench.events [--smoke] [--orders N]

A scratch database (migrated: ``orders_orderevent`` partitioned by month) gets N orders (``bench.sweep``'s load)
and four events each (created, accepted, courier, picked up), spread over 13 months. The same rows go into a plain
table with the same primary key on id and the same indexes (what ``orders_orderevent`` was before ``orders.0019``)
and, by one ``INSERT … SELECT`` (the migration's way), into the partitioned table: that copy's rate is
``copy_per_s``. Then each read runs 400 times with random arguments, unprepared (as Django sends it), on both:

- ``id``: one event by id (``WHERE id = …``: every month's index is probed, the key being (id, at));
- ``history``: one order's events (``WHERE order_id = … ORDER BY at, id``: the order page's history);
- ``history_since``: the same bounded below by the order's time (``AND at >= <order time>``: the months before
  the order are pruned when the statement is planned);
- ``recent``: the last 50 acceptances of the past day (``kind = … AND at >= <a day ago> ORDER BY at DESC``, the
  time passed as a parameter as Django passes it: the months outside the day are pruned when planned).

Default 250,000 orders (1 M events; --smoke 2,000). Last line: RESULT events orders=… events=… months=… copy_s=… copy_per_s=…
<read>_p50_ms_plain=… <read>_p50_ms_parted=… <read>_ratio=… plain_mb=… parted_mb=…
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

import psycopg

from bench.sweep import _load
from bench.workbench import _admin_url, _create, _db_url, _migrate, scratch_name, scratch_release

MONTHS = 13
PROMISED = ("orders", "events", "months", "copy_s", "copy_per_s", "id_ratio", "history_ratio", "recent_ratio")

EVENTS_SQL = """
INSERT INTO ev_plain (id, order_id, kind, at, actor_label, site_id, stint, from_state, to_state, reason, text,
                      waybill_no, data)
SELECT row_number() OVER (), o.id, k.kind, now() - (o.id %% (%(days)s)) * interval '1 day' + k.after, '', o.site_id,
       1, '', '', '', '', '', '{}'::jsonb
FROM orders_onlineorder o
CROSS JOIN (VALUES ('created', interval '0'), ('accepted', interval '5 minutes'), ('courier', interval '9 minutes'),
                   ('picked_up', interval '3 hours')) AS k(kind, after)
"""

READS = {
    "id": "SELECT * FROM {t} WHERE id = %s",
    "history": "SELECT * FROM {t} WHERE order_id = %s ORDER BY at, id",
    "history_since": "SELECT * FROM {t} WHERE order_id = %s AND at >= %s ORDER BY at, id",
    "recent": "SELECT * FROM {t} WHERE kind = 'accepted' AND at >= %s ORDER BY at DESC LIMIT 50",
}


def _time(conn, sql: str, args: list, repeat: int) -> float:
    samples = []
    for i in range(repeat):
        t0 = time.perf_counter()
        conn.execute(sql, args[i % len(args)] if args else None, prepare=False).fetchall()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main(argv):
    n = int(argv[argv.index("--orders") + 1]) if "--orders" in argv else 2_000 if "--smoke" in argv else 250_000
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    admin, name = _admin_url(base), scratch_name(base, "events")
    try:
        _create(admin, name)
        url = _db_url(base, name)
        _migrate(url)
        print(f"loaded {n:,} orders in {_load(url, n, 0):.0f} s", flush=True)
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.utils import timezone

        from core import clock
        from core.partitions import month_create, month_of
        from orders.partitions import EVENTS

        this = month_of(timezone.now())
        for i in range(MONTHS, -2, -1):
            month_create(EVENTS, clock.month_add(this, -i))
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("TRUNCATE orders_orderevent")
            conn.execute("CREATE TABLE ev_plain (LIKE orders_orderevent INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            conn.execute(EVENTS_SQL, {"days": MONTHS * 30})
            conn.execute("ALTER TABLE ev_plain ADD PRIMARY KEY (id)")
            conn.execute("CREATE INDEX ON ev_plain (order_id, at)")
            conn.execute("CREATE INDEX ON ev_plain (kind, at)")
            conn.execute("SET synchronous_commit = off")
            t0 = time.perf_counter()
            copied = conn.execute("INSERT INTO orders_orderevent SELECT * FROM ev_plain").rowcount
            copy_s = time.perf_counter() - t0
            conn.execute("VACUUM ANALYZE ev_plain")
            conn.execute("VACUUM ANALYZE orders_orderevent")
            months = conn.execute(
                "SELECT count(*) FROM pg_inherits WHERE inhparent = 'orders_orderevent'::regclass"
            ).fetchone()[0]
            print(f"{copied:,} events copied into {months} partitions in {copy_s:.1f} s", flush=True)
            rng = random.Random(7)
            top = conn.execute("SELECT max(id) FROM ev_plain").fetchone()[0]
            first = dict(conn.execute("SELECT order_id, min(at) FROM ev_plain GROUP BY 1").fetchall())
            picked = rng.sample(sorted(first), 400)
            day_ago = conn.execute("SELECT now() - interval '1 day'").fetchone()[0]
            args = {
                "id": [[rng.randint(1, top)] for _ in range(400)],
                "history": [[o] for o in picked],
                "history_since": [[o, first[o]] for o in picked],
                "recent": [[day_ago]],
            }
            fields = [f"orders={n}", f"events={copied}", f"months={months}", f"copy_s={copy_s:.1f}"]
            fields.append(f"copy_per_s={copied / copy_s:.0f}")
            for read, sql in READS.items():
                for table in ("ev_plain", "orders_orderevent"):  # warm both
                    _time(conn, sql.format(t=table), args[read], 40)
                plain = _time(conn, sql.format(t="ev_plain"), args[read], 400)
                parted = _time(conn, sql.format(t="orders_orderevent"), args[read], 400)
                print(
                    f"{read:<8} plain {plain:.3f} ms   partitioned {parted:.3f} ms   ×{parted / plain:.2f}", flush=True
                )
                fields += [
                    f"{read}_p50_ms_plain={plain:.3f}",
                    f"{read}_p50_ms_parted={parted:.3f}",
                    f"{read}_ratio={parted / plain:.2f}",
                ]
            plain_mb = conn.execute("SELECT pg_total_relation_size('ev_plain')").fetchone()[0] / 2**20
            parted_mb = (
                conn.execute(
                    "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
                    "WHERE inhparent = 'orders_orderevent'::regclass"
                ).fetchone()[0]
                / 2**20
            )
            fields += [f"plain_mb={plain_mb:.0f}", f"parted_mb={parted_mb:.0f}"]
        print("RESULT events " + " ".join(fields), flush=True)
    finally:
        scratch_release(admin, name)


if __name__ == "__main__":
    main(sys.argv[1:])
