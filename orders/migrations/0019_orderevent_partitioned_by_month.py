"""Order events partitioned by Beijing month of ``at`` (declarative partitioning; ``core.partitions.table_partition``):
the rows move into a partitioned table of the same name, one partition per month from the oldest event to three
months ahead and a DEFAULT partition; the primary key becomes (id, at), the indexes, checks, foreign keys and the
append-only trigger are made again under their names, and ids keep coming from one sequence.

The two references to an event (a callback's ``event``, a violation's audited ``act``) lose their database foreign
key and stay plain ids (docs/decisions.md: events are never updated or deleted, both references are written in
the transaction that has the event, and ``core.partitions.orphans`` checks them). The rows are copied by
one INSERT … SELECT in this migration's transaction (docs/decisions.md: its cost, and what a table of hundreds of
millions of rows needs instead)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import django.db.models.deletion
from django.db import migrations, models

from core.partitions import Partitioned, table_partition


def forward(apps, schema_editor):
    spec = Partitioned(table=apps.get_model("orders", "OrderEvent")._meta.db_table, column="at")
    with schema_editor.connection.cursor() as cursor:
        table_partition(cursor, spec, now=datetime.now(ZoneInfo("Asia/Shanghai")))


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("orders", "0018_import_job_accounts_kind"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboxmessage",
            name="event",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orders.orderevent",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=False),
    ]
