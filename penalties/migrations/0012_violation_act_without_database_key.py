"""A violation's audited act stays a plain id (no database foreign key): order events are partitioned by month
(``orders.0019``, which drops the key when it moves the table; this makes the models say so)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0019_orderevent_partitioned_by_month"),
        ("penalties", "0011_appeal_cites_door_evidence"),
    ]

    operations = [
        migrations.AlterField(
            model_name="violation",
            name="act",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orders.orderevent",
                verbose_name="audited act",
            ),
        ),
    ]
