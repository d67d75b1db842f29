"""``OnlineOrder.history_from``: the lower bound of an order's history, so its reads prune the months before it.

Added without a default (catalogue-only in PostgreSQL): every existing order reads null, and its history stays
unbounded, as it was; the intake sets it on the orders it takes in from then on."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0020_callbackattempt_partitioned_by_month")]

    operations = [
        migrations.AddField(
            model_name="onlineorder",
            name="history_from",
            field=models.DateTimeField(editable=False, null=True),
        ),
    ]
