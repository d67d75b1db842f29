"""Tracking events (揽收/发件/到件/派件/签收) from the one scan feed: stored once for everyone."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScanType(models.TextChoices):
    PICKUP = "揽收", _("Pickup scan (揽收)")
    DEPART = "发件", _("Departure (发件)")
    ARRIVE = "到件", _("Arrival (到件)")
    DELIVERY = "派件", _("Out for delivery (派件)")
    SIGNED = "签收", _("Signed (签收)")


class TrackingEvent(models.Model):
    waybill_no = models.CharField(_("waybill number"), max_length=32)
    scan_type = models.CharField(_("scan"), max_length=4, choices=ScanType.choices)
    site_code = models.CharField(_("site code"), max_length=16)
    site = models.ForeignKey(
        "core.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    operator = models.CharField(_("operator"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"))
    source = models.CharField(_("source"), max_length=16, default="api")

    class Meta:
        ordering = ["waybill_no", "scanned_at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [
            models.UniqueConstraint(fields=["waybill_no", "scan_type", "site_code", "scanned_at"], name="tracking_once")
        ]
        indexes = [models.Index(fields=["waybill_no", "scanned_at"], name="tracking_waybill_time")]


class PartnerCarrier(models.Model):
    """A partner carrier a parcel can be handed on to (onward transfer)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    contact = models.CharField(_("contact"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("partner carrier")
        verbose_name_plural = _("partner carriers")

    def __str__(self):
        return self.name


class Handover(models.Model):
    waybill_no = models.CharField(_("waybill number"), max_length=32, db_index=True)
    carrier = models.ForeignKey(PartnerCarrier, on_delete=models.PROTECT, related_name="handovers")
    partner_waybill = models.CharField(_("partner's number"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"))


class WaybillException(models.Model):
    """A problem on a waybill (delay, loss, damage, refusal), handled step by step to closure."""

    class Kind(models.TextChoices):
        DELAY = "delay", _("Delay (延误)")
        LOSS = "loss", _("Loss (遗失)")
        DAMAGE = "damage", _("Damage (破损)")
        REFUSAL = "refusal", _("Refused by the receiver (拒收)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HANDLING = "handling", _("Being handled")
        CLOSED = "closed", _("Closed")

    waybill_no = models.CharField(_("waybill number"), max_length=32, db_index=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=500)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    raised_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["site", "status"], name="exception_site_status")]


class ExceptionStep(models.Model):
    exception = models.ForeignKey(WaybillException, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField()
    actor = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=500)
    to_status = models.CharField(max_length=8, choices=WaybillException.Status.choices)

    class Meta:
        ordering = ["at", "id"]


class LabelPrint(models.Model):
    """Every print and reprint of a label (打单)."""

    order = models.ForeignKey("orders.OnlineOrder", on_delete=models.PROTECT, related_name="+")
    waybill_no = models.CharField(max_length=32)
    printed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    printed_at = models.DateTimeField()
    reprint = models.BooleanField(default=False)
    batch = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["-printed_at"]
        indexes = [models.Index(fields=["order"], name="labelprint_order")]
