"""load_network at full scale: every province, city and district from cpca, first run and repeat.

    python -m bench.network [--quick|--smoke]

Runs against a scratch database (created and dropped here) on the configured server, so it never touches
real data. Last line: RESULT network first_s=… repeat_s=… districts=… ratio=repeat/first
"""

import os
import sys
import time

import psycopg

from .workbench import scratch_name

# the keys of the RESULT line (tests/ops/test_benches.py runs every bench with --smoke and checks them)
PROMISED = ("first_s", "repeat_s", "districts", "ratio")


def main(argv):
    # the full run already takes seconds; --quick and --smoke are the same single pass
    quick = "--quick" in argv or "--smoke" in argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/q9")
    scratch = scratch_name(base, "network")
    admin = base.rsplit("/", 1)[0] + "/postgres" + ("?" + base.split("?", 1)[1] if "?" in base else "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        conn.execute(f'CREATE DATABASE "{scratch}"')
    os.environ["DATABASE_URL"] = base.replace(base.rsplit("/", 1)[1].split("?")[0], scratch, 1)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from core.divisions import network_load_divisions
        from core.models import District

        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        first = network_load_divisions()
        t1 = time.perf_counter()
        repeat = network_load_divisions()
        t2 = time.perf_counter()
        assert first == repeat, (first, repeat)
        real = District.objects.filter(statistical_only=False).count()
        from django.db import connections

        connections.close_all()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    print(
        f"mode={'quick' if quick else 'full'} provinces={first.provinces} cities={first.cities} "
        f"districts={first.districts} real_districts={real}"
    )
    print(
        f"RESULT network first_s={t1 - t0:.2f} repeat_s={t2 - t1:.2f} districts={first.districts} "
        f"ratio={(t2 - t1) / (t1 - t0):.2f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
