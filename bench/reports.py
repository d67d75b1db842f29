"""The weekly PDFs at scale: a province report with 5,000 violation rows, and the national aggregate report over
50,000 violations, each rendered by WeasyPrint in its own process (so its peak memory is its own).

    python -m bench.reports [--quick] [--province-rows N] [--total N]

A scratch database (created and dropped here) gets 34 provinces and 2,000 sites, one order and one confirmed
violation per row, all in one week, 5,000 of them in one province, and that week's notices. Then:
- the province report: seconds, pages, pages per second, peak resident memory of the rendering process;
- the national report: seconds, pages, peak memory.

Last line: RESULT reports province_rows=… total=… province_pages=… pages_per_s=… peak_mb=… national_s=… national_peak_mb=…
(``peak_mb`` is the larger of the two peaks.)
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import time

import psycopg

from .workbench import NETWORK_SQL, SITES, _admin_url, _create, _db_url, _drop, _migrate

ROWS_SQL = """
INSERT INTO orders_onlineorder (channel_id, channel_order_id, business_type, is_online, sender_name, sender_phone,
  sender_province, sender_city, sender_district, sender_address, sender_adcode, receiver_name, receiver_phone,
  receiver_province, receiver_city, receiver_district, receiver_address, goods, remark, order_time, state, site_id,
  province_id, route_reason, stint, stint_started_at, accept_due_at, pickup_due_at, pickup_source, fail_reason,
  fail_text, created_at, updated_at, accepted_at)
SELECT ch.id, 'R' || g.i, 'send', true, '张三', '13800000000', '', '', '', '文三路1号', '', '', '', '', '', '', '',
       '', '', %(t)s, 'ACCEPTED', s.site_id, s.province_id, '', 1, %(t)s, NULL, %(t)s::timestamptz + interval '16 hours',
       '', '', '', %(t)s, %(t)s, %(t)s
FROM generate_series(1, %(total)s) g(i)
CROSS JOIN LATERAL (SELECT mod(g.i * 7919, %(sites)s) AS spread) x
JOIN bench_sites s ON s.idx = CASE WHEN g.i <= %(province_rows)s THEN mod(g.i, 50) * 34
                                   WHEN mod(x.spread, 34) = 0 THEN x.spread + 1 ELSE x.spread END
JOIN orders_channel ch ON ch.slug = 'taobao';
INSERT INTO penalties_violation (order_id, stint, rule, site_id, province_id, rule_version_id, fine, occurred_at, week,
                                 status, source, evidence, created_at)
SELECT o.id, 1, CASE WHEN mod(o.id, 3) = 0 THEN 'LATE_PICKUP' ELSE 'LATE_ACCEPT' END, o.site_id, o.province_id,
       (SELECT id FROM penalties_ruleversion WHERE code = 'LATE_ACCEPT' LIMIT 1), 100,
       %(t)s::timestamptz + mod(o.id, 5) * interval '1 day', %(week)s, 'CONFIRMED', 'sweep', '', %(t)s
FROM orders_onlineorder o;
"""


def _render(kind: str, week, province_id, queue):
    import django

    django.setup()
    from django.utils import timezone

    from core.models import Province
    from penalties.reports import national_report, province_report

    started = time.perf_counter()
    if kind == "province":
        report = province_report(week=week, province=Province.objects.get(pk=province_id), at=timezone.now())
    else:
        report = national_report(week=week, at=timezone.now())
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({"seconds": seconds, "pages": report.pages, "peak_mb": peak_mb})


def _in_child(kind, week, province_id):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_render, args=(kind, week, province_id, queue))
    proc.start()
    result = queue.get(timeout=1800)
    proc.join()
    return result


def main(argv):
    quick = "--quick" in argv

    def arg(flag, default):
        return int(argv[argv.index(flag) + 1]) if flag in argv else default

    province_rows = arg("--province-rows", 500 if quick else 5_000)
    total = arg("--total", 5_000 if quick else 50_000)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    admin, name = _admin_url(base), "q9_bench_reports"
    import tempfile

    media = tempfile.mkdtemp(prefix="q9-bench-reports-")
    try:
        _create(admin, name)
        url = _db_url(base, name)
        _migrate(url)
        from datetime import date, datetime
        from zoneinfo import ZoneInfo

        week = date(2026, 11, 16)
        t = datetime(2026, 11, 17, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in NETWORK_SQL.replace("%(sites)s", str(SITES)).split(";"):
                if statement.strip():
                    conn.execute(statement)
            for statement in ROWS_SQL.split(";"):
                if statement.strip():
                    conn.execute(statement, {"t": t, "total": total, "province_rows": province_rows, "sites": SITES,
                                             "week": week})
            conn.execute("VACUUM ANALYZE")
            province_id = conn.execute("SELECT province_id FROM bench_sites WHERE idx = 0").fetchone()[0]
        os.environ["DATABASE_URL"] = url
        os.environ["MEDIA_ROOT"] = media
        os.environ["EMAIL_URL"] = "dummymail://"
        import django

        django.setup()
        from django.db import connections

        from penalties.reports import notices_prepare

        notices_prepare(week=week, at=t)  # the lines the reports read (not measured)
        connections.close_all()
        rows_in_province = province_rows  # the other rows avoid that province
        prov = _in_child("province", week, province_id)
        nat = _in_child("national", week, None)
    finally:
        _drop(admin, name)
        import shutil

        shutil.rmtree(media, ignore_errors=True)
    pps = prov["pages"] / prov["seconds"]
    print(f"province report: ~{rows_in_province:,} rows, {prov['pages']} pages in {prov['seconds']:.1f} s "
          f"({pps:.1f} pages/s), peak {prov['peak_mb']:.0f} MB")
    print(f"national report: {total:,} violations aggregated, {nat['pages']} pages in {nat['seconds']:.1f} s, "
          f"peak {nat['peak_mb']:.0f} MB")
    print(f"RESULT reports province_rows={rows_in_province} total={total} province_pages={prov['pages']} "
          f"province_s={prov['seconds']:.2f} pages_per_s={pps:.2f} national_s={nat['seconds']:.2f} "
          f"national_pages={nat['pages']} national_peak_mb={nat['peak_mb']:.0f} "
          f"peak_mb={max(prov['peak_mb'], nat['peak_mb']):.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
