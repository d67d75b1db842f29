"""Keep one process of `make run` alive: ``python -m devtools.supervise COMMAND ARGS…``.

honcho (the Procfile runner) stops every process when one exits, so a crashed Celery worker used to take the
web server and beat down with it. Under this supervisor a worker or beat that exits on its own — a crash, an
out-of-memory kill, a lost broker it gave up on — is started again after a back-off (1 s doubling to 30 s, back
to 1 s after a minute of uptime), while the web keeps serving. SIGTERM/SIGINT (Ctrl-C, honcho stopping) are
passed on to the process and end the supervisor with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m devtools.supervise COMMAND [ARGS…]", file=sys.stderr)
        return 2
    first = float(os.environ.get("SUPERVISE_BACKOFF", "1"))
    backoff, stopping, child = first, False, None

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    name = os.path.basename(argv[0])
    while True:
        started = time.monotonic()
        child = subprocess.Popen(argv)
        code = child.wait()
        if stopping:
            return code if code >= 0 else 0
        if time.monotonic() - started > 60:
            backoff = first
        print(
            f"[supervise] {name} exited with {code}; starting it again in {backoff:.0f} s", file=sys.stderr, flush=True
        )
        deadline = time.monotonic() + backoff
        while time.monotonic() < deadline and not stopping:
            time.sleep(0.1)
        if stopping:
            return 0
        backoff = min(backoff * 2, 30.0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
