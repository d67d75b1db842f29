"""The six rules of SPEC §4 with the deck's 2017 fines, in force from 2017-01-01."""
from datetime import datetime, timezone
from decimal import Decimal

from django.db import migrations

RULES = [
    ("LATE_ACCEPT", "100", 30, "30 分钟内未接单、接单失败或转单（接单时间 − 订单时间 > 30 分钟）"),
    ("LATE_PICKUP", "100", 960, "16 小时内未揽件确认或揽收失败（揽件时间 − 订单时间 > 16 小时）"),
    ("FALSE_FAIL_REASON", "100", None, "虚假反馈接单失败、揽收失败原因"),
    ("FALSE_WAYBILL", "500", None, "虚假反馈揽收运单号"),
    ("WRONG_ACCEPT", "100", None, "接单错误：非本网点订单进行系统操作，影响正确取件网点操作"),
    ("LATE_OR_WRONG_TRANSFER", "100", None, "非本网点服务范围，未在 30 分钟内转单或转单至错误的网点"),
]


def forwards(apps, schema_editor):
    RuleVersion = apps.get_model("penalties", "RuleVersion")
    start = datetime(2017, 1, 1, tzinfo=timezone.utc)
    for code, fine, threshold, description in RULES:
        RuleVersion.objects.get_or_create(code=code, effective_from=start, defaults={
            "fine": Decimal(fine), "threshold_minutes": threshold, "description": description})


class Migration(migrations.Migration):
    dependencies = [("penalties", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
