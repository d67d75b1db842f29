"""Month partitions of the append-only tables (PostgreSQL declarative partitioning by a time column, Beijing
months): each partitioned table has one partition per month, named ``<table>_pYYYY_MM``, and a DEFAULT partition
so that a row of a month nobody created yet is still written. Beat creates the coming months ahead
(``PARTITION_MONTHS_AHEAD``); a month whose rows already went to the default partition is created with them moved
into it, in one transaction.

Months older than ``PARTITION_HORIZON_MONTHS`` are archived (``partition_archive``): detached, written to a
gzip'd COPY with a manifest (rows, SHA-256 of the archive, bounds), dropped; ``manage.py archive_restore --month
YYYY-MM`` brings one back after checking the checksum and the row count."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import clock

_MONTH = re.compile(r"_p(\d{4})_(\d{2})$")


@dataclass(frozen=True)
class Partitioned:
    """A table partitioned by month on ``column``."""

    table: str
    column: str

    def month_table(self, month: date) -> str:
        return f"{self.table}_p{month:%Y_%m}"

    @property
    def default_table(self) -> str:
        return f"{self.table}_default"


def month_of(at: datetime) -> date:
    return timezone.localtime(at, clock.tz()).date().replace(day=1)


def months_attached(spec: Partitioned) -> list[date]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [spec.table],
        )
        names = [r[0] for r in cursor.fetchall()]
    return sorted(date(int(m[1]), int(m[2]), 1) for name in names if (m := _MONTH.search(name)))


def month_create(spec: Partitioned, month: date) -> bool:
    """The month's partition, with any of its rows the default partition holds moved into it. False when it exists."""
    if month in months_attached(spec):
        return False
    start, end = clock.month_bounds(month)
    name, default = spec.month_table(month), spec.default_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {default} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {default} WHERE {spec.column} >= %s AND {spec.column} < %s)", [start, end]
        )
        if not cursor.fetchone()[0]:
            cursor.execute(f"CREATE TABLE {name} PARTITION OF {spec.table} FOR VALUES FROM (%s) TO (%s)", [start, end])
            return True
        cursor.execute(f"CREATE TABLE {name} (LIKE {spec.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {default} WHERE {spec.column} >= %s AND {spec.column} < %s RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved",
            [start, end],
        )
        cursor.execute(f"ALTER TABLE {spec.table} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end])
    return True


def months_in_default(spec: Partitioned) -> list[date]:
    """The months of the rows the default partition holds (a late scan of a month never created, one far ahead)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', {spec.column} AT TIME ZONE %s)::date FROM {spec.default_table}",
            [str(clock.tz())],
        )
        return sorted(r[0] for r in cursor.fetchall())


def months_ensure(spec: Partitioned, *, at: datetime | None = None, ahead: int | None = None) -> list[date]:
    """This month's and the next ``ahead`` months' partitions, and those of the months whose rows went to the
    default partition (moved into them); the months created."""
    ahead = settings.PARTITION_MONTHS_AHEAD if ahead is None else ahead
    first = month_of(at or timezone.now())
    months = sorted({clock.month_add(first, i) for i in range(ahead + 1)} | set(months_in_default(spec)))
    return [m for m in months if month_create(spec, m)]


def _archive_dir() -> Path:
    path = Path(settings.PARTITION_ARCHIVE_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def archive_paths(spec: Partitioned, month: date) -> tuple[Path, Path]:
    base = _archive_dir() / spec.month_table(month)
    return base.with_suffix(".copy.gz"), base.with_suffix(".json")


def partition_archive(spec: Partitioned, month: date) -> dict:
    """Detach the month, COPY it to a gzip'd archive with a manifest (rows, SHA-256, bounds, columns), drop it.
    The manifest is written last: a month with a manifest is safely archived; without one it is still attached
    or still detached in the database (a rerun finishes it)."""
    name = spec.month_table(month)
    data, manifest = archive_paths(spec, month)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if not cursor.fetchone()[0]:
            return json.loads(manifest.read_text()) if manifest.exists() else {}
        if month in months_attached(spec):
            cursor.execute(f"ALTER TABLE {spec.table} DETACH PARTITION {name}")
        digest, rows = hashlib.sha256(), 0
        with gzip.open(data, "wb") as out, cursor.copy(f"COPY {name} TO STDOUT") as copy:
            for chunk in copy:
                out.write(chunk)
                rows += bytes(chunk).count(b"\n")
        with open(data, "rb") as done:
            for block in iter(lambda: done.read(1 << 20), b""):
                digest.update(block)
        cursor.execute(f"SELECT count(*) FROM {name}")
        counted = cursor.fetchone()[0]
        if counted != rows:
            raise RuntimeError(f"{name}: {counted} rows in the table, {rows} written: archive not trusted, kept")
        cursor.execute(
            "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attnum > 0 AND NOT attisdropped",
            [name],
        )
        columns = cursor.fetchone()[0]
        start, end = clock.month_bounds(month)
        record = {
            "table": spec.table,
            "partition": name,
            "month": f"{month:%Y-%m}",
            "from": start.isoformat(),
            "to": end.isoformat(),
            "rows": rows,
            "sha256": digest.hexdigest(),
            "bytes": data.stat().st_size,
            "columns": columns,
            "archived_at": timezone.now().isoformat(),
        }
        manifest.write_text(json.dumps(record, indent=2))
        cursor.execute(f"DROP TABLE {name}")
    return record


def partitions_archive_old(spec: Partitioned, *, at: datetime | None = None, horizon: int | None = None) -> list[dict]:
    """Every month older than ``horizon`` months before ``at``'s month, archived."""
    horizon = settings.PARTITION_HORIZON_MONTHS if horizon is None else horizon
    oldest_kept = clock.month_add(month_of(at or timezone.now()), -horizon)
    return [partition_archive(spec, m) for m in months_attached(spec) if m < oldest_kept]


class ArchiveError(Exception):
    pass


def partition_restore(spec: Partitioned, month: date) -> int:
    """An archived month back as an attached partition, after its archive's checksum and row count are verified."""
    data, manifest = archive_paths(spec, month)
    if not manifest.exists() or not data.exists():
        raise ArchiveError(f"no archive of {spec.table} for {month:%Y-%m} in {_archive_dir()}")
    record = json.loads(manifest.read_text())
    digest = hashlib.sha256()
    with open(data, "rb") as archived:
        for block in iter(lambda: archived.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != record["sha256"]:
        raise ArchiveError(f"{data.name}: checksum differs from the manifest's: not restored")
    if month in months_attached(spec):
        raise ArchiveError(f"{spec.month_table(month)} is attached already")
    name = record["partition"]
    start, end = clock.month_bounds(month)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} (LIKE {spec.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        with gzip.open(data, "rb") as archived, cursor.copy(f"COPY {name} ({record['columns']}) FROM STDIN") as copy:
            for block in iter(lambda: archived.read(1 << 20), b""):
                copy.write(block)
        cursor.execute(f"SELECT count(*) FROM {name}")
        if cursor.fetchone()[0] != record["rows"]:
            raise ArchiveError(f"{name}: the archive's rows differ from the manifest's: not restored")
        cursor.execute(f"ALTER TABLE {spec.table} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end])
    return record["rows"]
