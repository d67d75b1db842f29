"""The rule book: rules as versioned data, violations (one per order, site stint and rule), their history, the
evidence of audits, and the record of each sweep."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Rule(models.TextChoices):
    LATE_ACCEPT = "LATE_ACCEPT", _("Late accept")
    LATE_PICKUP = "LATE_PICKUP", _("Late pickup")
    FALSE_FAIL_REASON = "FALSE_FAIL_REASON", _("False failure reason")
    FALSE_WAYBILL = "FALSE_WAYBILL", _("False waybill number")
    WRONG_ACCEPT = "WRONG_ACCEPT", _("Wrong accept (outside the service area)")
    LATE_OR_WRONG_TRANSFER = "LATE_OR_WRONG_TRANSFER", _("Late or wrong transfer")
    WO_LATE = "WO_LATE", _("Work order answered after its limit")
    WO_QUALITY = "WO_QUALITY", _("Work-order answer sent back by CCS")


TIME_RULES = (Rule.LATE_ACCEPT, Rule.LATE_PICKUP)
#: Cainiao work-order fines: the same notice and appeal cycle, their own ledger heading, no effect on the
#: online-order refunds and rewards
WORK_ORDER_RULES = (Rule.WO_LATE, Rule.WO_QUALITY)
ONLINE_RULES = tuple(r for r in Rule.values if r not in WORK_ORDER_RULES)
AUDIT_RULES = (Rule.FALSE_FAIL_REASON, Rule.FALSE_WAYBILL, Rule.WRONG_ACCEPT, Rule.LATE_OR_WRONG_TRANSFER)


class RuleVersion(models.Model):
    """A rule's fine, threshold and description from ``effective_from`` on. A change is a new row: it applies to
    clocks that start after its effective time; the old row keeps governing the clocks started before."""

    code = models.CharField(_("rule"), max_length=24, choices=Rule.choices)
    fine = models.DecimalField(_("fine (CNY)"), max_digits=10, decimal_places=2)
    threshold_minutes = models.PositiveIntegerField(
        _("threshold (minutes)"), null=True, blank=True, help_text=_("Time rules only: 30 for accept, 960 for pickup")
    )
    description = models.CharField(_("description"), max_length=300)
    effective_from = models.DateTimeField(_("effective from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    #: who changed what, when
    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-effective_from"]
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="ruleversion_once")]

    def __str__(self):
        return f"{self.get_code_display()} ¥{self.fine} ({self.effective_from:%Y-%m-%d})"


class WorkOrderLimit(models.Model):
    """The answer time limit of one Cainiao work-order type from ``effective_from`` on. Like a rule version, a
    change is a new row: a work order takes the limit in force when it was raised (Cainiao's own limit, when it
    sends one, still wins). Types without a row keep the default of ``WORK_ORDER_LIMIT_HOURS``."""

    wo_type = models.CharField(_("work-order type"), max_length=16)
    hours = models.PositiveIntegerField(_("time limit (hours)"))
    effective_from = models.DateTimeField(_("effective from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["wo_type", "-effective_from"]
        verbose_name = _("work-order time limit")
        verbose_name_plural = _("work-order time limits")
        constraints = [models.UniqueConstraint(fields=["wo_type", "effective_from"], name="wolimit_once")]


class ViolationStatus(models.TextChoices):
    PROPOSED = "PROPOSED", _("Proposed by the province")
    CONFIRMED = "CONFIRMED", _("Confirmed")
    REJECTED = "REJECTED", _("Rejected by HQ")
    VOIDED = "VOIDED", _("Voided (closure day)")
    RECLASSIFIED = "RECLASSIFIED", _("Re-classified")
    CANCELLED = "CANCELLED", _("Cancelled on appeal")


class Violation(models.Model):
    class Source(models.TextChoices):
        SWEEP = "sweep", _("Detected by the clock")
        AUDIT = "audit", _("Audit (稽核)")
        WORK_ORDER = "work_order", _("Work order (菜鸟工单)")

    order = models.ForeignKey(
        "orders.OnlineOrder", on_delete=models.PROTECT, related_name="violations", db_index=False, null=True, blank=True
    )
    #: a work-order fine's work order (id and Cainiao's number; no foreign key: complaints stands beside us)
    work_order_id = models.BigIntegerField(null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True, default="", db_default="")
    #: the audited act (an event of the order's history) of an audit finding; no foreign key in the database:
    #: events are partitioned by month (a key would need the event's time too); events are never deleted, and
    #: ``core.partitions.orphans`` finds a reference that lost its event
    act = models.ForeignKey(
        "orders.OrderEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("audited act"),
    )
    stint = models.PositiveIntegerField(_("stint"))
    rule = models.CharField(_("rule"), max_length=24, choices=Rule.choices)
    site = models.ForeignKey(
        "core.Site",
        on_delete=models.PROTECT,
        related_name="violations",
        verbose_name=_("responsible site"),
        db_index=False,
    )
    province = models.ForeignKey(
        "core.Province", on_delete=models.PROTECT, related_name="violations", verbose_name=_("province"), db_index=False
    )
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    fine = models.DecimalField(_("fine (CNY)"), max_digits=10, decimal_places=2)
    #: the deadline that passed, or the audited act: it decides the week the violation belongs to
    occurred_at = models.DateTimeField(_("deadline or act"))
    week = models.DateField(_("week (Monday)"))
    status = models.CharField(_("status"), max_length=16, choices=ViolationStatus.choices)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    evidence = models.TextField(_("evidence"), blank=True)
    reclassified_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        constraints = [
            # one violation per (order, site stint, rule) from the clock, whatever became of it later, except a
            # voided one (a closure day moved the deadline: the moved deadline can still be missed)
            models.UniqueConstraint(
                fields=["order", "stint", "rule"],
                condition=Q(source="sweep") & ~Q(status="VOIDED"),
                name="violation_sweep_once",
            ),
            # and at most one live finding per audited act and rule (two false acts of one stint are two fines)
            models.UniqueConstraint(
                fields=["act", "rule"],
                condition=Q(source="audit", status__in=["PROPOSED", "CONFIRMED"]),
                name="violation_audit_once",
            ),
            # once per work order, rule and unit: a re-assigned work order's new unit has its own limit (SPEC §5)
            models.UniqueConstraint(
                fields=["work_order_id", "rule", "site"],
                condition=Q(source="work_order"),
                name="violation_work_order_once",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "-occurred_at"], name="violation_site_time"),
            models.Index(fields=["province", "week"], name="violation_province_week"),
            models.Index(fields=["week", "rule"], name="violation_week_rule"),
            models.Index(fields=["order"], name="violation_order"),
            models.Index(fields=["status", "province"], name="violation_open_review", condition=Q(status="PROPOSED")),
        ]

    def __str__(self):
        return f"{self.get_rule_display()} · {self.order_id}"


class ViolationEvent(models.Model):
    """Every act on a violation: detected, proposed, confirmed, rejected, re-classified, voided, evidence added."""

    LABELS = {
        "detected": _("Detected by the clock"),
        "proposed": _("Proposed by the province"),
        "confirmed": _("Fine confirmed"),
        "rejected": _("Rejected by HQ"),
        "reclassified": _("Re-classified"),
        "voided": _("Voided"),
        "evidence": _("Evidence added"),
        "appealed": _("Appealed to the province"),
        "appeal_upheld": _("Appeal rejected, violation upheld"),
        "escalated": _("Escalated to HQ"),
        "appealed_hq": _("Appealed to HQ"),
        "appealed_email": _("Appeal received by e-mail"),
        "cancelled": _("Cancelled on appeal"),
    }

    violation = models.ForeignKey(Violation, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("details"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        # append-only in the database itself: UPDATE and DELETE are refused (TRUNCATE stays for clean-up)
        triggers = [pgtrigger.Protect(name="violationevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]
        ordering = ["at", "id"]

    @property
    def label(self):
        return self.LABELS.get(self.kind, self.kind)


class ViolationAttachment(models.Model):
    violation = models.ForeignKey(Violation, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="violations/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()


class SweepRun(models.Model):
    """One run of the SLA sweep: the window it covered and what it found (HQ sees the scheduler keeps up)."""

    started_at = models.DateTimeField()
    since = models.DateTimeField()
    until = models.DateTimeField()
    inserted = models.PositiveIntegerField(default=0)
    statements = models.PositiveSmallIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    trigger = models.CharField(max_length=16, default="beat")
    #: the last ``orders.HistoryChange`` (a late fact) this run re-judged: the next run reads from there
    changes_through = models.BigIntegerField(default=0)
    rejudged = models.PositiveIntegerField(default=0)
    voided = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["-until"], name="sweeprun_until")]


class WeeklyNotice(models.Model):
    """《电商业务违规处罚明细》 of one site for one week. The appeal window of every violation it lists starts
    when it is issued (sent)."""

    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="weekly_notices")
    week = models.DateField(_("week (Monday)"))
    created_at = models.DateTimeField()
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    pdf = models.FileField(upload_to="notices/%Y/", blank=True)
    message_id = models.BigIntegerField(null=True, blank=True)
    total = models.DecimalField(_("total (CNY)"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["-week", "site_id"]
        constraints = [models.UniqueConstraint(fields=["site", "week"], name="notice_once_a_week")]
        indexes = [models.Index(fields=["week"], name="notice_week")]


class NoticeLine(models.Model):
    notice = models.ForeignKey(WeeklyNotice, on_delete=models.CASCADE, related_name="lines")
    violation = models.OneToOneField(Violation, on_delete=models.PROTECT, related_name="notice_line")
    late_addition = models.BooleanField(default=False)


class Report(models.Model):
    """A generated PDF report: weekly per province or nation, monthly statements; kept for the reports page."""

    class Kind(models.TextChoices):
        WEEKLY_PROVINCE = "weekly_province", _("Weekly province report")
        WEEKLY_NATIONAL = "weekly_national", _("Weekly national report")
        MONTHLY_PROVINCE = "monthly_province", _("Monthly statement (province)")
        MONTHLY_NATIONAL = "monthly_national", _("Monthly statement (nation)")

    kind = models.CharField(_("report"), max_length=20, choices=Kind.choices)
    period = models.DateField(_("period"), help_text=_("The week's Monday or the month's first day"))
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("province"),
    )
    file = models.FileField(upload_to="reports/%Y/")
    pages = models.PositiveIntegerField(default=0)
    generated_at = models.DateTimeField(_("generated at"))

    class Meta:
        ordering = ["-period", "kind", "province_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period", "province"], name="report_once", nulls_distinct=False)
        ]


class AppealStatus(models.TextChoices):
    LCS_REVIEW = "LCS_REVIEW", _("With the province platform")
    LCS_UPHELD = "LCS_UPHELD", _("Upheld by the province (may go to HQ)")
    HQ_REVIEW = "HQ_REVIEW", _("With HQ")
    UPHELD = "UPHELD", _("Upheld (final)")
    CANCELLED = "CANCELLED", _("Violation cancelled")
    MOOT = "MOOT", _("Closed: the violation no longer stands")


class Appeal(models.Model):
    """申诉: one per violation, first to the province LCS, then (within 72 hours of its decision, or escalated by
    it) to HQ. HQ may record an appeal that reached its group mailbox, on the site's behalf."""

    violation = models.OneToOneField(Violation, on_delete=models.PROTECT, related_name="appeal")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="appeals")
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="appeals")
    status = models.CharField(_("status"), max_length=12, choices=AppealStatus.choices)
    text = models.TextField(_("the site's statement"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed at"))
    by_email = models.BooleanField(_("received by e-mail"), default=False)
    lcs_text = models.TextField(_("province decision"), blank=True)
    lcs_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lcs_at = models.DateTimeField(_("province decided at"), null=True, blank=True)
    hq_filed_at = models.DateTimeField(_("went to HQ at"), null=True, blank=True)
    hq_text = models.TextField(_("statement to HQ"), blank=True)
    escalated = models.BooleanField(_("escalated by the province"), default=False)
    decision_text = models.TextField(_("HQ decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("HQ decided at"), null=True, blank=True)
    # the door's evidence the site cites (``penalties.door_evidence``): keys "<order event>:<kind>[:<photo>]"
    cited_evidence = models.JSONField(_("door evidence cited"), default=list, blank=True)

    class Meta:
        ordering = ["-filed_at"]
        indexes = [models.Index(fields=["status", "province"], name="appeal_open")]


class AppealAttachment(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    stage = models.CharField(max_length=8, default="site")
    file = models.FileField(upload_to="appeals/%Y/%m/")
    name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()


class RewardQuota(models.Model):
    """One province's reward places of a month (奖励名额), counted at settlement: the table HQ shows, honest sum."""

    month = models.DateField()
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    first_level_sites = models.PositiveIntegerField()
    quota = models.PositiveIntegerField()
    qualifiers = models.PositiveIntegerField()
    awarded = models.PositiveIntegerField()

    class Meta:
        ordering = ["month", "province__code"]
        constraints = [models.UniqueConstraint(fields=["month", "province"], name="rewardquota_once")]


class RewardRank(models.Model):
    """A qualifying first-level site's place in its province's ranking of a month."""

    month = models.DateField()
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField()
    picked_up = models.PositiveIntegerField()
    on_time_rate = models.DecimalField(max_digits=5, decimal_places=4)
    awarded = models.BooleanField(default=False)

    class Meta:
        ordering = ["month", "province__code", "rank"]
        constraints = [models.UniqueConstraint(fields=["month", "site"], name="rewardrank_once")]
