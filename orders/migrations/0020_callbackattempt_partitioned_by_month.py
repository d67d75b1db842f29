"""Callback delivery attempts partitioned by Beijing month of ``at`` (``core.partitions.table_partition``, as the
order events in ``orders.0019``): one partition per month from the oldest attempt to three months ahead and a
DEFAULT partition; the primary key becomes (id, at). Nothing points at an attempt; its own key to the callback it
tried stays. The rows are copied by one INSERT … SELECT in this migration's transaction (docs/decisions.md)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import migrations

from core.partitions import Partitioned, table_partition


def forward(apps, schema_editor):
    spec = Partitioned(table=apps.get_model("orders", "CallbackAttempt")._meta.db_table, column="at")
    with schema_editor.connection.cursor() as cursor:
        table_partition(cursor, spec, now=datetime.now(ZoneInfo("Asia/Shanghai")))


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("orders", "0019_orderevent_partitioned_by_month"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
