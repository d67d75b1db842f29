"""What the site's desk keeps beside the orders: the workbench refresh record, daily reminders.

The network, people and closure days live on the ground floor (``core.models``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Site, User


class SiteActivity(models.Model):
    """The site's last refresh of its workbench (网点接单): sites must refresh every 10–20 minutes during
    service hours; HQ and LCS see the ones silent for longer."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True, related_name="activity")
    last_refresh_at = models.DateTimeField(_("last refresh"))
    last_refresh_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("site activity")
        verbose_name_plural = _("site activity")
        indexes = [models.Index(fields=["last_refresh_at"], name="siteactivity_refresh")]


class SiteReminder(models.Model):
    """A reminder sent to a site once a day (e.g. 'orders without a pickup scan' before closing)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=32)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "day", "kind"], name="sitereminder_once_a_day")]
