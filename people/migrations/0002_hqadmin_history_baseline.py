"""A "created" history record for every master-data row that exists when history starts, so "as it stood then"
has an answer for rows never edited since. ``manage.py history_baseline`` does the same for rows written in bulk
later (the network load, the demo data)."""

from django.db import migrations
from django.utils import timezone

TRACKED = [
    ("core", "Province", "people"),
    ("core", "Site", "people"),
    ("core", "ServiceArea", "people"),
    ("core", "Courier", "people"),
    ("core", "ClosureDay", "people"),
    ("core", "User", "people"),
    ("penalties", "RuleVersion", "penalties"),
    ("orders", "ApiClient", "orders"),
]


def baseline(apps, schema_editor):
    from people.history import baseline_missing

    pairs = [
        (apps.get_model(app, name), apps.get_model(history_app, f"Historical{name}"))
        for app, name, history_app in TRACKED
    ]
    baseline_missing(pairs, at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("penalties", "0008_hqadmin_append_only_and_history"),
        ("orders", "0010_hqadmin_append_only_and_history"),
    ]

    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
