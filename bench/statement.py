"""The statement downloads (对账单 PDF and Excel): how long a click waits, and how many renders two clicks make.

    python -m bench.statement [--quick|--smoke] [--lines N] [--others N] [--profile]

A scratch database (created and dropped here) gets the bench network (34 provinces, 2,000 sites) and one running
month of ledger lines: ``--lines`` for the measured site (its clerk's statement lists them) and ``--others`` spread
over every other site (the nation's statement sums them per site; its Excel lists them all). Through Django's test
client (the whole request), each download is timed cold (nothing made yet) and again unchanged; then the cache is
emptied and two clicks on the nation's PDF go in at once (two threads): their wall time and how many renders they
caused (the statement's PDF, ``finance.documents``, and the spreadsheet writer are counted). ``--profile`` runs the nation's cold
PDF under cProfile (its time then includes the profiler's) and prints where the time goes.

Last line: RESULT statement lines=… others=… site_pdf_s=… site_pdf_again_s=… nation_pdf_s=… nation_pdf_again_s=…
nation_xlsx_s=… nation_xlsx_again_s=… clicks_2_s=… renders_2_clicks=… ratio=<nation PDF cold ÷ unchanged>
"""

from __future__ import annotations

import os
import sys
import threading
import time

import psycopg

from bench.workbench import NETWORK_SQL, SITES, _admin_url, _create, _db_url, _drop, _migrate, scratch_name

# the keys of the RESULT line (tests/ops/test_benches.py runs every bench with --smoke and checks them)
PROMISED = (
    "lines",
    "others",
    "site_pdf_s",
    "site_pdf_again_s",
    "nation_pdf_s",
    "nation_pdf_again_s",
    "nation_xlsx_s",
    "nation_xlsx_again_s",
    "clicks_2_s",
    "renders_2_clicks",
    "ratio",
)

LINES = """
INSERT INTO finance_ledgerentry (site_id, province_id, month, posted_month, kind, heading, code, amount, source_type,
                                 source_id, key, note, created_at)
SELECT s.site_id, s.province_id, %(month)s, %(month)s,
       CASE WHEN mod(g.i, 10) = 0 THEN 'reversal' ELSE 'fine' END, 'online',
       CASE WHEN mod(g.i, 3) = 0 THEN 'LATE_PICKUP' ELSE 'LATE_ACCEPT' END,
       CASE WHEN mod(g.i, 10) = 0 THEN 100 ELSE -100 END, '', NULL, %(prefix)s || g.i, '',
       %(t)s::timestamptz + mod(g.i, 600) * interval '1 hour'
FROM generate_series(1, %(n)s) g(i)
JOIN bench_sites s ON s.idx = {site}
"""


def _count_renders():
    """Count the renders the views cause: the statement's PDF and the spreadsheet writer."""
    from core import sheets
    from finance import views

    counts = {"n": 0}
    lock = threading.Lock()

    def counted(fn):
        def wrapper(*args, **kwargs):
            with lock:
                counts["n"] += 1
            return fn(*args, **kwargs)

        return wrapper

    views.statement_pdf_bytes = counted(views.statement_pdf_bytes)
    sheets.xlsx_bytes = counted(sheets.xlsx_bytes)
    return counts


def _timed(client, url, params) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = client.get(url, params)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return seconds, body


def main(argv):
    smoke, quick = "--smoke" in argv, "--quick" in argv

    def arg(flag, default):
        return int(argv[argv.index(flag) + 1]) if flag in argv else default

    lines = arg("--lines", 30 if smoke else 300 if quick else 1000)
    others = arg("--others", 100 if smoke else 4000 if quick else 20000)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    admin, name = _admin_url(base), scratch_name(base, "statement")
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    month = date(2026, 11, 1)
    t = datetime(2026, 11, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    out = {}
    try:
        _create(admin, name)
        url = _db_url(base, name)
        _migrate(url)
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in NETWORK_SQL.replace("%(sites)s", str(SITES)).split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(LINES.format(site="0"), {"month": month, "prefix": "bench:site:", "n": lines, "t": t})
            conn.execute(
                LINES.format(site=f"1 + mod(g.i, {SITES - 1})"),
                {"month": month, "prefix": "bench:other:", "n": others, "t": t},
            )
            site_id = conn.execute("SELECT site_id FROM bench_sites WHERE idx = 0").fetchone()[0]
            conn.execute("VACUUM ANALYZE")
        os.environ["DATABASE_URL"] = url
        import django

        django.setup()
        from django.core.cache import cache
        from django.db import connections
        from django.test import Client
        from django.test.utils import setup_test_environment

        from core.models import User

        setup_test_environment()  # the test client's hosts and e-mail
        renders = _count_renders()
        clerk = User.objects.create(username="bench-clerk", role="clerk", site_id=site_id)
        manager = User.objects.create(username="bench-manager", role="manager")
        clients = {}
        for who, user in (("clerk", clerk), ("manager", manager)):
            clients[who] = Client()
            clients[who].force_login(user, backend="core.auth.UserBackend")
        params = {"month": "2026-11"}
        cache.clear()
        # what a server process pays once (fonts, templates), on an empty month: not measured
        _timed(clients["manager"], "/finance/statement/pdf/", {"month": "2026-10"})
        for key, who, path in (
            ("site_pdf", "clerk", "/finance/statement/pdf/"),
            ("nation_pdf", "manager", "/finance/statement/pdf/"),
            ("nation_xlsx", "manager", "/finance/statement/export/"),
        ):
            if key == "nation_pdf" and "--profile" in argv:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.enable()
                out[f"{key}_s"], first = _timed(clients[who], path, params)
                profiler.disable()
                stats = pstats.Stats(profiler, stream=sys.stdout)
                stats.sort_stats("cumulative").print_stats(r"(reportlab|pdf_tables|finance|django/template)", 20)
                stats.sort_stats("tottime").print_stats(15)
            else:
                out[f"{key}_s"], first = _timed(clients[who], path, params)
            out[f"{key}_again_s"], _again = _timed(clients[who], path, params)
            print(
                f"{key}: {out[f'{key}_s']:.2f} s cold, {out[f'{key}_again_s']:.2f} s unchanged ({len(first):,} bytes)"
            )

        # two clicks at once on the nation's PDF, nothing made yet
        cache.clear()
        renders["n"] = 0
        results = []

        def click():
            client = Client()
            client.force_login(manager, backend="core.auth.UserBackend")
            results.append(_timed(client, "/finance/statement/pdf/", params))
            connections.close_all()

        started = time.perf_counter()
        threads = [threading.Thread(target=click) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        out["clicks_2_s"] = time.perf_counter() - started
        out["renders_2_clicks"] = renders["n"]
        assert len(results) == 2 and results[0][1][:5] == b"%PDF-", "two clicks, two PDFs"
        print(f"two clicks at once: {out['clicks_2_s']:.2f} s, {renders['n']} render(s)")

        connections.close_all()
    finally:
        _drop(admin, name)
    ratio = out["nation_pdf_s"] / max(out["nation_pdf_again_s"], 1e-6)
    print(
        f"RESULT statement lines={lines} others={others} "
        + " ".join(f"{k}={out[k]:.3f}" for k in PROMISED[2:-3])
        + f" clicks_2_s={out['clicks_2_s']:.3f} renders_2_clicks={out['renders_2_clicks']} ratio={ratio:.1f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
