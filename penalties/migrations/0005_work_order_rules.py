from decimal import Decimal

from django.db import migrations

from penalties.migrations._rule_seed import SEED_FROM, WORK_ORDER_RULES


def forwards(apps, schema_editor):
    RuleVersion = apps.get_model("penalties", "RuleVersion")
    for code, fine, _threshold, description in WORK_ORDER_RULES:
        RuleVersion.objects.get_or_create(
            code=code, effective_from=SEED_FROM, defaults={"fine": Decimal(fine), "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("penalties", "0004_work_order_fines")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
