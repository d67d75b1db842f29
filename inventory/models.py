"""Site stock: consumables with an in/out ledger (quantities are sums of moves), stock-taking, minimum levels;
and e-waybill number ranges (电子面单) allocated by HQ to sites, each number given once."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Consumable(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    unit = models.CharField(_("unit"), max_length=8, default="个")
    default_min = models.PositiveIntegerField(_("default minimum level"), default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = _("consumable")
        verbose_name_plural = _("consumables")

    def __str__(self):
        return self.name


class StockLevel(models.Model):
    """A site's minimum level of a consumable (the quantity itself is the sum of the moves)."""

    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="+")
    consumable = models.ForeignKey(Consumable, on_delete=models.PROTECT, related_name="+")
    min_level = models.PositiveIntegerField(_("minimum level"), default=0)
    alerted_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "consumable"], name="stocklevel_once")]


class StockMove(models.Model):
    class Kind(models.TextChoices):
        IN = "in", _("Received")
        OUT = "out", _("Used")
        ADJUST = "adjust", _("Adjustment")
        COUNT = "count", _("Stock-taking difference")

    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+", db_index=False)
    consumable = models.ForeignKey(Consumable, on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    quantity = models.IntegerField(_("quantity"), help_text=_("Signed: received positive, used negative"))
    counted = models.IntegerField(_("counted"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["site", "consumable", "at"], name="stockmove_site_item")]


class WaybillRange(models.Model):
    """Numbers start…end (inclusive) for one site; ``next`` is the next free one. Numbers are 12 digits."""

    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    start = models.BigIntegerField(_("first number"))
    end = models.BigIntegerField(_("last number"))
    next = models.BigIntegerField(_("next free number"))
    warn_below = models.PositiveIntegerField(_("warn when fewer remain than"), default=200)
    warned_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["site_id", "start"]
        verbose_name = _("e-waybill range")
        verbose_name_plural = _("e-waybill ranges")
        constraints = [
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="waybillrange_order"),
            models.CheckConstraint(condition=Q(next__gte=F("start"), next__lte=F("end") + 1), name="waybillrange_next"),
            models.CheckConstraint(
                condition=Q(start__gte=100000000000, end__lte=999999999999), name="waybillrange_twelve_digits"
            ),
        ]
        indexes = [models.Index(fields=["site", "start"], name="waybillrange_open", condition=Q(next__lte=F("end")))]

    @property
    def remaining(self) -> int:
        return self.end - self.next + 1
