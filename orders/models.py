"""The online order (电商订单), its channels and its append-only history.

Tables, constraints and indexes only. Every state change goes through ``orders.workflow`` (the state machine)
via the services of ``orders.services`` and ``dispatch.services``; nothing here decides anything.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Right
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import OutboxAttempt, OutboxRow


class Channel(models.Model):
    """A sales channel (数据来源). Two channels may share a deck code (百世微信 and 百世快递官网 are both
    ``wx``): they are told apart by this record, never by the code."""

    slug = models.SlugField(_("identifier"), max_length=32, unique=True)
    code = models.CharField(
        _("deck code"), max_length=16, help_text=_("As the deck shows it: LP, KD, wx, IS, CT_H_, ali")
    )
    name = models.CharField(_("name"), max_length=32)
    order_id_prefix = models.CharField(_("order id prefix"), max_length=16, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self):
        return self.name


class OrderState(models.TextChoices):
    PENDING = "PENDING", _("Waiting for accept")
    ACCEPTED = "ACCEPTED", _("Accepted")
    PICKED_UP = "PICKED_UP", _("Picked up")
    PICKUP_FAILED = "PICKUP_FAILED", _("Pickup failed")
    ACCEPT_FAILED = "ACCEPT_FAILED", _("Accept failed")
    CANCELLED = "CANCELLED", _("Cancelled")


class BusinessType(models.TextChoices):
    SEND = "send", _("Send a parcel (我要寄快递)")
    ONLINE = "online", _("Online order (在线下单)")


class FailReason(models.TextChoices):
    """True reasons only: capacity reasons ("not enough staff", "too far") are not accepted (the deck)."""

    PHONE = "phone", _("Phone number wrong or unreachable")
    PREMISES = "premises", _("Cannot enter the premises")
    CONSUMER_CANCELLED = "consumer_cancelled", _("Consumer cancelled")
    DUPLICATE = "duplicate", _("Duplicate order")
    GOODS = "goods", _("Goods not acceptable (prohibited or oversize)")
    WEATHER = "weather", _("Weather or road closure")


class PickupSource(models.TextChoices):
    CONFIRM = "confirm", _("Pickup confirm")
    SCAN = "scan", _("Pickup scan")


class OnlineOrder(models.Model):
    # foreign keys whose lookups the composite indexes below already serve carry no index of their own
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="orders", verbose_name=_("channel"), db_index=False
    )
    channel_order_id = models.CharField(_("logistics number (物流号)"), max_length=64)
    waybill_no = models.CharField(_("waybill number"), max_length=32, null=True, blank=True)
    business_type = models.CharField(
        _("business type"), max_length=8, choices=BusinessType.choices, default=BusinessType.SEND
    )
    is_online = models.BooleanField(_("online"), default=True)

    sender_name = models.CharField(_("sender"), max_length=64)
    sender_phone = models.CharField(_("sender phone"), max_length=32)
    sender_province = models.CharField(_("sender province"), max_length=32, blank=True)
    sender_city = models.CharField(_("sender city"), max_length=32, blank=True)
    sender_district = models.CharField(_("sender district"), max_length=32, blank=True)
    sender_address = models.CharField(_("sender address"), max_length=200)
    sender_adcode = models.CharField(_("sender district code"), max_length=6, blank=True)
    receiver_name = models.CharField(_("receiver"), max_length=64, blank=True)
    receiver_phone = models.CharField(_("receiver phone"), max_length=32, blank=True)
    receiver_province = models.CharField(_("receiver province"), max_length=32, blank=True)
    receiver_city = models.CharField(_("receiver city"), max_length=32, blank=True)
    receiver_district = models.CharField(_("receiver district"), max_length=32, blank=True)
    receiver_address = models.CharField(_("receiver address"), max_length=200, blank=True)
    goods = models.CharField(_("goods"), max_length=200, blank=True)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=8, decimal_places=2, null=True, blank=True)
    window_start = models.DateTimeField(_("pickup window from"), null=True, blank=True)
    window_end = models.DateTimeField(_("pickup window to"), null=True, blank=True)
    remark = models.CharField(_("customer remark"), max_length=500, blank=True)
    order_time = models.DateTimeField(_("order time"))

    state = models.CharField(_("state"), max_length=16, choices=OrderState.choices, default=OrderState.PENDING)
    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, related_name="orders", verbose_name=_("site"), db_index=False
    )
    #: the province of ``site``, kept with it so HQ's province queries use one index
    province = models.ForeignKey(
        "core.Province", on_delete=models.PROTECT, related_name="orders", verbose_name=_("province"), db_index=False
    )
    courier = models.ForeignKey(
        "core.Courier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("courier"),
    )
    route_reason = models.CharField(_("routing note"), max_length=200, blank=True)
    dispatched_at = models.DateTimeField(_("dispatch time (分件时间)"), null=True, blank=True)
    #: each time the order reaches a site (order, dispatch, transfer, reopen, re-route) a new stint begins
    stint = models.PositiveIntegerField(_("stint"), default=1)
    stint_started_at = models.DateTimeField(_("reached the site at"))
    accept_due_at = models.DateTimeField(_("accept deadline"), null=True, blank=True)
    pickup_due_at = models.DateTimeField(_("pickup deadline"))
    #: the pickup clock's start when HQ restarted it (分件, reopening); empty: order time (``clock.pickup_clock_start``)
    pickup_started_at = models.DateTimeField(_("pickup clock started at"), null=True, blank=True)
    #: the last site that handed the order on after accepting it or after its accept deadline: it answers for the
    #: pickup deadline while the holder does not (the data center, or before the holder's own accept deadline)
    pickup_owner = models.ForeignKey(
        "core.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bound by the pickup deadline"),
        db_index=False,
    )
    pickup_owner_stint = models.PositiveIntegerField(null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    picked_up_at = models.DateTimeField(_("picked up at"), null=True, blank=True)
    pickup_source = models.CharField(_("pickup recorded by"), max_length=8, choices=PickupSource.choices, blank=True)
    pickup_scan_at = models.DateTimeField(_("pickup scan time"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    fail_reason = models.CharField(_("failure reason"), max_length=24, choices=FailReason.choices, blank=True)
    fail_text = models.CharField(_("failure details"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_handled_at = models.DateTimeField(_("cancellation handled at"), null=True, blank=True)
    waybill_reminded_at = models.DateTimeField(_("customer reminded of waybill at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    #: no event of the order happened before this, less ``events.HISTORY_MARGIN``: the time of its first event, set
    #: by the intake, lowered by ``orders.events`` when a late fact is older. Reads of the order's history are
    #: bounded by it, so the months before the order are pruned (``selectors.order_events``). Null (an order from
    #: before the bound, or written by raw SQL) reads its whole history, unbounded.
    history_from = models.DateTimeField(null=True, editable=False)
    #: when the sender's and receiver's personal data were erased (``orders.services.orders_erase_personal``)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("online order")
        verbose_name_plural = _("online orders")
        # the history's floor only goes down: a save from a copy of the order loaded before a late fact lowered it
        # (or any writer) never raises it above that fact, which would hide the fact from the order's history
        triggers = [
            pgtrigger.Trigger(
                name="order_history_floor_only_lowers",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                condition=pgtrigger.Condition(
                    "OLD.history_from IS NOT NULL AND (NEW.history_from IS NULL OR NEW.history_from > OLD.history_from)"
                ),
                func="NEW.history_from := OLD.history_from; RETURN NEW;",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["channel", "channel_order_id"], name="order_channel_id_unique"),
            models.UniqueConstraint(
                fields=["waybill_no"], condition=Q(waybill_no__isnull=False), name="order_waybill_unique"
            ),
            models.CheckConstraint(
                condition=~Q(state="PICKED_UP") | Q(picked_up_at__isnull=False), name="order_picked_up_has_time"
            ),
        ]
        indexes = [
            # 网点接单: a site's pending orders by time left; the SLA sweep over open deadlines
            models.Index(fields=["site", "accept_due_at"], name="order_pending_site_due", condition=Q(state="PENDING")),
            models.Index(fields=["accept_due_at"], name="order_pending_due", condition=Q(state="PENDING")),
            # 网点揽件: a site's accepted orders by pickup deadline; the sweep
            models.Index(
                fields=["site", "pickup_due_at"], name="order_accepted_site_due", condition=Q(state="ACCEPTED")
            ),
            models.Index(
                fields=["pickup_due_at"], name="order_open_pickup_due", condition=Q(state__in=["PENDING", "ACCEPTED"])
            ),
            # 电商订单查询 by site and by province, newest first
            models.Index(fields=["site", "-order_time"], name="order_site_time"),
            models.Index(fields=["province", "-order_time"], name="order_province_time"),
            models.Index(fields=["-order_time"], name="order_time"),
            # the erasure's walk from the oldest order not yet erased (retention.services)
            models.Index(fields=["order_time", "id"], name="order_not_erased", condition=Q(erased_at__isnull=True)),
            # lookups by 物流号 across channels
            models.Index(fields=["channel_order_id"], name="order_channel_order_id"),
            # 站点未揽收查询: accepted or picked up, no pickup scan yet
            models.Index(
                fields=["site", "order_time"],
                name="order_unscanned",
                condition=Q(state__in=["ACCEPTED", "PICKED_UP"], pickup_scan_at__isnull=True),
            ),
            # 撤单处理: cancelled, not yet acknowledged by the site
            models.Index(
                fields=["site", "cancelled_at"],
                name="order_cancel_open",
                condition=Q(state="CANCELLED", cancel_handled_at__isnull=True),
            ),
            # the header search (orders/search.py): a phone by its last 4 digits, a name exactly, newest first
            # (plain B-trees on expressions: no contrib extension such as pg_trgm is needed)
            models.Index(Right("sender_phone", 4), F("order_time").desc(), name="order_sender_phone4"),
            models.Index(Right("receiver_phone", 4), F("order_time").desc(), name="order_receiver_phone4"),
            models.Index(F("sender_name"), F("order_time").desc(), name="order_sender_name"),
            models.Index(F("receiver_name"), F("order_time").desc(), name="order_receiver_name"),
        ]

    def __str__(self):
        return f"{self.channel_order_id}"

    @property
    def awaiting_waybill(self) -> bool:
        return self.business_type == BusinessType.ONLINE and not self.waybill_no and self.state == OrderState.ACCEPTED


class EventKind(models.TextChoices):
    CREATED = "created", _("Order received")
    ENTERED = "entered", _("Entered by HQ (追加订单)")
    ACCEPTED = "accepted", _("Accepted (接单成功)")
    TRANSFERRED = "transferred", _("Transferred (转单)")
    ACCEPT_FAILED = "accept_failed", _("Accept failed (接单失败)")
    COURIER = "courier", _("Courier assigned")
    PICKED_UP = "picked_up", _("Pickup confirmed (揽件确认)")
    PICKUP_FAILED = "pickup_failed", _("Pickup failed (揽收失败)")
    REAPPOINTED = "reappointed", _("Re-appointed with the consumer")
    CANCELLED = "cancelled", _("Cancelled by the channel (撤单)")
    CANCEL_HANDLED = "cancel_handled", _("Cancellation handled (已做撤单处理)")
    DISPATCHED = "dispatched", _("Dispatched by HQ (分件)")
    REOPENED = "reopened", _("Reopened by HQ")
    CHANGED = "changed", _("Changed by the channel")
    CORRECTED = "corrected", _("Corrected by the site")
    REROUTED = "rerouted", _("Re-routed after a change")
    SCANNED = "scanned", _("Pickup scan (揽收扫描)")
    WAYBILL_REMINDER = "waybill_reminder", _("Customer reminded to supply a waybill")
    WAYBILL_CORRECTED = "waybill_corrected", _("Waybill number corrected by the site")
    DEADLINE_MOVED = "deadline_moved", _("Deadline moved by a closure day (停摆日顺延)")
    WAYBILL_ASSIGNED = "waybill_assigned", _("Waybill number given to the channel")


class OrderEvent(models.Model):
    """One immutable line of an order's history: who, when, at which site, from→to, why. Created only by
    ``orders.events``; never updated or deleted (the rule book reads it as evidence)."""

    order = models.ForeignKey(OnlineOrder, on_delete=models.PROTECT, related_name="events", db_index=False)
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        db_index=False,
    )
    actor_label = models.CharField(
        _("by (system)"), max_length=64, blank=True, help_text=_("The channel, scanner or job when no person acted")
    )
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    stint = models.PositiveIntegerField(_("stint"))
    from_state = models.CharField(_("from"), max_length=16, choices=OrderState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=OrderState.choices, blank=True)
    to_site = models.ForeignKey(
        "core.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to site"),
        db_index=False,
    )
    reason = models.CharField(_("reason"), max_length=24, blank=True)
    text = models.CharField(_("details"), max_length=500, blank=True)
    waybill_no = models.CharField(_("waybill number"), max_length=32, blank=True)
    courier = models.ForeignKey(
        "core.Courier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("courier"),
        db_index=False,
    )
    data = models.JSONField(_("details (structured)"), default=dict, blank=True)
    # the order's clocks as they stood before this event: the rule book tells from the history alone whether a
    # deadline had passed when something happened
    clock_started_at = models.DateTimeField(_("stint started at"), null=True, blank=True)
    clock_accept_due_at = models.DateTimeField(_("accept deadline then"), null=True, blank=True)
    clock_pickup_due_at = models.DateTimeField(_("pickup deadline then"), null=True, blank=True)
    clock_owner = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    clock_owner_stint = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        # append-only in the database itself: UPDATE and DELETE are refused (TRUNCATE stays for clean-up)
        triggers = [pgtrigger.Protect(name="orderevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]
        ordering = ["at", "id"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        indexes = [
            models.Index(fields=["order", "at"], name="orderevent_order_at"),
            models.Index(fields=["kind", "at"], name="orderevent_kind_at"),
            # the SLA sweep: only the events that answered after a deadline (a few) are in these indexes
            models.Index(
                fields=["clock_accept_due_at"],
                name="orderevent_late_accept",
                condition=Q(from_state="PENDING", at__gt=models.F("clock_accept_due_at")),
            ),
            models.Index(
                fields=["clock_pickup_due_at"],
                name="orderevent_late_pickup",
                condition=Q(
                    from_state__in=["PENDING", "ACCEPTED"],
                    at__gt=models.F("clock_pickup_due_at"),
                    clock_pickup_due_at__gte=models.F("clock_started_at"),
                ),
            ),
        ]

    def __str__(self):
        return f"{self.order_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def reason_label(self) -> str:
        return FailReason(self.reason).label if self.reason in FailReason.values else self.reason


class HistoryChange(models.Model):
    """A fact recorded after it happened (a 揽收 scan or a courier's act synced late, an import of older acts):
    one row per late event, appended by ``orders.events``. The "changed since" log the rule book reads by id to
    re-judge the order from its whole history (``penalties.judge``); this app never asks what the rule book
    does with it (layers: orders stands below penalties)."""

    order = models.ForeignKey(OnlineOrder, on_delete=models.PROTECT, related_name="+", db_index=False)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()

    class Meta:
        triggers = [pgtrigger.Protect(name="historychange_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]


class PickupBinding(models.Model):
    """The pickup deadline that bound a site which handed the order on (after accepting it or after its accept
    deadline) when HQ's 分件 gave the next site a fresh pickup clock: it still binds that site, judged as if 分件
    had not happened (a violation when it passes before the order is picked up, failed or cancelled)."""

    order = models.ForeignKey(OnlineOrder, on_delete=models.PROTECT, related_name="pickup_bindings")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+", db_index=False)
    stint = models.PositiveIntegerField()
    clock_start = models.DateTimeField()
    window_end = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="pickupbinding_due")]


class ApiClient(models.Model):
    """A system that talks to the API: a sales channel, the scanning system or the CRM. It signs every request
    with its secret (HMAC-SHA256); HQ manages keys, secrets (shown once) and callback URLs in the app."""

    class Kind(models.TextChoices):
        CHANNEL = "channel", _("Sales channel")
        SCANNER = "scanner", _("Scanning system (tracking feed)")
        CRM = "crm", _("Cainiao CRM (work orders)")

    class Adapter(models.TextChoices):
        GENERIC = "generic", _("Q9 JSON")
        KUAIDI100 = "kuaidi100", _("Kuaidi100 merchant pickup")
        WECHAT = "wechat", _("WeChat logistics")

    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CHANNEL)
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, null=True, blank=True, related_name="api_clients", verbose_name=_("channel")
    )
    adapter = models.CharField(_("format"), max_length=12, choices=Adapter.choices, default=Adapter.GENERIC)
    key = models.CharField(_("API key"), max_length=40, unique=True)
    secret = models.CharField(_("secret"), max_length=80)
    callback_url = models.URLField(_("callback URL"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    secret_rotated_at = models.DateTimeField(_("secret issued at"), null=True, blank=True)
    #: who changed what, when (the secret itself is never copied into the history)
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="channel") | Q(channel__isnull=False), name="apiclient_channel_has_channel"
            )
        ]

    def __str__(self):
        return self.name


class OrderCallbackUrl(models.Model):
    """The channel's own callback address for one order (Kuaidi100's ``callBackUrl``), checked by
    ``orders.callback_urls``; it takes the place of the client's address for that order's callbacks."""

    order = models.OneToOneField(OnlineOrder, on_delete=models.CASCADE, primary_key=True, related_name="callback")
    url = models.CharField(_("callback URL"), max_length=300)


class OutboxMessage(OutboxRow):
    """A status callback owed to a channel, written in the same transaction as the change it reports, so a
    broker outage delays it but never loses it. Delivered by Celery with exponential back-off."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="outbox")
    order = models.ForeignKey(OnlineOrder, on_delete=models.PROTECT, related_name="+", db_index=False)
    # no foreign key in the database: events are partitioned by month, and a key pointing at them would need
    # their time too; the event is written in the same transaction and never deleted (docs/decisions.md)
    event = models.ForeignKey(
        OrderEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(_("event"), max_length=20)
    url = models.URLField(_("callback URL"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("status callback")
        verbose_name_plural = _("status callbacks")
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbox_due", condition=Q(status="pending")),
            models.Index(fields=["client", "-created_at"], name="outbox_client_time"),
            models.Index(fields=["-created_at"], name="outbox_failed", condition=Q(status="failed")),
        ]


class CallbackAttempt(OutboxAttempt):
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")

    class Meta(OutboxAttempt.Meta):
        pass


class ImportJob(models.Model):
    """A file import (a kind of ``core.imports``: HQ's kinds on /hq/imports/, accounts on /people/import/): checked
    whole by a Celery task first (a per-row report in Chinese, nothing imported while any row is wrong), then
    imported all-or-nothing by another with its progress shown. ``total`` rows were read from the file, ``done``
    imported, ``refused`` had a problem; ``created_by`` is whose scope the file is checked and imported in."""

    class Kind(models.TextChoices):
        ORDERS = "orders", _("Orders")
        SITES = "sites", _("Sites")
        SCANS = "scans", _("Tracking scans")
        AREAS = "areas", _("Service areas")
        ACCOUNTS = "accounts", _("User accounts")

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking the file")
        INVALID = "invalid", _("Has errors: nothing imported")
        READY = "ready", _("Checked: ready to import")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed: nothing imported")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class OrderDayCount(models.Model):
    """How many orders each site held of one Beijing day's orders (the data center left out), as counted from the
    order table by ``orders.stats`` at the time ``OrderCountDay`` records. Pages that count many days of orders
    at once (the SLA dashboard, a week's figures) read these few rows instead of the orders themselves."""

    day = models.DateField()
    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="+", db_index=False)
    province = models.ForeignKey("core.Province", on_delete=models.CASCADE, related_name="+", db_index=False)
    orders = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "site", "province"], name="orderdaycount_unique")]
        indexes = [
            models.Index(fields=["province", "day"], name="orderdaycount_province_day"),
            models.Index(fields=["site", "day"], name="orderdaycount_site_day"),
        ]


class OrderCountDay(models.Model):
    """A day whose orders ``OrderDayCount`` holds, and when they were counted. A day without this row is counted
    from the orders themselves."""

    day = models.DateField(primary_key=True)
    counted_at = models.DateTimeField()


class SenderIdCheck(models.Model):
    """实名收寄 (《邮件快件实名收寄管理办法》): the sender's identity document checked at the pickup, one row per
    order. The number and the name are kept encrypted (``orders.sender_id``, Fernet with ``SENDER_ID_KEY``);
    only a masked number is kept in clear, and the sender's phone only as a keyed digest (to find a sender
    already verified). Personal data: erased with the order's (its foreign key finds it)."""

    class DocType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("Resident identity card (居民身份证)")
        PASSPORT = "passport", _("Passport (护照)")
        HK_MACAO_PERMIT = (
            "hk_macao",
            _("Mainland travel permit for Hong Kong and Macao residents (港澳居民来往内地通行证)"),
        )
        TAIWAN_PERMIT = "taiwan", _("Mainland travel permit for Taiwan residents (台湾居民来往大陆通行证)")
        HMT_RESIDENCE = (
            "hmt_residence",
            _("Residence permit for Hong Kong, Macao and Taiwan residents (港澳台居民居住证)"),
        )
        FOREIGN_PERMANENT = "foreign_pr", _("Foreign permanent resident ID card (外国人永久居留身份证)")

    order = models.OneToOneField(
        OnlineOrder, on_delete=models.CASCADE, related_name="sender_id_check", verbose_name=_("order")
    )
    doc_type = models.CharField(_("document"), max_length=16, choices=DocType.choices)
    number_encrypted = models.TextField()
    name_encrypted = models.TextField()
    number_masked = models.CharField(_("document number"), max_length=40)
    phone_digest = models.CharField(max_length=64, db_index=True)
    checked_at = models.DateTimeField(_("checked at"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by")
    )

    class Meta:
        verbose_name = _("sender identity check (实名收寄)")
        verbose_name_plural = _("sender identity checks (实名收寄)")

    def __repr__(self) -> str:  # never the number or the name, even in a traceback
        return f"<SenderIdCheck order={self.order_id} {self.doc_type} {self.number_masked}>"

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number_masked}"
