from django.db import migrations


class Migration(migrations.Migration):
    # The ground floor's tables take core's name. Every app's history up to now spells them dispatch_*, so the
    # rename runs after all of it; a later migration that points at core's tables depends on this one.
    dependencies = [
        ("core", "0002_user_courier"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("axes", "0010_accessattemptexpiration"),
        ("complaints", "0005_result_attempts"),
        ("courier", "0001_initial"),
        ("dispatch", "0004_ground_floor_moved_to_core"),
        ("finance", "0004_hqadmin_ledger_append_only"),
        ("inventory", "0003_relations_to_core"),
        ("logistics", "0003_relations_to_core"),
        ("orders", "0013_order_day_counts"),
        ("penalties", "0009_hqadmin_work_order_limits"),
        ("people", "0003_historicaluser_courier"),
    ]

    operations = [
        migrations.AlterModelTable(
            name="city",
            table=None,
        ),
        migrations.AlterModelTable(
            name="closureday",
            table=None,
        ),
        migrations.AlterModelTable(
            name="courier",
            table=None,
        ),
        migrations.AlterModelTable(
            name="district",
            table=None,
        ),
        migrations.AlterModelTable(
            name="message",
            table=None,
        ),
        migrations.AlterModelTable(
            name="messageread",
            table=None,
        ),
        migrations.AlterModelTable(
            name="province",
            table=None,
        ),
        migrations.AlterModelTable(
            name="servicearea",
            table=None,
        ),
        migrations.AlterModelTable(
            name="site",
            table=None,
        ),
        migrations.AlterModelTable(
            name="user",
            table=None,
        ),
    ]
