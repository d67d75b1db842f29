from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # the index is built CONCURRENTLY: the order table takes writes while it builds

    dependencies = [
        ("core", "0003_tables_named_for_core"),
        ("orders", "0015_senderidcheck"),
    ]

    operations = [
        migrations.AddField(
            model_name="onlineorder",
            name="erased_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="personal data erased at"),
        ),
        AddIndexConcurrently(
            model_name="onlineorder",
            index=models.Index(
                condition=models.Q(("erased_at__isnull", True)), fields=["order_time", "id"], name="order_not_erased"
            ),
        ),
    ]
