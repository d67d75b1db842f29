"""The channels the deck lists (数据来源). 百世微信 and 百世快递官网 share the code ``wx``."""

from django.db import migrations

CHANNELS = [
    ("taobao", "LP", "淘宝", ""),
    ("kuaidi100", "KD", "快递100", ""),
    ("wechat", "wx", "百世微信", ""),
    ("website", "wx", "百世快递官网", ""),
    ("crm", "IS", "CRM", ""),
    ("chubao", "CT_H_", "触宝APP", "CT_H_"),
    ("alipay", "ali", "支付宝服务", ""),
    ("hq", "HQ", "总部追加", "HQ"),
]


def forwards(apps, schema_editor):
    Channel = apps.get_model("orders", "Channel")
    for slug, code, name, prefix in CHANNELS:
        Channel.objects.update_or_create(slug=slug, defaults={"code": code, "name": name, "order_id_prefix": prefix})


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
