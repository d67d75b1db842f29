"""Safe migrations: every migration runs with a lock timeout and a statement timeout (core's migrate command), and a
new migration may not rewrite or lock a large table unsafely. The linter reads each new migration's operations
against the state before it:

- an index or a unique/check constraint built in place (``AddIndex``, ``AddConstraint``, ``AlterUniqueTogether``,
  ``AlterIndexTogether``) locks writes for the whole build: use ``AddIndexConcurrently`` in a non-atomic migration
  (a unique index: concurrently, then the constraint ``USING INDEX`` in ``RunSQL``);
- ``AlterField`` that changes the column's type (other than widening a varchar or making it text) rewrites the
  table, and ``NOT NULL`` on an existing column scans it under an exclusive lock;
- ``AddField`` of a foreign key validates every row under lock (add it ``db_constraint=False`` and a ``NOT VALID``
  constraint validated later) and builds its index in place.

- ``RunPython`` and ``RunSQL`` run code the linter cannot read: each new one is flagged until a person has read it
  and written down in ``REVIEWED_CODE`` what it does to which tables, under which lock, and why that is safe (a
  move of a big table into month partitions is such code).

Migrations before the linter existed are not re-judged (``REVIEWED``)."""

import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.core.management import call_command
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

# the tables that grow with orders (60 M rows at SPEC §8's size and more): nothing may lock them for long
BIG_TABLES = {
    "orders_onlineorder",
    "orders_orderevent",
    "orders_outboxmessage",
    "orders_callbackattempt",
    "orders_historychange",
    "orders_orderdaycount",
    "penalties_violation",
    "penalties_violationevent",
    "penalties_noticeline",
    "logistics_scanevent",
    "core_message",
    "courier_courieract",
}
# the last migration of each app when the linter came: these were reviewed by hand
REVIEWED = {
    "complaints": 5,
    "core": 3,
    "courier": 2,
    "dispatch": 5,
    "finance": 4,
    "inventory": 3,
    "logistics": 3,
    "orders": 15,
    "penalties": 10,
    "people": 1,
}
# code in new migrations, read by a person: what it does and why it may run (the linter cannot see into it)
REVIEWED_CODE = {
    "core.0004_seen_signatures": "makes the seen-signature table UNLOGGED: a new, empty table",
    "logistics.0004_trackingevent_partitioned_by_month": (
        "moves the tracking scans into month partitions: one INSERT … SELECT under the rename's exclusive lock; "
        "the scan feed's writers wait for it (a young table: thousands of rows when it ran; docs/decisions.md)"
    ),
    "orders.0019_orderevent_partitioned_by_month": (
        "moves the order events into month partitions (core.partitions.table_partition): one INSERT … SELECT "
        "under the rename's exclusive lock, ~12,000 events a second on the loaded 2-core machine, so writers of "
        "events wait that long; at the pilot's size (tens of thousands of events) that is seconds, and a table of "
        "hundreds of millions is moved by attaching it whole as one partition instead (docs/decisions.md)"
    ),
    "orders.0020_callbackattempt_partitioned_by_month": (
        "moves the callback attempts into month partitions like orders.0019 (one row per delivery try, 117 bytes "
        "each: a tenth of the events' bytes, copied in a tenth of their time); the callback workers' attempt "
        "inserts wait for it"
    ),
    "complaints.0006_resultattempt_partitioned_by_month": (
        "moves the work-order result attempts into month partitions like orders.0020 (a row per try at a closed "
        "work order's result: thousands, not millions)"
    ),
    "people.0002_hqadmin_history_baseline": "writes one 'created' history row per master-data row (small tables)",
}
LOCKING = (
    migrations.AddIndex,
    migrations.AddConstraint,
    migrations.AlterUniqueTogether,
    migrations.AlterIndexTogether,
)


def _table(state, app, model_name) -> str:
    return state.apps.get_model(app, model_name)._meta.db_table


def _widening(old: str, new: str) -> bool:
    o, n = re.fullmatch(r"varchar\((\d+)\)", old or ""), re.fullmatch(r"varchar\((\d+)\)", new or "")
    return (o is not None and n is not None and int(n[1]) >= int(o[1])) or (o is not None and new == "text")


def unsafe_operations(app: str, migration, state) -> list[str]:
    """What in ``migration`` (applied to ``state``, the project state before it) locks or rewrites a big table."""
    found = []
    for op in migration.operations:
        model_name = getattr(op, "model_name", None) or getattr(op, "name", None)
        try:
            table = _table(state, app, model_name) if model_name else ""
        except LookupError:
            table = ""
        if table in BIG_TABLES:
            label = f"{app}.{migration.name}: {op.describe()} on {table}"
            if isinstance(op, LOCKING) and not isinstance(op, AddIndexConcurrently):
                found.append(f"{label} builds in place under a lock (use AddIndexConcurrently, atomic = False)")
            elif isinstance(op, migrations.AlterField):
                old = state.apps.get_model(app, op.model_name)._meta.get_field(op.name)
                old_type = old.db_parameters(connection)["type"]
                after = state.clone()  # the field as bound in the state after (a foreign key's type is its target's)
                op.state_forwards(app, after)
                new_type = (
                    after.apps.get_model(app, op.model_name)._meta.get_field(op.name).db_parameters(connection)["type"]
                )
                if old_type != new_type and not _widening(old_type, new_type):
                    found.append(f"{label} rewrites the table ({old_type} → {new_type})")
                elif old.null and not op.field.null:
                    found.append(f"{label} sets NOT NULL: a full scan under an exclusive lock")
            elif isinstance(op, migrations.AddField) and op.field.is_relation and op.field.db_constraint:
                found.append(f"{label} adds a foreign key validated under lock (db_constraint=False, NOT VALID later)")
        if isinstance(op, (migrations.RunPython, migrations.RunSQL)) and f"{app}.{migration.name}" not in REVIEWED_CODE:
            found.append(f"{app}.{migration.name}: {op.describe()} runs code nobody reviewed (REVIEWED_CODE)")
        state = state.clone()
        op.state_forwards(app, state)
    return found


def _new_migrations(loader):
    """The project's migrations after ``REVIEWED`` (every migration of an app that came later)."""
    ours = {
        c.label
        for c in django_apps.get_app_configs()
        if Path(c.path).is_relative_to(settings.BASE_DIR) and not {".venv", "site-packages"} & set(Path(c.path).parts)
    }
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        number = int(name.split("_", 1)[0]) if name[:4].isdigit() else 0
        if app in ours and number > REVIEWED.get(app, 0):
            yield app, migration


def test_no_new_migration_locks_or_rewrites_a_big_table():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    problems = []
    for app, migration in _new_migrations(loader):
        state = loader.project_state((app, migration.name), at_end=False)
        problems += unsafe_operations(app, migration, state)
    assert problems == [], "\n".join(problems)


@pytest.fixture(scope="module")
def orders_state():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return loader.project_state(nodes=loader.graph.leaf_nodes())


def _judge(state, *operations):
    return unsafe_operations(
        "orders",
        type("Migration", (migrations.Migration,), {"operations": list(operations)})("9999_probe", "orders"),
        state,
    )


def test_the_linter_refuses_what_would_lock_the_order_table(orders_state):
    index = models.Index(fields=["goods"], name="probe_goods")
    assert _judge(orders_state, migrations.AddIndex("onlineorder", index))
    assert not _judge(orders_state, AddIndexConcurrently("onlineorder", index))
    unique = models.UniqueConstraint(fields=["goods", "remark"], name="probe_unique")
    assert _judge(orders_state, migrations.AddConstraint("onlineorder", unique))
    assert _judge(orders_state, migrations.AlterField("onlineorder", "goods", models.IntegerField(default=0)))
    assert not _judge(orders_state, migrations.AlterField("onlineorder", "goods", models.CharField(max_length=400)))
    assert _judge(
        orders_state,
        migrations.AddField("onlineorder", "probe", models.ForeignKey("core.Site", models.PROTECT, null=True)),
    )
    assert not _judge(orders_state, migrations.AddField("onlineorder", "probe_text", models.TextField(default="")))
    # a small table may be altered in place
    assert not _judge(orders_state, migrations.AddIndex("channel", models.Index(fields=["name"], name="probe_ch")))
    # code the linter cannot read waits for a person's review
    assert _judge(orders_state, migrations.RunSQL("INSERT INTO orders_orderevent SELECT * FROM elsewhere"))
    assert _judge(orders_state, migrations.RunPython(migrations.RunPython.noop))


@pytest.mark.django_db
def test_migrate_runs_with_a_lock_and_a_statement_timeout(settings):
    settings.MIGRATION_LOCK_TIMEOUT = "4s"
    with CaptureQueriesContext(connection) as ctx:
        call_command("migrate", verbosity=0)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "'lock_timeout', '4s'" in sql and "'statement_timeout', '15min'" in sql
    with connection.cursor() as cursor:  # and the connection has its defaults back afterwards
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"
