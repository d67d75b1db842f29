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
    site = models.ForeignKey("dispatch.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             db_index=False)
    scanned_at = models.DateTimeField(_("scanned at"))
    operator = models.CharField(_("operator"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"))
    source = models.CharField(_("source"), max_length=16, default="api")

    class Meta:
        ordering = ["waybill_no", "scanned_at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [models.UniqueConstraint(fields=["waybill_no", "scan_type", "site_code", "scanned_at"],
                                               name="tracking_once")]
        indexes = [models.Index(fields=["waybill_no", "scanned_at"], name="tracking_waybill_time")]
