"""A private PostgreSQL server in a directory of its own, on a port of its own: for the tests of the read replica
and of recovery to a point in time (a streaming replica and WAL archiving need a server we configure, which the
machine's shared one is not), and for ``make restore`` to bring a base backup up to a moment beside the live one.

The binaries are the machine's PostgreSQL (Debian's ``/usr/lib/postgresql/N/bin``) or pgserver's; as root, every
server command runs as the ``postgres`` system user (PostgreSQL refuses to run as root)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psycopg


def bin_dir() -> Path:
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if debian:
        return debian[-1].parent
    import pgserver._commands as commands  # the embedded server's binaries

    return Path(commands.POSTGRES_BIN_PATH)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _owner() -> str | None:
    return "postgres" if os.geteuid() == 0 else None


def run_as_owner(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """A server tool run as the server's owner (``runuser`` when we are root)."""
    owner = _owner()
    command = ["runuser", "-u", owner, "--", *args] if owner else args
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr[-1500:]}")
    return done


def chown_tree(path: Path) -> None:
    owner = _owner()
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(path, entry.pw_uid, entry.pw_gid)
        for root, dirs, files in os.walk(path):
            for name in [root, *(os.path.join(root, d) for d in dirs), *(os.path.join(root, f) for f in files)]:
                os.chown(name, entry.pw_uid, entry.pw_gid)


def workdir(prefix: str) -> Path:
    """A temporary directory the server's owner may write (``tmp_path`` under root's 0700 tree is not)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    chown_tree(path)
    return path


class Cluster:
    """One server: ``init`` (initdb) or a data directory made by pg_basebackup or a restore, then start/stop."""

    def __init__(self, data: Path, port: int | None = None):
        self.data = Path(data)
        self.port = port or free_port()
        self.bin = bin_dir()

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def init(self, **conf: str) -> Cluster:
        run_as_owner([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        base = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": "''",
            "wal_level": "replica",
            "max_wal_senders": "5",
            "fsync": "off",
            "shared_buffers": "16MB",
        }
        self.configure(**base, **conf)
        with open(self.data / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        return self

    def configure(self, **conf: str) -> None:
        with open(self.data / "postgresql.auto.conf", "a") as auto:
            for key, value in conf.items():
                auto.write(f"{key} = {value}\n")

    def start(self, timeout: float = 60) -> Cluster:
        log = self.data.parent / f"{self.data.name}.log"
        log.touch()
        chown_tree(log)
        run_as_owner(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(log),
                "-o",
                f"-p {self.port}",
                "-w",
                "-t",
                str(int(timeout)),
                "start",
            ]
        )
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            run_as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def execute(self, sql: str, params=None):
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=5) as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else None

    def wait_until(self, sql: str, expect, seconds: float = 30):
        deadline = time.monotonic() + seconds
        while True:
            try:
                got = self.execute(sql)
            except psycopg.OperationalError:
                got = None
            if got and got[0][0] == expect:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{sql!r} never gave {expect!r} (last: {got!r})")
            time.sleep(0.2)

    def base_backup(self, target: Path, *extra: str) -> None:
        """pg_basebackup of this server into ``target`` (plain format, the WAL it needs included)."""
        run_as_owner(
            [str(self.bin / "pg_basebackup"), "-d", self.url(), "-D", str(target), "-X", "stream", "-c", "fast", *extra]
        )


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
