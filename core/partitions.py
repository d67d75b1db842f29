"""Month partitions of the append-only tables (PostgreSQL declarative partitioning by a time column, Beijing
months): each partitioned table has one partition per month, named ``<table>_pYYYY_MM``, and a DEFAULT partition
so that a row of a month nobody created yet is still written. Beat creates the coming months ahead
(``PARTITION_MONTHS_AHEAD``); a month whose rows already went to the default partition is created with them moved
into it, in one transaction.

Months older than ``PARTITION_HORIZON_MONTHS`` are archived (``partition_archive``): detached, written to a
gzip'd COPY with a manifest (rows, ids, SHA-256 of the archive, bounds) in the archive storage (``ARCHIVE_STORAGE``,
a Django storage: a directory, or object storage through django-storages), dropped; ``manage.py archive_restore
--month YYYY-MM`` brings one back after checking the checksum and the row count.

A table moves into partitions by ``table_partition`` (a migration's step); the references other tables keep to
it without a database foreign key are checked by ``orphans``."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

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
        # the rows move, they are not deleted: an append-only trigger (order events) stands aside for the move
        # only, inside this transaction and under its exclusive lock
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred key checks first (ALTER waits for none)
        cursor.execute(f"ALTER TABLE {default} DISABLE TRIGGER USER")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {default} WHERE {spec.column} >= %s AND {spec.column} < %s RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved",
            [start, end],
        )
        cursor.execute(f"ALTER TABLE {default} ENABLE TRIGGER USER")
        cursor.execute(f"ALTER TABLE {spec.table} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end])
    return True


def table_partition(cursor, spec: Partitioned, *, now: datetime, ahead: int = 3) -> dict:
    """Move a plain table into a partitioned table of the same name (for migrations): one partition per month
    from its oldest row to ``ahead`` months after ``now``'s, and a DEFAULT partition. The primary key becomes
    (id, ``spec.column``) — PostgreSQL wants the partition key in every unique key — and ids keep coming from one
    sequence, above the highest copied. The table's indexes, check constraints, foreign keys and triggers (the
    append-only ones) are made again on the new table under their names. Foreign keys of other tables that point
    at it cannot be (they would need the time too): they are dropped, their columns stay as plain ids, and their
    names are returned under ``"dropped"`` (the owning services keep them whole; ``core.partitions.orphans``
    finds any that do not).

    The rows are copied by one ``INSERT … SELECT`` in the migration's transaction, under the rename's ACCESS
    EXCLUSIVE lock: writers of the table wait for it (~12,000 events a second measured on the loaded 2-core
    machine; docs/decisions.md). A table of hundreds of millions of rows is moved another way (attach the old
    table as one partition after a validated CHECK): see docs/decisions.md."""
    table, old = spec.table, f"{spec.table}_unpartitioned"

    def rows(sql, params=()):
        cursor.execute(sql, params)
        return cursor.fetchall()

    dropped = [
        (src, name)
        for src, name in rows(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE confrelid = %s::regclass "
            "AND contype = 'f' AND conrelid <> confrelid",
            [table],
        )
    ]
    for src, name in dropped:
        cursor.execute(f'ALTER TABLE {src} DROP CONSTRAINT "{name}"')
    fks = rows(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    uniques = rows(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
        [table],
    )
    indexes = rows(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = "
        "%s::regclass AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
        "i.indexrelid)",
        [table],
    )
    triggers = rows(
        "SELECT tgname, pg_get_triggerdef(oid), obj_description(oid, 'pg_trigger') FROM pg_trigger "
        "WHERE tgrelid = %s::regclass AND NOT tgisinternal",
        [table],
    )
    for name, definition in uniques:
        if spec.column not in definition:
            raise RuntimeError(f"{table}.{name} is unique without {spec.column}: it cannot hold across months")
    for name, _definition in fks + uniques:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    for name, _definition, _comment in triggers:
        cursor.execute(f'DROP TRIGGER "{name}" ON {table}')
    (pkey,) = rows("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table])[0]
    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{pkey}"')
    cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
    serial = rows("SELECT pg_get_serial_sequence(%s, 'id')", [old])[0][0]
    identity = rows("SELECT attidentity FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'id'", [old])
    if identity[0][0]:
        cursor.execute(f"ALTER TABLE {old} ALTER COLUMN id DROP IDENTITY")  # frees the sequence's name
    else:
        cursor.execute(f"ALTER TABLE {old} ALTER COLUMN id DROP DEFAULT")
    if serial and rows("SELECT to_regclass(%s)", [serial])[0][0]:
        cursor.execute(f"DROP SEQUENCE {serial}")
    cursor.execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE ({spec.column})"
    )
    cursor.execute(f"CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id")
    cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
    cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{pkey}" PRIMARY KEY (id, {spec.column})')
    for name, definition in uniques + fks:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition, comment in triggers:
        cursor.execute(definition)
        if comment is not None:
            cursor.execute(f'COMMENT ON TRIGGER "{name}" ON {table} IS %s', [comment])
    cursor.execute(f"CREATE TABLE {spec.default_table} PARTITION OF {table} DEFAULT")
    oldest = rows(f"SELECT min({spec.column}) FROM {old}")[0][0]
    month, last = month_of(oldest or now), clock.month_add(month_of(now), ahead)
    months = 0
    while month <= last:
        start, end = clock.month_bounds(month)
        cursor.execute(
            f"CREATE TABLE {spec.month_table(month)} PARTITION OF {table} FOR VALUES FROM (%s) TO (%s)", [start, end]
        )
        month, months = clock.month_add(month, 1), months + 1
    cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")
    copied = cursor.rowcount
    cursor.execute(f"SELECT setval('{table}_id_seq', coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
    cursor.execute(f"DROP TABLE {old}")
    return {"rows": copied, "months": months, "dropped": [f"{src}.{name}" for src, name in dropped]}


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


def archive_storage() -> Storage:
    """The Django storage the archives go to (``ARCHIVE_STORAGE``, ``ARCHIVE_STORAGE_OPTIONS``): by default the file
    system under ``PARTITION_ARCHIVE_DIR``; object storage through django-storages when configured."""
    options = dict(settings.ARCHIVE_STORAGE_OPTIONS)
    backend = import_string(settings.ARCHIVE_STORAGE)
    if issubclass(backend, FileSystemStorage):
        options.setdefault("location", settings.PARTITION_ARCHIVE_DIR)
    return backend(**options)


def archive_paths(spec: Partitioned, month: date) -> tuple[str, str]:
    """The names of a month's archive and manifest in the archive storage."""
    base = spec.month_table(month)
    return f"{base}.copy.gz", f"{base}.json"


def _sha256(file) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: file.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _store(storage: Storage, name: str, file) -> None:
    """``file`` under exactly ``name`` (a rerun replaces what a failed run left; storages rename on a clash)."""
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, File(file, name=name))
    if saved != name:
        raise ArchiveError(f"the archive storage saved {name} as {saved}")


def manifest_read(spec: Partitioned, month: date) -> dict | None:
    storage, (_data, manifest) = archive_storage(), archive_paths(spec, month)
    if not storage.exists(manifest):
        return None
    with storage.open(manifest, "rb") as file:
        return json.loads(file.read())


def partition_archive(spec: Partitioned, month: date) -> dict:
    """Detach the month, COPY it to a gzip'd archive with a manifest (rows, SHA-256, bounds, columns) in the archive
    storage, drop it. The archive is written to a local temporary file first (hashed there), then stored; the
    manifest is stored last: a month with a manifest is safely archived; without one it is still attached or
    still detached in the database (a rerun finishes it)."""
    name = spec.month_table(month)
    storage, (data, manifest) = archive_storage(), archive_paths(spec, month)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if not cursor.fetchone()[0]:
            return manifest_read(spec, month) or {}
        if month in months_attached(spec):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred key checks first (DETACH waits for none)
            cursor.execute(f"ALTER TABLE {spec.table} DETACH PARTITION {name}")
        rows = 0
        with tempfile.TemporaryFile() as local:
            with gzip.GzipFile(fileobj=local, mode="wb") as out, cursor.copy(f"COPY {name} TO STDOUT") as copy:
                for chunk in copy:
                    out.write(chunk)
                    rows += bytes(chunk).count(b"\n")
            size = local.tell()
            local.seek(0)
            sha256 = _sha256(local)
            cursor.execute(f"SELECT count(*) FROM {name}")
            counted = cursor.fetchone()[0]
            if counted != rows:
                raise RuntimeError(f"{name}: {counted} rows in the table, {rows} written: archive not trusted, kept")
            local.seek(0)
            _store(storage, data, local)
        cursor.execute(
            "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attnum > 0 AND NOT attisdropped",
            [name],
        )
        columns = cursor.fetchone()[0]
        cursor.execute(f"SELECT min(id), max(id) FROM {name}")
        first_id, last_id = cursor.fetchone()
        start, end = clock.month_bounds(month)
        record = {
            "table": spec.table,
            "partition": name,
            "month": f"{month:%Y-%m}",
            "from": start.isoformat(),
            "to": end.isoformat(),
            "rows": rows,
            "ids": [first_id, last_id],
            "sha256": sha256,
            "bytes": size,
            "file": data,
            "columns": columns,
            "archived_at": timezone.now().isoformat(),
        }
        _store(storage, manifest, io.BytesIO(json.dumps(record, indent=2).encode()))
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
    """An archived month back as an attached partition, after its archive's checksum and row count are verified
    (the archive is read from the storage into a local temporary file, hashed there, then COPY'd in)."""
    storage, (data, _manifest) = archive_storage(), archive_paths(spec, month)
    record = manifest_read(spec, month)
    if record is None or not storage.exists(data):
        raise ArchiveError(f"no archive of {spec.table} for {month:%Y-%m} in the archive storage")
    if month in months_attached(spec):
        raise ArchiveError(f"{spec.month_table(month)} is attached already")
    name = record["partition"]
    start, end = clock.month_bounds(month)
    with tempfile.TemporaryFile() as local:
        with storage.open(data, "rb") as stored:
            for block in iter(lambda: stored.read(1 << 20), b""):
                local.write(block)
        local.seek(0)
        if _sha256(local) != record["sha256"]:
            raise ArchiveError(f"{data}: checksum differs from the manifest's: not restored")
        local.seek(0)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {name} (LIKE {spec.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            with (
                gzip.GzipFile(fileobj=local, mode="rb") as archived,
                cursor.copy(f"COPY {name} ({record['columns']}) FROM STDIN") as copy,
            ):
                for block in iter(lambda: archived.read(1 << 20), b""):
                    copy.write(block)
            cursor.execute(f"SELECT count(*) FROM {name}")
            if cursor.fetchone()[0] != record["rows"]:
                raise ArchiveError(f"{name}: the archive's rows differ from the manifest's: not restored")
            cursor.execute(
                f"ALTER TABLE {spec.table} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end]
            )
    return record["rows"]


def loose_references() -> list[tuple[str, str, str]]:
    """The references kept without a database foreign key to a partitioned table: (table, column, target table)
    of every model field declared ``db_constraint=False`` whose target is partitioned."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'p'")
        partitioned = {r[0] for r in cursor.fetchall()}
    return sorted(
        (model._meta.db_table, field.column, field.related_model._meta.db_table)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and not field.db_constraint and field.related_model._meta.db_table in partitioned
    )


def orphans() -> dict[str, int]:
    """The references of ``loose_references`` whose row is not there (nothing should ever be counted: events are
    never deleted, and the services write a reference with its row; a month archived past the horizon takes its
    rows away, so a reference to it is counted too, and its archive's manifest names the month's ids)."""
    found = {}
    with connection.cursor() as cursor:
        for table, column, target in loose_references():
            cursor.execute(
                f"SELECT count(*) FROM {table} s WHERE s.{column} IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t.id = s.{column})"
            )
            found[f"{table}.{column}"] = cursor.fetchone()[0]
    return found
