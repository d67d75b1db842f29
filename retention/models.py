"""The record of each erasure run."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasureRun(models.Model):
    """One run of the personal-data erasure: what it erased, what it left because an open case may need it, and
    whether it reached the end of what was due (a run stops after its batch budget; the next one goes on)."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    #: orders closed before this moment were due
    closed_before = models.DateTimeField(_("closed before"))
    batches = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(_("orders erased"), default=0)
    held = models.PositiveIntegerField(_("orders held for an open case"), default=0)
    events = models.PositiveIntegerField(default=0)
    callbacks = models.PositiveIntegerField(default=0)
    courier_acts = models.PositiveIntegerField(default=0)
    door_photos = models.PositiveIntegerField(default=0)
    #: 实名收寄 records whose document was erased
    id_checks = models.PositiveIntegerField(default=0)
    work_orders = models.PositiveIntegerField(default=0)
    complete = models.BooleanField(_("nothing due left"), default=False)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("erasure run")
        verbose_name_plural = _("erasure runs")
