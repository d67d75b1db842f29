"""`make run` with no DATABASE_URL/REDIS_URL starts embedded PostgreSQL and Redis, web, worker and beat; serves the
login page at http://127.0.0.1:8000/; Ctrl-C (SIGINT to the terminal's process group) stops every process."""

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from devtools.stack import port_open

BASE = Path(__file__).resolve().parents[2]
REDIS_PORT = 6393


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (proc / "environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if text in cmdline or text in environ:
            found.append(int(proc.name))
    return found


@pytest.fixture
def own_tmp():
    """A directory of the test's own outside pytest's: the embedded PostgreSQL runs as its own system user, which
    must reach its data directory, and another pytest session on the machine resets pytest's base directory to
    mode 0700 when it starts."""
    path = Path(tempfile.mkdtemp(prefix="q9-make-run-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.slow
def test_make_run_serves_login_and_ctrl_c_stops_everything(own_tmp):
    if port_open("127.0.0.1", 8000):
        pytest.fail("port 8000 is taken: stop the other server before running this test")
    tmp_path = own_tmp
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "VAR_DIR")}
    env.update(VAR_DIR=str(var), EMBEDDED_REDIS_PORT=str(REDIS_PORT), PORT="8000")
    log = open(tmp_path / "run.log", "wb")
    proc = subprocess.Popen(
        ["make", "run"], cwd=BASE, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 600
        body = ""
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen("http://127.0.0.1:8000/", timeout=5) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(1)
        assert "登录" in body, (tmp_path / "run.log").read_text()[-3000:]
        assert (var / "pgdata").is_dir() and port_open("127.0.0.1", REDIS_PORT)
        assert len(_processes_mentioning(str(var))) >= 4  # web, worker, beat, redis (and postgres)
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _processes_mentioning(str(var)):
        time.sleep(0.5)
    assert _processes_mentioning(str(var)) == [], (tmp_path / "run.log").read_text()[-3000:]
    assert not port_open("127.0.0.1", 8000) and not port_open("127.0.0.1", REDIS_PORT)
    assert "embedded PostgreSQL stopped" in (tmp_path / "run.log").read_text()
