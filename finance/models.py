"""The ledger: every fine, reversal, refund, reward and adjustment is one immutable entry. Balances are sums,
never stored totals. Entries point at their source by reference (type and id); this app imports no other
domain app."""

import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _


class Heading(models.TextChoices):
    ONLINE_ORDERS = "online", _("Online orders (电商订单)")
    WORK_ORDERS = "work_orders", _("Work orders (菜鸟工单)")


class EntryKind(models.TextChoices):
    FINE = "fine", _("Fine")
    REVERSAL = "reversal", _("Reversal")
    REFUND = "refund", _("Refund (返款)")
    REWARD = "reward", _("Reward (奖励)")
    ADJUSTMENT = "adjustment", _("Adjustment")


class LedgerEntry(models.Model):
    """Amounts are signed from the site's point of view: a fine is negative, a refund or reward positive."""

    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("site"), db_index=False
    )
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("province"),
        db_index=False,
    )
    #: the month the entry concerns (what refund bases read): a fine's deadline or act, a settlement's month
    month = models.DateField(_("month"), help_text=_("The first day of the month the entry concerns"))
    #: the month it was booked in: statements are by posting month and never change once issued
    posted_month = models.DateField(_("posting month"))
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    heading = models.CharField(_("heading"), max_length=12, choices=Heading.choices, default=Heading.ONLINE_ORDERS)
    code = models.CharField(_("code"), max_length=32, help_text=_("The rule, or REFUND_60 / REFUND_40 / REWARD"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    source_type = models.CharField(_("source"), max_length=24, blank=True)
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)
    #: what makes writing the same entry twice impossible (e.g. "fine:violation:123")
    key = models.CharField(max_length=96, unique=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        # append-only in the database itself: UPDATE and DELETE are refused (TRUNCATE stays for clean-up)
        triggers = [pgtrigger.Protect(name="ledger_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]
        ordering = ["month", "site_id", "created_at", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["site", "month"], name="ledger_site_month"),
            models.Index(fields=["province", "month"], name="ledger_province_month"),
            models.Index(fields=["month", "kind"], name="ledger_month_kind"),
            models.Index(fields=["source_type", "source_id"], name="ledger_source"),
            models.Index(fields=["posted_month", "site"], name="ledger_posted_site"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.site_id} {self.kind} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("ledger entries are immutable: write an adjusting entry instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("ledger entries are immutable: write an adjusting entry instead")


class ClosedMonth(models.Model):
    """A month whose statements (对账单) were issued: nothing is posted into it any more; a later entry that
    concerns it is posted in the first open month and says which month it corrects."""

    month = models.DateField(_("month"), unique=True)
    closed_at = models.DateTimeField(_("issued at"))

    class Meta:
        ordering = ["-month"]
