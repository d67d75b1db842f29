"""State only: relations now point at the ground floor's models in ``core`` (the same tables, so the
database is not touched)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("finance", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="province",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_entries",
                        to="core.province",
                        verbose_name="province",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="site",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger_entries",
                        to="core.site",
                        verbose_name="site",
                    ),
                ),
            ],
        ),
    ]
