"""Network (provinces, cities, districts, sites, couriers, service areas), people, closure days and the message centre: the ground floor.

Tables, constraints and indexes only; the rules live in services, selectors, scoping and clock modules.
"""

from datetime import time

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    code = models.CharField(_("code"), max_length=2, unique=True, help_text=_("GB/T 2260, two digits"))
    name = models.CharField(_("name"), max_length=32)
    service_start = models.TimeField(_("service hours start"), default=time(8, 0))
    service_end = models.TimeField(_("service hours end"), default=time(20, 0))

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [
            models.CheckConstraint(condition=Q(service_start__lt=models.F("service_end")), name="province_hours_order"),
        ]

    def __str__(self):
        return self.name


class City(models.Model):
    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=32)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="cities", verbose_name=_("province"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self):
        return self.name


class District(models.Model):
    adcode = models.CharField(_("district code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=32)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="districts", verbose_name=_("city"))
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("province")
    )
    #: GB/T 2260 lists 市辖区 rows under prefecture cities: a code, not a place anyone serves
    statistical_only = models.BooleanField(_("statistical code only (市辖区)"), default=False)

    class Meta:
        ordering = ["adcode"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return f"{self.city.name if self.city.name != '市辖区' else self.province.name}{self.name}"


class Site(models.Model):
    class Kind(models.TextChoices):
        SITE = "site", _("Site")
        SORTING = "sorting", _("Sorting centre")
        DIRECT = "direct", _("Direct point")

    class Level(models.IntegerChoices):
        FIRST = 1, _("First-level site")
        SECOND = 2, _("Second-level site")

    code = models.CharField(_("site code"), max_length=16, unique=True)
    name = models.CharField(_("site name"), max_length=64)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="sites", verbose_name=_("province"))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="sites", verbose_name=_("district")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.SITE)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.FIRST)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract_areas",
        verbose_name=_("parent site (contract area of)"),
    )
    active = models.BooleanField(_("active"), default=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_data_center = models.BooleanField(_("data center"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        indexes = [
            models.Index(fields=["province", "kind", "level"], name="site_province_kind_level"),
            models.Index(fields=["parent"], name="site_parent"),
            models.Index(models.functions.Upper("name"), name="site_name_upper"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["is_data_center"], condition=Q(is_data_center=True), name="one_data_center"
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="site_not_own_parent"),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Courier(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="couriers", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=32)
    phone = models.CharField(_("phone"), max_length=20)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site", "name"]
        verbose_name = _("courier")
        verbose_name_plural = _("couriers")
        constraints = [models.UniqueConstraint(fields=["site", "phone"], name="courier_phone_per_site")]

    def __str__(self):
        return self.name


class ServiceArea(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="service_areas", verbose_name=_("site"))
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="service_areas", verbose_name=_("district")
    )
    keywords = ArrayField(
        models.CharField(max_length=32),
        default=list,
        blank=True,
        verbose_name=_("street/town keywords"),
        help_text=_("Optional; the area is narrowed to addresses containing one of them."),
    )
    priority = models.IntegerField(_("priority"), default=0)

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        indexes = [models.Index(fields=["district", "-priority"], name="servicearea_district_prio")]
        constraints = [models.UniqueConstraint(fields=["site", "district", "keywords"], name="servicearea_unique")]

    def __str__(self):
        return f"{self.site.code} → {self.district.adcode}"


class User(AbstractUser):
    """A person who logs in. A clerk belongs to a site, an LCS to a province, HQ to headquarters; a manager
    to a province or, with none, to the whole nation."""

    class Role(models.TextChoices):
        CLERK = "clerk", _("Site clerk")
        LCS = "lcs", _("Province LCS")
        HQ = "hq", _("HQ e-commerce team")
        MANAGER = "manager", _("Manager")
        COURIER = "courier", _("Courier")

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("site")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("province")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    #: a courier's account is bound to one courier record of its site (the courier's phone, courier/)
    courier = models.OneToOneField(
        Courier, on_delete=models.PROTECT, null=True, blank=True, related_name="account", verbose_name=_("courier")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role="")
                | Q(role="clerk", site__isnull=False, province__isnull=True)
                | Q(role="lcs", province__isnull=False, site__isnull=True)
                | Q(role="hq", province__isnull=True, site__isnull=True)
                | Q(role="manager", site__isnull=True)
                | Q(role="courier"),
                name="user_role_matches_unit",
            ),
            models.CheckConstraint(
                condition=Q(role="courier", site__isnull=False, province__isnull=True, courier__isnull=False)
                | (~Q(role="courier") & Q(courier__isnull=True)),
                name="user_courier_bound",
            ),
            # user names are unique without regard to case (DEMO-CLERK is demo-clerk)
            models.UniqueConstraint(Upper("username"), name="user_username_unique_ignoring_case"),
        ]


class Message(models.Model):
    """One message of the message centre, addressed to a user, a site, a province or HQ."""

    class Audience(models.TextChoices):
        USER = "user", _("User")
        SITE = "site", _("Site")
        PROVINCE = "province", _("Province")
        HQ = "hq", _("HQ")

    class Category(models.TextChoices):
        GENERAL = "general", _("Notice")
        ORDER = "order", _("Order alert")
        VIOLATION = "violation", _("Violation notice")
        WORK_ORDER = "work_order", _("Work-order alert")
        STOCK = "stock", _("Stock alert")

    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices)
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="messages")
    province = models.ForeignKey(Province, on_delete=models.CASCADE, null=True, blank=True, related_name="messages")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, default=Category.GENERAL)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    attachment = models.FileField(_("attachment"), upload_to="messages/%Y/%m/", blank=True)
    sender = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="sent_messages")
    created_at = models.DateTimeField(_("sent at"), db_index=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    #: an e-mail copy is owed (the row is its outbox: a broker outage delays the copy, the backlog job sends it)
    email_wanted = models.BooleanField(_("e-mail copy wanted"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="message_user_time", condition=Q(user__isnull=False)),
            models.Index(fields=["site", "-created_at"], name="message_site_time", condition=Q(site__isnull=False)),
            models.Index(
                fields=["province", "-created_at"], name="message_province_time", condition=Q(province__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience="user", user__isnull=False, site__isnull=True, province__isnull=True)
                | Q(audience="site", site__isnull=False, user__isnull=True, province__isnull=True)
                | Q(audience="province", province__isnull=False, user__isnull=True, site__isnull=True)
                | Q(audience="hq", user__isnull=True, site__isnull=True, province__isnull=True),
                name="message_audience_target",
            )
        ]

    def __str__(self):
        return self.title


class MessageRead(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="message_reads")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="message_read_once")]


class ClosureDay(models.Model):
    """A day on which the SLA clocks stand still (e.g. an announced Spring Festival suspension), network-wide
    (no province) or for one province. Only confirmed days are stored; suggestions come from chinese-calendar."""

    day = models.DateField(_("day"))
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("province (empty: the whole network)"),
    )
    reason = models.CharField(_("reason"), max_length=200)
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days")
        constraints = [models.UniqueConstraint(fields=["day", "province"], name="closure_once", nulls_distinct=False)]

    def __str__(self):
        return f"{self.day} {self.province or '全网'}"


class SeenSignature(models.Model):
    """A signed API request's signature, kept for the replay window (``core.signing``): in PostgreSQL, so a replay
    is refused whether or not Redis answers. An unlogged table (no WAL: an insert costs what a cache write does;
    emptied only by a crash of PostgreSQL itself), pruned as it goes."""

    key = models.CharField(max_length=100, primary_key=True)  # "<client id>:<signature>"
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("seen API signature")


class AlertChannel(models.Model):
    """Where operations alerts reach people: a 企业微信 or 钉钉 group robot, e-mail addresses or SMS numbers, for one
    province's team or (no province) for HQ. HQ configures them; the robots' keys and the signing secret stay
    here and are never shown back in full."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot (企业微信)")
        DINGTALK = "dingtalk", _("DingTalk group robot (钉钉)")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64)
    #: the robot's webhook URL (its key or access token included), e-mail addresses or phone numbers
    target = models.CharField(_("address"), max_length=1000)
    #: 钉钉's signing secret (加签), empty for the others
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["province__code", "kind", "id"]
        verbose_name = _("alert channel")
        verbose_name_plural = _("alert channels")
        indexes = [models.Index(fields=["province", "active"], name="alertchannel_province")]

    def __str__(self):
        return self.name


class OutboxRow(models.Model):
    """A message owed to a partner, as the outbox kit (``core.outbox``) delivers it: what is sent, where delivery
    stands, when to try next. Each owner's row model adds where it goes and what it is about, and declares its
    own "due" index (``next_attempt_at`` where pending)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        abstract = True


class OutboxAttempt(models.Model):
    """One attempt to deliver an outbox row (the kit records each); the owner adds ``message``, the key to its row."""

    at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    ok = models.BooleanField(default=False)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class AlertMessage(OutboxRow):
    """One alert owed to one channel (the outbox kit delivers it, ``core.alerts``): the title and lines as
    written, rendered in the channel's own form when sent."""

    channel = models.ForeignKey(AlertChannel, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("event"), max_length=20)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [
            models.Index(fields=["next_attempt_at"], name="alertmessage_due", condition=Q(status="pending")),
            models.Index(fields=["-created_at"], name="alertmessage_time"),
        ]


class AlertAttempt(OutboxAttempt):
    message = models.ForeignKey(AlertMessage, on_delete=models.CASCADE, related_name="deliveries")

    class Meta(OutboxAttempt.Meta):
        pass


class AlertRaised(models.Model):
    """What has been alerted once (an order's accept deadline near or missed, a callback given up): the next run
    finds the row and stays quiet. Kept a week."""

    kind = models.CharField(max_length=20)
    ref = models.BigIntegerField()
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "ref"], name="alertraised_once")]
        indexes = [models.Index(fields=["at"], name="alertraised_at")]
