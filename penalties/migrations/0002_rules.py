"""The six rules of SPEC §4 with the deck's 2017 fines, in force from 2017-01-01."""

from decimal import Decimal

from django.db import migrations

from penalties.migrations._rule_seed import ORDER_RULES as RULES
from penalties.migrations._rule_seed import SEED_FROM


def forwards(apps, schema_editor):
    RuleVersion = apps.get_model("penalties", "RuleVersion")
    start = SEED_FROM
    for code, fine, threshold, description in RULES:
        RuleVersion.objects.get_or_create(
            code=code,
            effective_from=start,
            defaults={"fine": Decimal(fine), "threshold_minutes": threshold, "description": description},
        )


class Migration(migrations.Migration):
    dependencies = [("penalties", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
