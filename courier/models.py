"""The courier's phone: one-time sign-in codes and the acts the phone sent (each applied once, keyed by the id the
phone made for it). Tables only; the rules live in ``services``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SignInCode(models.Model):
    """A one-time sign-in link a site's clerk shows as a QR code: single use, valid ten minutes. Only the SHA-256
    of the secret is stored."""

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("courier account")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    created_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [models.Index(fields=["user", "-created_at"], name="signincode_user")]


class CourierAct(models.Model):
    """One act the phone sent (pickup confirm, pickup fail, re-appointment) under the id the phone made for it:
    unique, so a replay finds the first answer and changes nothing."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", _("Pickup confirmed")
        FAIL = "fail", _("Pickup failed")
        REAPPOINT = "reappoint", _("Re-appointed")

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Done")
        CONFLICT = "conflict", _("Conflict")
        REFUSED = "refused", _("Refused")

    class TimeBasis(models.TextChoices):
        """Why the act counts at its time (SPEC §4): the phone's witnessed time, or the time received and why."""

        PHONE = "phone", _("the time on the phone")
        RECEIVED = "received", _("the time received (the phone sent no time)")
        LATE = "late", _("the time received (reached the server more than 24 hours after the act)")
        AHEAD = "ahead", _("the time received (the phone's clock was ahead of the server's)")
        BEFORE_ASSIGNMENT = "before_assignment", _("the time received (the phone's time was before the assignment)")

    client_id = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("orders.OnlineOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    payload = models.JSONField(default=dict, blank=True)
    phone_at = models.DateTimeField(_("done on the phone at"), null=True, blank=True)
    phone_sent_at = models.DateTimeField(_("sent by the phone at (its clock)"), null=True, blank=True)
    # what the phone witnessed at the door besides the photo (personal data: erased with the order's)
    latitude = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    longitude = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    called_at = models.DateTimeField(_("called the sender at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    counted_at = models.DateTimeField(_("counts at"), null=True, blank=True)
    time_basis = models.CharField(max_length=20, choices=TimeBasis.choices, default=TimeBasis.RECEIVED)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("courier act")
        verbose_name_plural = _("courier acts")
        indexes = [models.Index(fields=["order"], name="courieract_order", condition=Q(order__isnull=False))]


class DoorPhoto(models.Model):
    """A photo the courier took in the page at the door, stored as an attachment of the act that carried it
    (JPEG, downscaled on the phone: at most 1600 px a side and 300 KB, checked again here). Personal data: the
    order's foreign key lets its erasure find it."""

    act = models.ForeignKey(CourierAct, on_delete=models.CASCADE, related_name="photos")
    order = models.ForeignKey("orders.OnlineOrder", on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("photo"), upload_to="door/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("photo at the door")
        verbose_name_plural = _("photos at the door")
        indexes = [models.Index(fields=["order"], name="doorphoto_order")]
