"""The ground floor moves from ``dispatch`` to ``core``: the same tables, now owned by the core app.

State only: the tables keep their ``dispatch_*`` names (``db_table``); ``dispatch.0004`` moves the content types
(so permissions and admin history follow) and drops the old models from the migration state once every app's
relations point here. A database made before the move has this migration recorded as applied by ``migrate``
itself (``core/management/commands/migrate.py``): Django's admin migration, applied long ago, depends on the
user model's app, and the tables this migration describes exist already."""

import datetime

import django.contrib.auth.models
import django.contrib.auth.validators
import django.contrib.postgres.fields
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("dispatch", "0003_message_email_wanted"),  # the tables exist from here on
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="City",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.CharField(max_length=4, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=32, verbose_name="name")),
                    ],
                    options={
                        "verbose_name": "city",
                        "verbose_name_plural": "cities",
                        "db_table": "dispatch_city",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="Province",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "code",
                            models.CharField(
                                help_text="GB/T 2260, two digits", max_length=2, unique=True, verbose_name="code"
                            ),
                        ),
                        ("name", models.CharField(max_length=32, verbose_name="name")),
                        (
                            "service_start",
                            models.TimeField(default=datetime.time(8, 0), verbose_name="service hours start"),
                        ),
                        (
                            "service_end",
                            models.TimeField(default=datetime.time(20, 0), verbose_name="service hours end"),
                        ),
                    ],
                    options={
                        "verbose_name": "province",
                        "verbose_name_plural": "provinces",
                        "db_table": "dispatch_province",
                        "ordering": ["code"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("service_start__lt", models.F("service_end"))),
                                name="province_hours_order",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="District",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("adcode", models.CharField(max_length=6, unique=True, verbose_name="district code")),
                        ("name", models.CharField(max_length=32, verbose_name="name")),
                        (
                            "statistical_only",
                            models.BooleanField(default=False, verbose_name="statistical code only (市辖区)"),
                        ),
                        (
                            "city",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="districts",
                                to="core.city",
                                verbose_name="city",
                            ),
                        ),
                        (
                            "province",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="districts",
                                to="core.province",
                                verbose_name="province",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "district",
                        "verbose_name_plural": "districts",
                        "db_table": "dispatch_district",
                        "ordering": ["adcode"],
                    },
                ),
                migrations.AddField(
                    model_name="city",
                    name="province",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cities",
                        to="core.province",
                        verbose_name="province",
                    ),
                ),
                migrations.CreateModel(
                    name="User",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("password", models.CharField(max_length=128, verbose_name="password")),
                        ("last_login", models.DateTimeField(blank=True, null=True, verbose_name="last login")),
                        (
                            "is_superuser",
                            models.BooleanField(
                                default=False,
                                help_text="Designates that this user has all permissions without explicitly assigning them.",
                                verbose_name="superuser status",
                            ),
                        ),
                        (
                            "username",
                            models.CharField(
                                error_messages={"unique": "A user with that username already exists."},
                                help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
                                max_length=150,
                                unique=True,
                                validators=[django.contrib.auth.validators.UnicodeUsernameValidator()],
                                verbose_name="username",
                            ),
                        ),
                        ("first_name", models.CharField(blank=True, max_length=150, verbose_name="first name")),
                        ("last_name", models.CharField(blank=True, max_length=150, verbose_name="last name")),
                        ("email", models.EmailField(blank=True, max_length=254, verbose_name="email address")),
                        (
                            "is_staff",
                            models.BooleanField(
                                default=False,
                                help_text="Designates whether the user can log into this admin site.",
                                verbose_name="staff status",
                            ),
                        ),
                        (
                            "is_active",
                            models.BooleanField(
                                default=True,
                                help_text="Designates whether this user should be treated as active. Unselect this instead of deleting accounts.",
                                verbose_name="active",
                            ),
                        ),
                        (
                            "date_joined",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="date joined"),
                        ),
                        (
                            "role",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("clerk", "Site clerk"),
                                    ("lcs", "Province LCS"),
                                    ("hq", "HQ e-commerce team"),
                                    ("manager", "Manager"),
                                ],
                                max_length=16,
                                verbose_name="role",
                            ),
                        ),
                        ("phone", models.CharField(blank=True, max_length=20, verbose_name="phone")),
                        (
                            "groups",
                            models.ManyToManyField(
                                blank=True,
                                help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.",
                                related_name="user_set",
                                related_query_name="user",
                                to="auth.group",
                                verbose_name="groups",
                            ),
                        ),
                        (
                            "user_permissions",
                            models.ManyToManyField(
                                blank=True,
                                help_text="Specific permissions for this user.",
                                related_name="user_set",
                                related_query_name="user",
                                to="auth.permission",
                                verbose_name="user permissions",
                            ),
                        ),
                        (
                            "province",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="users",
                                to="core.province",
                                verbose_name="province",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "user",
                        "verbose_name_plural": "users",
                        "db_table": "dispatch_user",
                    },
                    managers=[
                        ("objects", django.contrib.auth.models.UserManager()),
                    ],
                ),
                migrations.CreateModel(
                    name="Site",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.CharField(max_length=16, unique=True, verbose_name="site code")),
                        ("name", models.CharField(max_length=64, verbose_name="site name")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("site", "Site"), ("sorting", "Sorting centre"), ("direct", "Direct point")],
                                default="site",
                                max_length=8,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "level",
                            models.PositiveSmallIntegerField(
                                choices=[(1, "First-level site"), (2, "Second-level site")],
                                default=1,
                                verbose_name="level",
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        ("phone", models.CharField(blank=True, max_length=32, verbose_name="phone")),
                        ("email", models.EmailField(blank=True, max_length=254, verbose_name="e-mail")),
                        ("address", models.CharField(blank=True, max_length=200, verbose_name="address")),
                        ("is_data_center", models.BooleanField(default=False, verbose_name="data center")),
                        (
                            "district",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="sites",
                                to="core.district",
                                verbose_name="district",
                            ),
                        ),
                        (
                            "parent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="contract_areas",
                                to="core.site",
                                verbose_name="parent site (contract area of)",
                            ),
                        ),
                        (
                            "province",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="sites",
                                to="core.province",
                                verbose_name="province",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "site",
                        "verbose_name_plural": "sites",
                        "db_table": "dispatch_site",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="ServiceArea",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "keywords",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=32),
                                blank=True,
                                default=list,
                                help_text="Optional; the area is narrowed to addresses containing one of them.",
                                size=None,
                                verbose_name="street/town keywords",
                            ),
                        ),
                        ("priority", models.IntegerField(default=0, verbose_name="priority")),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="service_areas",
                                to="core.district",
                                verbose_name="district",
                            ),
                        ),
                        (
                            "site",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="service_areas",
                                to="core.site",
                                verbose_name="site",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "service area",
                        "verbose_name_plural": "service areas",
                        "db_table": "dispatch_servicearea",
                    },
                ),
                migrations.CreateModel(
                    name="Message",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "audience",
                            models.CharField(
                                choices=[("user", "User"), ("site", "Site"), ("province", "Province"), ("hq", "HQ")],
                                max_length=8,
                                verbose_name="audience",
                            ),
                        ),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("general", "Notice"),
                                    ("order", "Order alert"),
                                    ("violation", "Violation notice"),
                                    ("work_order", "Work-order alert"),
                                    ("stock", "Stock alert"),
                                ],
                                default="general",
                                max_length=16,
                                verbose_name="category",
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        ("body", models.TextField(blank=True, verbose_name="body")),
                        ("link", models.CharField(blank=True, max_length=500, verbose_name="link")),
                        (
                            "attachment",
                            models.FileField(blank=True, upload_to="messages/%Y/%m/", verbose_name="attachment"),
                        ),
                        ("created_at", models.DateTimeField(db_index=True, verbose_name="sent at")),
                        ("emailed_at", models.DateTimeField(blank=True, null=True, verbose_name="e-mailed at")),
                        ("email_wanted", models.BooleanField(default=False, verbose_name="e-mail copy wanted")),
                        (
                            "sender",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="sent_messages",
                                to="core.user",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="core.user",
                            ),
                        ),
                        (
                            "province",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="messages",
                                to="core.province",
                            ),
                        ),
                        (
                            "site",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="messages",
                                to="core.site",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "message",
                        "verbose_name_plural": "messages",
                        "db_table": "dispatch_message",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Courier",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=32, verbose_name="name")),
                        ("phone", models.CharField(max_length=20, verbose_name="phone")),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        (
                            "site",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="couriers",
                                to="core.site",
                                verbose_name="site",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "courier",
                        "verbose_name_plural": "couriers",
                        "db_table": "dispatch_courier",
                        "ordering": ["site", "name"],
                    },
                ),
                migrations.AddField(
                    model_name="user",
                    name="site",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="users",
                        to="core.site",
                        verbose_name="site",
                    ),
                ),
                migrations.CreateModel(
                    name="MessageRead",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("read_at", models.DateTimeField()),
                        (
                            "message",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="reads", to="core.message"
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="message_reads",
                                to="core.user",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dispatch_messageread",
                        "constraints": [models.UniqueConstraint(fields=("message", "user"), name="message_read_once")],
                    },
                ),
                migrations.CreateModel(
                    name="ClosureDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField(verbose_name="day")),
                        ("reason", models.CharField(max_length=200, verbose_name="reason")),
                        ("confirmed_at", models.DateTimeField(verbose_name="confirmed at")),
                        (
                            "confirmed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.user",
                            ),
                        ),
                        (
                            "province",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="closures",
                                to="core.province",
                                verbose_name="province (empty: the whole network)",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "closure day",
                        "verbose_name_plural": "closure days",
                        "db_table": "dispatch_closureday",
                        "ordering": ["day"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("day", "province"), name="closure_once", nulls_distinct=False
                            )
                        ],
                    },
                ),
                migrations.AddIndex(
                    model_name="site",
                    index=models.Index(fields=["province", "kind", "level"], name="site_province_kind_level"),
                ),
                migrations.AddIndex(
                    model_name="site",
                    index=models.Index(fields=["parent"], name="site_parent"),
                ),
                migrations.AddIndex(
                    model_name="site",
                    index=models.Index(django.db.models.functions.text.Upper("name"), name="site_name_upper"),
                ),
                migrations.AddConstraint(
                    model_name="site",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("is_data_center", True)), fields=("is_data_center",), name="one_data_center"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="site",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("parent", models.F("id")), _negated=True), name="site_not_own_parent"
                    ),
                ),
                migrations.AddIndex(
                    model_name="servicearea",
                    index=models.Index(fields=["district", "-priority"], name="servicearea_district_prio"),
                ),
                migrations.AddConstraint(
                    model_name="servicearea",
                    constraint=models.UniqueConstraint(
                        fields=("site", "district", "keywords"), name="servicearea_unique"
                    ),
                ),
                migrations.AddIndex(
                    model_name="message",
                    index=models.Index(
                        condition=models.Q(("user__isnull", False)),
                        fields=["user", "-created_at"],
                        name="message_user_time",
                    ),
                ),
                migrations.AddIndex(
                    model_name="message",
                    index=models.Index(
                        condition=models.Q(("site__isnull", False)),
                        fields=["site", "-created_at"],
                        name="message_site_time",
                    ),
                ),
                migrations.AddIndex(
                    model_name="message",
                    index=models.Index(
                        condition=models.Q(("province__isnull", False)),
                        fields=["province", "-created_at"],
                        name="message_province_time",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="message",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("audience", "user"),
                                ("province__isnull", True),
                                ("site__isnull", True),
                                ("user__isnull", False),
                            ),
                            models.Q(
                                ("audience", "site"),
                                ("province__isnull", True),
                                ("site__isnull", False),
                                ("user__isnull", True),
                            ),
                            models.Q(
                                ("audience", "province"),
                                ("province__isnull", False),
                                ("site__isnull", True),
                                ("user__isnull", True),
                            ),
                            models.Q(
                                ("audience", "hq"),
                                ("province__isnull", True),
                                ("site__isnull", True),
                                ("user__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="message_audience_target",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="courier",
                    constraint=models.UniqueConstraint(fields=("site", "phone"), name="courier_phone_per_site"),
                ),
                migrations.AddConstraint(
                    model_name="user",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("role", ""),
                            models.Q(("province__isnull", True), ("role", "clerk"), ("site__isnull", False)),
                            models.Q(("province__isnull", False), ("role", "lcs"), ("site__isnull", True)),
                            models.Q(("province__isnull", True), ("role", "hq"), ("site__isnull", True)),
                            models.Q(("role", "manager"), ("site__isnull", True)),
                            _connector="OR",
                        ),
                        name="user_role_matches_unit",
                    ),
                ),
            ],
        ),
    ]
