"""Gives each pytest-xdist worker its own Redis database, cache prefix and var directory.

Loaded with ``-p tests.workers`` before pytest-django reads the settings, so the settings, and every worker, web
server or beat process a test starts from ``os.environ``, see the worker's own values. PostgreSQL needs nothing
here: pytest-django already gives each worker its own test database (``test_q9_gw0``, ``test_q9_gw1``, …).
"""

import os
import re
from pathlib import Path

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and not os.environ.get("Q9_WORKER_SPLIT"):
    _index = int(_worker[2:])
    _url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    _match = re.match(r"^(.*/)(\d+)$", _url)
    _base, _db = (_match.group(1), int(_match.group(2))) if _match else (_url.rstrip("/") + "/", 15)
    os.environ["REDIS_URL"] = f"{_base}{(_db - _index) % 16}"
    os.environ["CACHE_KEY_PREFIX"] = f"{os.environ.get('CACHE_KEY_PREFIX', 'q9test')}_{_worker}"
    _var = Path(os.environ.get("VAR_DIR", "var/test")) / _worker
    (_var / "staticfiles").mkdir(parents=True, exist_ok=True)
    os.environ["VAR_DIR"] = str(_var)
    os.environ["Q9_WORKER_SPLIT"] = _worker  # the processes a test starts inherit the split; they do not split again
