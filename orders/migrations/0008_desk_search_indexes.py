"""The header search's indexes (orders/search.py): the last 4 digits of each phone and each name, newest first.
Plain B-trees on expressions (no contrib extension), built CONCURRENTLY so a 10-million-row table keeps
taking orders while they build."""

import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orders", "0007_rules_pickup_clock"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="onlineorder",
            index=models.Index(
                django.db.models.functions.text.Right("sender_phone", 4),
                models.OrderBy(models.F("order_time"), descending=True),
                name="order_sender_phone4",
            ),
        ),
        AddIndexConcurrently(
            model_name="onlineorder",
            index=models.Index(
                django.db.models.functions.text.Right("receiver_phone", 4),
                models.OrderBy(models.F("order_time"), descending=True),
                name="order_receiver_phone4",
            ),
        ),
        AddIndexConcurrently(
            model_name="onlineorder",
            index=models.Index(
                models.F("sender_name"),
                models.OrderBy(models.F("order_time"), descending=True),
                name="order_sender_name",
            ),
        ),
        AddIndexConcurrently(
            model_name="onlineorder",
            index=models.Index(
                models.F("receiver_name"),
                models.OrderBy(models.F("order_time"), descending=True),
                name="order_receiver_name",
            ),
        ),
    ]
