"""Tracking scans partitioned by Beijing month of ``scanned_at`` (declarative partitioning): the rows move into a
partitioned table of the same name, one partition per month from the oldest scan to three months ahead and a
DEFAULT partition. The primary key becomes (id, scanned_at) — PostgreSQL wants the partition key in every unique
key; ``tracking_once`` has it already — and ids keep coming from one sequence. Nothing points at this table."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import migrations

TABLE = "logistics_trackingevent"
OLD = "logistics_trackingevent_unpartitioned"
SH = ZoneInfo("Asia/Shanghai")


def _month_add(month: date, n: int) -> date:
    y, m = divmod(month.year * 12 + month.month - 1 + n, 12)
    return date(y, m + 1, 1)


def _start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=SH)


def forward(apps, schema_editor):
    site_table = apps.get_model("core", "Site")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'f')", [TABLE]
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        cursor.execute(f"ALTER TABLE {OLD} ALTER COLUMN id DROP IDENTITY IF EXISTS")  # frees the sequence's name
        cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT tracking_once TO tracking_once_unpartitioned")
        cursor.execute("ALTER INDEX tracking_waybill_time RENAME TO tracking_waybill_time_unpartitioned")
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS) PARTITION BY RANGE (scanned_at)")
        cursor.execute(f"CREATE SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, scanned_at)")
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT tracking_once UNIQUE (waybill_no, scan_type, site_code, scanned_at)"
        )
        cursor.execute(f"CREATE INDEX tracking_waybill_time ON {TABLE} (waybill_no, scanned_at)")
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_site_id_fk FOREIGN KEY (site_id) REFERENCES {site_table} (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"SELECT min(scanned_at) FROM {OLD}")
        oldest = cursor.fetchone()[0]
        now = datetime.now(SH)
        month = (oldest.astimezone(SH) if oldest else now).date().replace(day=1)
        last = _month_add(now.date().replace(day=1), 3)
        while month <= last:
            cursor.execute(
                f"CREATE TABLE {TABLE}_p{month:%Y_%m} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)",
                [_start(month), _start(_month_add(month, 1))],
            )
            month = _month_add(month, 1)
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
        cursor.execute(f"SELECT setval('{TABLE}_id_seq', coalesce((SELECT max(id) FROM {TABLE}), 0) + 1, false)")
        cursor.execute(f"DROP TABLE {OLD}")


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("core", "0003_tables_named_for_core"),
        ("logistics", "0003_relations_to_core"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
