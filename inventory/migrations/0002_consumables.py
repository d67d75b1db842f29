from django.db import migrations

ITEMS = [
    ("LABEL", "热敏面单纸", "卷", 10),
    ("EWB", "电子面单（纸）", "张", 500),
    ("BAG", "快递袋", "个", 200),
    ("BOX", "纸箱", "个", 50),
    ("TAPE", "封箱胶带", "卷", 10),
    ("INK", "打印色带/墨盒", "个", 2),
]


def forwards(apps, schema_editor):
    Consumable = apps.get_model("inventory", "Consumable")
    for code, name, unit, minimum in ITEMS:
        Consumable.objects.get_or_create(code=code, defaults={"name": name, "unit": unit, "default_min": minimum})


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
