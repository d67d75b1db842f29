from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_apiclient_outboxmessage_callbackattempt_and_more")]
    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS orders_wechat_waybill_seq START 1",
            "DROP SEQUENCE IF EXISTS orders_wechat_waybill_seq",
        )
    ]
