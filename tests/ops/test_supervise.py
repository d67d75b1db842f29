"""`make run` keeps worker and beat alive: under devtools.supervise a process that crashes or is
killed is started again while the supervisor (and so honcho, and the web beside it) keeps running; SIGTERM
stops the process and the supervisor together. The Procfile runs worker and beat under it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _wait(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_crashed_or_killed_process_is_started_again_and_sigterm_ends_both(tmp_path):
    starts = tmp_path / "starts"
    pids = tmp_path / "pid"
    # a process that writes its pid, counts its start, and crashes on its first two starts
    child = (
        "import os, sys, time, pathlib; p = pathlib.Path(sys.argv[1]); n = len(p.read_text()) if p.exists() else 0;"
        "p.write_text('x' * (n + 1)); pathlib.Path(sys.argv[2]).write_text(str(os.getpid()));"
        "sys.exit(1) if n < 2 else time.sleep(120)"
    )
    sup = subprocess.Popen(
        [sys.executable, "-m", "devtools.supervise", sys.executable, "-c", child, str(starts), str(pids)],
        cwd=BASE,
        env={**os.environ, "SUPERVISE_BACKOFF": "0.2"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _wait(lambda: starts.exists() and len(starts.read_text()) == 3, 15), "restarted after two crashes"
        time.sleep(0.5)
        first = int(pids.read_text())
        os.kill(first, signal.SIGKILL)  # an out-of-memory kill
        assert _wait(lambda: len(starts.read_text()) == 4 and int(pids.read_text()) != first, 15)
        assert sup.poll() is None  # the supervisor (and honcho above it) never stopped
        current = int(pids.read_text())
        sup.send_signal(signal.SIGTERM)
        assert sup.wait(10) == 0
        assert _wait(lambda: not Path(f"/proc/{current}").exists(), 5), "the process stopped with its supervisor"
    finally:
        if sup.poll() is None:
            sup.kill()
    assert "starting it again" in sup.stderr.read()


def test_the_procfile_supervises_worker_and_beat():
    lines = dict(line.split(":", 1) for line in (BASE / "Procfile").read_text().splitlines() if line.strip())
    assert "devtools.supervise celery -A config worker -Q minute" in lines["worker"]
    assert "devtools.supervise celery -A config worker -Q bulk" in lines["bulk"]
    assert "devtools.supervise celery -A config beat" in lines["beat"]
    assert "supervise" not in lines["web"]  # gunicorn's master restarts its own workers
