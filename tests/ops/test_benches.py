"""Benches that cannot rot: every ``bench.*`` module runs in its ``--smoke`` size (seconds, not minutes) in a
process of its own, on scratch databases named after the test database, and must end with its RESULT line
carrying every key it promises (``PROMISED``), each with a value. The sizes are made to take well under 15 s on
a shared 2-core machine; the timeout below only stops a hung bench."""

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

import bench
from devtools import stack

BASE = Path(__file__).resolve().parents[2]
MODULES = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))
TEXT_KEYS = {"worst", "sizes"}  # the only keys whose values are not numbers


def test_every_bench_is_listed():
    assert {
        "events",
        "growth",
        "ingest",
        "labels",
        "lifecycle",
        "load",
        "network",
        "reports",
        "sweep",
        "workbench",
    } <= set(MODULES)


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_bench_smoke_prints_its_result_line(name):
    promised = importlib.import_module(f"bench.{name}").PROMISED
    env = {**os.environ, "DATABASE_URL": stack.database_url_from_settings(connection.settings_dict)}
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--smoke"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith(f"RESULT {name} "), done.stdout[-2000:]
    values = dict(field.split("=", 1) for field in last.split()[2:])
    missing = [key for key in promised if key not in values]
    assert not missing, (missing, last)
    for key in promised:
        if key not in TEXT_KEYS:
            float(values[key])  # a number (raises otherwise)
