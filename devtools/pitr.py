"""Recovery to a point in time: base backups (pg_basebackup) beside a continuous WAL archive, and a restore of the
newest base backup before a moment, replayed from the archive up to that moment, as a new server beside the live one.

    python -m devtools.pitr backup                       # make backup: var/backups/base/<UTC stamp>/ (tar, gzip)
    python -m devtools.pitr archive-settings             # the server settings that archive its WAL into the archive
    python -m devtools.pitr receive                      # make wal-stream: pg_receivewal into the archive instead
    python -m devtools.pitr restore --time '2026-12-07 14:03:00+08' [--data DIR] [--port N]   # make restore TIME=…

The WAL archive (``var/backups/wal`` or ``$WAL_ARCHIVE``) is filled either by the server itself
(``archive_mode = on`` and the ``archive_command`` that ``archive-settings`` prints) or by ``receive`` (pg_receivewal,
a long-running process for a supervisor). A restore never touches the live server: it makes a data directory, starts
a server on it on another port, waits until it has replayed to the moment and promoted, and prints its address."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path

from .pgcluster import Cluster, bin_dir, chown_tree, free_port
from .stack import VAR, log, resolve_database

BACKUPS = Path(os.environ.get("BACKUP_DIR", VAR / "backups"))


def wal_dir(backups: Path = BACKUPS) -> Path:
    return Path(os.environ.get("WAL_ARCHIVE", backups / "wal"))


def archive_command(wal: Path) -> str:
    return f"test ! -f {wal}/%f && cp %p {wal}/%f"


def restore_command(wal: Path) -> str:
    # a segment pg_receivewal was still writing is kept as .partial: the last one is replayed from it
    return f"cp {wal}/%f %p 2>/dev/null || cp {wal}/%f.partial %p"


def base_backup(url: str, backups: Path = BACKUPS) -> Path:
    """A base backup of the server at ``url`` (a replication connection) with the WAL it needs, compressed, and a
    manifest line saying when it finished: a restore starts from the newest one finished before its moment."""
    stamp = datetime.now(UTC)
    target = backups / "base" / stamp.strftime("%Y%m%dT%H%M%S%fZ")
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(bin_dir() / "pg_basebackup"),
            "-d",
            url,
            "-D",
            str(target),
            "-Ft",
            "-z",
            "-X",
            "stream",
            "-c",
            "fast",
            "-l",
            f"q9 {stamp:%Y-%m-%d %H:%M:%S}Z",
        ],
        check=True,
    )
    finished = datetime.now(UTC)
    (target / "q9-backup.json").write_text(json.dumps({"started": stamp.isoformat(), "finished": finished.isoformat()}))
    return target


def _newest_before(moment: datetime, backups: Path) -> Path:
    found = []
    for manifest in sorted((backups / "base").glob("*/q9-backup.json")):
        finished = datetime.fromisoformat(json.loads(manifest.read_text())["finished"])
        if finished <= moment:
            found.append((finished, manifest.parent))
    if not found:
        raise SystemExit(f"no base backup finished before {moment.isoformat()} in {backups / 'base'}")
    return max(found)[1]


def restore(moment: datetime, *, data: Path, port: int | None = None, backups: Path = BACKUPS) -> Cluster:
    """A new server on ``data`` holding the database as it stood at ``moment`` (aware datetime): the newest base
    backup finished before it, then the archived WAL replayed up to it; promoted, so it takes writes."""
    if data.exists() and any(data.iterdir()):
        raise SystemExit(f"{data} is not empty: a restore makes a new data directory")
    base = _newest_before(moment, backups)
    data.mkdir(parents=True, exist_ok=True)
    with tarfile.open(base / "base.tar.gz") as tar:
        tar.extractall(data, filter="fully_trusted")
    with tarfile.open(base / "pg_wal.tar.gz") as tar:
        tar.extractall(data / "pg_wal", filter="fully_trusted")
    data.chmod(0o700)
    server = Cluster(data, port or free_port())
    server.configure(
        restore_command=f"'{restore_command(wal_dir(backups))}'",
        recovery_target_time=f"'{moment.isoformat()}'",
        recovery_target_action="'promote'",
        archive_mode="off",
        listen_addresses="'127.0.0.1'",
        unix_socket_directories="''",
    )
    (data / "recovery.signal").touch()
    (data / "standby.signal").unlink(missing_ok=True)
    chown_tree(data)
    server.start(timeout=300)
    server.wait_until("SELECT pg_is_in_recovery()", False, seconds=300)
    return server


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise SystemExit("give the moment with its offset, e.g. '2026-12-07 14:03:00+08:00'")
    return moment


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.pitr", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("backup")
    sub.add_parser("archive-settings")
    sub.add_parser("receive")
    to = sub.add_parser("restore")
    to.add_argument("--time", required=True, help="the moment, with its UTC offset")
    to.add_argument("--data", help="the new data directory (default var/restore-<stamp>)")
    to.add_argument("--port", type=int, help="the new server's port (default: a free one)")
    args = parser.parse_args(argv)
    wal = wal_dir()
    if args.command == "archive-settings":
        print(f"wal_level = replica\narchive_mode = on\narchive_command = '{archive_command(wal)}'")
        return 0
    url, embedded = resolve_database(prefer_local=False)
    try:
        if args.command == "backup":
            wal.mkdir(parents=True, exist_ok=True)
            log(f"base backup written: {base_backup(url.replace('postgres://', 'postgresql://', 1))}")
            log(f"WAL archive: {wal} ({len(list(wal.iterdir()))} files)")
            return 0
        if args.command == "receive":
            wal.mkdir(parents=True, exist_ok=True)
            return subprocess.call([str(bin_dir() / "pg_receivewal"), "-d", url, "-D", str(wal), "--synchronous"])
        moment = _moment(args.time)
        data = Path(args.data) if args.data else VAR / f"restore-{int(time.time())}"
        server = restore(moment, data=data.resolve(), port=args.port)
        log(f"restored to {moment.isoformat()}: {server.url()} (data in {data}; stop with pg_ctl -D {data} stop)")
        return 0
    finally:
        if embedded:
            embedded.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
