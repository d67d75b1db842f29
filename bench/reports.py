"""The weekly PDFs at scale: province reports with 1,000, 5,000 and 20,000 violation rows, and the national
aggregate report, each rendered in a fresh process of its own (so its peak memory is its own).

    python -m bench.reports [--quick|--smoke] [--sizes 1000,5000,20000] [--others N]

A scratch database (created and dropped here) gets 34 provinces and 2,000 sites, one order and one confirmed
violation per row, all in one week: each size in a province of its own, plus ``--others`` rows spread over the
other provinces (in the national report only), and that week's notices. Then, per size, the province report
(after ``pdf_warm``, what a Celery worker process does once at its start): seconds, pages, pages per second, peak resident memory (the rendering process and its children); and the
national report over all rows.

Last line: RESULT reports sizes=… pages_<size>=… pps_<size>=… peak_mb_<size>=… … pages_per_s=<slowest>
peak_mb=<largest province peak> ratio=<peak at the largest size ÷ peak at the smallest> national_s=…
national_peak_mb=…
"""

from __future__ import annotations

import multiprocessing
import os
import resource
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
PROMISED = ("sizes", "pages_per_s", "peak_mb", "ratio", "national_s", "national_pages", "national_peak_mb")

ORDERS = """
INSERT INTO orders_onlineorder (channel_id, channel_order_id, business_type, is_online, sender_name, sender_phone,
  sender_province, sender_city, sender_district, sender_address, sender_adcode, receiver_name, receiver_phone,
  receiver_province, receiver_city, receiver_district, receiver_address, goods, remark, order_time, state, site_id,
  province_id, route_reason, stint, stint_started_at, accept_due_at, pickup_due_at, pickup_source, fail_reason,
  fail_text, created_at, updated_at, accepted_at)
SELECT ch.id, %(prefix)s || g.i, 'send', true, '张三', '13800000000', '', '', '', '文三路1号', '', '', '', '', '', '', '',
       '', '', %(t)s, 'ACCEPTED', s.site_id, s.province_id, '', 1, %(t)s, NULL, %(t)s::timestamptz + interval '16 hours',
       '', '', '', %(t)s, %(t)s, %(t)s
FROM generate_series(1, %(n)s) g(i)
JOIN bench_sites s ON s.idx = {site}
JOIN orders_channel ch ON ch.slug = 'taobao'
"""
# a size's rows: 50 sites of one province (bench_sites idx ≡ k mod 34 share a province); other rows: the
# provinces not measured
SIZE_SITE = "mod(g.i, 50) * 34 + %(k)s"
OTHER_SITE = "34 * mod(g.i, 50) + 10 + mod(g.i, 20)"
VIOLATIONS = """
INSERT INTO penalties_violation (order_id, stint, rule, site_id, province_id, rule_version_id, fine, occurred_at, week,
                                 status, source, evidence, created_at)
SELECT o.id, 1, CASE WHEN mod(o.id, 3) = 0 THEN 'LATE_PICKUP' ELSE 'LATE_ACCEPT' END, o.site_id, o.province_id,
       (SELECT id FROM penalties_ruleversion WHERE code = 'LATE_ACCEPT' LIMIT 1), 100,
       %(t)s::timestamptz + mod(o.id, 5) * interval '1 day', %(week)s, 'CONFIRMED', 'sweep', '', %(t)s
FROM orders_onlineorder o
"""


def _render(kind: str, week, province_id, queue):
    import django

    django.setup()
    from django.utils import timezone

    from core.models import Province
    from penalties import pdf
    from penalties.reports import national_report, province_report

    getattr(
        pdf, "pdf_warm", lambda: None
    )()  # what a Celery worker process pays once at its start (config/celery.py), not per report
    started = time.perf_counter()
    if kind == "province":
        report = province_report(week=week, province=Province.objects.get(pk=province_id), at=timezone.now())
    else:
        report = national_report(week=week, at=timezone.now())
    seconds = time.perf_counter() - started
    with report.file.open("rb") as fh:
        size = len(fh.read())
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    queue.put({"seconds": seconds, "pages": report.pages, "peak_mb": peak_kb / 1024, "bytes": size})


def _in_child(kind, week, province_id):
    """A fresh interpreter (spawn) per document: nothing of an earlier render counts in its peak."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_render, args=(kind, week, province_id, queue))
    proc.start()
    result = queue.get(timeout=1800)
    proc.join()
    return result


def main(argv):
    quick, smoke = "--quick" in argv, "--smoke" in argv

    def arg(flag, default):
        return argv[argv.index(flag) + 1] if flag in argv else default

    sizes = [int(x) for x in arg("--sizes", "200,1000" if smoke else "1000,5000,20000").split(",")]
    others = int(arg("--others", 1_000 if smoke or quick else 30_000))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    admin, name = _admin_url(base), scratch_name(base, "reports")
    import tempfile

    media = tempfile.mkdtemp(prefix="q9-bench-reports-")
    results = {}
    try:
        _create(admin, name)
        url = _db_url(base, name)
        _migrate(url)
        from datetime import date, datetime
        from zoneinfo import ZoneInfo

        week = date(2026, 11, 16)
        t = datetime(2026, 11, 17, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
        provinces = {}
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in NETWORK_SQL.replace("%(sites)s", str(SITES)).split(";"):
                if statement.strip():
                    conn.execute(statement)
            for k, n in enumerate(sizes):
                conn.execute(ORDERS.format(site=SIZE_SITE), {"prefix": f"R{k}-", "n": n, "t": t, "k": k})
                provinces[n] = conn.execute("SELECT province_id FROM bench_sites WHERE idx = %s", [k]).fetchone()[0]
            conn.execute(ORDERS.format(site=OTHER_SITE), {"prefix": "O-", "n": others, "t": t})
            conn.execute(VIOLATIONS, {"t": t, "week": week})
            conn.execute("VACUUM ANALYZE")
        os.environ["DATABASE_URL"] = url
        os.environ["MEDIA_ROOT"] = media
        os.environ["EMAIL_URL"] = "dummymail://"
        import django

        django.setup()
        from django.db import connections

        from penalties.reports import notices_prepare

        notices_prepare(week=week, at=t)  # the lines the reports read (not measured)
        connections.close_all()
        for n in sizes:
            results[n] = _in_child("province", week, provinces[n])
            r = results[n]
            print(
                f"province report, {n:,} rows: {r['pages']} pages in {r['seconds']:.2f} s "
                f"({r['pages'] / r['seconds']:.1f} pages/s), peak {r['peak_mb']:.0f} MB, "
                f"{r['bytes'] / 1e6:.1f} MB file",
                flush=True,
            )
        nat = _in_child("national", week, None)
    finally:
        _drop(admin, name)
        import shutil

        shutil.rmtree(media, ignore_errors=True)
    total = sum(sizes) + others
    print(
        f"national report: {total:,} violations aggregated, {nat['pages']} pages in {nat['seconds']:.1f} s, "
        f"peak {nat['peak_mb']:.0f} MB"
    )
    per_size = " ".join(
        f"pages_{n}={results[n]['pages']} s_{n}={results[n]['seconds']:.2f} "
        f"pps_{n}={results[n]['pages'] / results[n]['seconds']:.1f} "
        f"peak_mb_{n}={results[n]['peak_mb']:.0f}"
        for n in sizes
    )
    slowest = min(results[n]["pages"] / results[n]["seconds"] for n in sizes)
    peak = max(results[n]["peak_mb"] for n in sizes)
    ratio = results[sizes[-1]]["peak_mb"] / results[sizes[0]]["peak_mb"]
    print(
        f"RESULT reports sizes={','.join(map(str, sizes))} {per_size} pages_per_s={slowest:.1f} peak_mb={peak:.0f} "
        f"ratio={ratio:.2f} national_s={nat['seconds']:.2f} national_pages={nat['pages']} "
        f"national_peak_mb={nat['peak_mb']:.0f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
