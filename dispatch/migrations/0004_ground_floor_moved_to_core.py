"""State only: the network, people, closure days and messages now belong to ``core`` (``core.0001`` took them
over with their tables); the desk's own tables point at them there."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = [
    "province",
    "city",
    "district",
    "site",
    "courier",
    "servicearea",
    "user",
    "message",
    "messageread",
    "closureday",
]


def content_types_to_core(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="core", model__in=MOVED).delete()  # none, unless made by hand
    ContentType.objects.filter(app_label="dispatch", model__in=MOVED).update(app_label="core")


def content_types_to_dispatch(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="core", model__in=MOVED).update(app_label="dispatch")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_relations_to_core"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("dispatch", "0003_message_email_wanted"),
        ("finance", "0002_relations_to_core"),
        ("inventory", "0003_relations_to_core"),
        ("logistics", "0003_relations_to_core"),
        ("orders", "0006_relations_to_core"),
        ("penalties", "0006_relations_to_core"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="district",
                    name="city",
                ),
                migrations.RemoveField(
                    model_name="closureday",
                    name="confirmed_by",
                ),
                migrations.RemoveField(
                    model_name="closureday",
                    name="province",
                ),
                migrations.RemoveField(
                    model_name="courier",
                    name="site",
                ),
                migrations.RemoveField(
                    model_name="district",
                    name="province",
                ),
                migrations.RemoveField(
                    model_name="servicearea",
                    name="district",
                ),
                migrations.RemoveField(
                    model_name="site",
                    name="district",
                ),
                migrations.RemoveField(
                    model_name="message",
                    name="province",
                ),
                migrations.RemoveField(
                    model_name="message",
                    name="sender",
                ),
                migrations.RemoveField(
                    model_name="message",
                    name="site",
                ),
                migrations.RemoveField(
                    model_name="message",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="messageread",
                    name="message",
                ),
                migrations.RemoveField(
                    model_name="messageread",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="site",
                    name="province",
                ),
                migrations.RemoveField(
                    model_name="user",
                    name="province",
                ),
                migrations.RemoveField(
                    model_name="servicearea",
                    name="site",
                ),
                migrations.RemoveField(
                    model_name="site",
                    name="parent",
                ),
                migrations.AlterField(
                    model_name="sitereminder",
                    name="site",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.site"
                    ),
                ),
                migrations.RemoveField(
                    model_name="user",
                    name="site",
                ),
                migrations.AlterField(
                    model_name="siteactivity",
                    name="site",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="activity",
                        serialize=False,
                        to="core.site",
                    ),
                ),
                migrations.RemoveField(
                    model_name="user",
                    name="groups",
                ),
                migrations.RemoveField(
                    model_name="user",
                    name="user_permissions",
                ),
                migrations.AlterField(
                    model_name="siteactivity",
                    name="last_refresh_by",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.DeleteModel(
                    name="City",
                ),
                migrations.DeleteModel(
                    name="ClosureDay",
                ),
                migrations.DeleteModel(
                    name="Courier",
                ),
                migrations.DeleteModel(
                    name="District",
                ),
                migrations.DeleteModel(
                    name="Message",
                ),
                migrations.DeleteModel(
                    name="MessageRead",
                ),
                migrations.DeleteModel(
                    name="Province",
                ),
                migrations.DeleteModel(
                    name="ServiceArea",
                ),
                migrations.DeleteModel(
                    name="Site",
                ),
                migrations.DeleteModel(
                    name="User",
                ),
            ],
        ),
        migrations.RunPython(content_types_to_core, content_types_to_dispatch),
    ]
