from datetime import datetime, timezone
from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):
    RuleVersion = apps.get_model("penalties", "RuleVersion")
    start = datetime(2017, 1, 1, tzinfo=timezone.utc)
    for code, fine, description in (("WO_LATE", "50", "菜鸟工单超过处理时限回复（系统处理时效）"),
                                    ("WO_QUALITY", "20", "菜鸟工单回复被总部首次审核退回（处理质量）")):
        RuleVersion.objects.get_or_create(code=code, effective_from=start,
                                          defaults={"fine": Decimal(fine), "description": description})


class Migration(migrations.Migration):
    dependencies = [("penalties", "0004_work_order_fines")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
