"""Cainiao work orders (菜鸟工单, SPEC §5): received from the CRM or entered by HQ, routed to the responsible unit
by waybill, answered with the facts each type needs, reviewed by HQ's CCS, the result sent back to Cainiao."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import OutboxAttempt, OutboxRow


class WorkOrderType(models.TextChoices):
    WHERE = "where", _("Where is my parcel (不知道货在哪)")
    LOCKER = "locker", _("Put in a locker without consent (未经允许放入自提柜)")
    PICKUP_POINT = "pickup_point", _("Left at a pickup point without consent (未经允许放入代收点)")
    FALSE_SIGN = "false_sign", _("Signed before received (虚假签收)")
    DELAY = "delay", _("Delay (延误)")
    DAMAGE = "damage", _("Damage (破损)")
    LOSS = "loss", _("Loss (遗失)")
    ATTITUDE = "attitude", _("Service attitude (服务态度)")
    PRIVACY = "privacy", _("Personal data leaked (信息泄露)")
    OTHER = "other", _("Other (其他)")


class WorkOrderSource(models.TextChoices):
    GUOGUO = "guoguo", _("Cainiao Guoguo (裹裹)")
    PC = "pc", _("PC")
    TAOBAO = "taobao", _("Shou-Tao (手淘)")


class WorkOrderState(models.TextChoices):
    UNASSIGNED = "unassigned", _("Waiting for HQ to assign")
    OPEN = "open", _("With the unit")
    ANSWERED = "answered", _("Answered: with CCS")
    SENT_BACK = "sent_back", _("Sent back to the unit")
    CLOSED = "closed", _("Closed (passed)")


class WorkOrder(models.Model):
    wo_id = models.CharField(_("work order id"), max_length=64, unique=True)
    type = models.CharField(_("type"), max_length=16, choices=WorkOrderType.choices)
    source = models.CharField(_("source"), max_length=8, choices=WorkOrderSource.choices)
    waybill_no = models.CharField(_("waybill number"), max_length=32, db_index=True)
    consumer_name = models.CharField(_("consumer"), max_length=64, blank=True)
    consumer_phone = models.CharField(_("consumer phone"), max_length=32, blank=True)
    description = models.TextField(_("description"))
    raised_at = models.DateTimeField(_("raised at"))
    limit_hours = models.PositiveIntegerField(_("time limit (hours)"))
    due_at = models.DateTimeField(_("answer due"))
    unit = models.ForeignKey(
        "core.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    routing_note = models.CharField(_("routing"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=WorkOrderState.choices)
    answer = models.JSONField(_("answer (structured)"), default=dict, blank=True)
    answer_text = models.TextField(_("answer"), blank=True)
    reply = models.TextField(_("reply to the consumer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    reviews = models.PositiveIntegerField(_("reviews"), default=0)
    first_review_passed = models.BooleanField(_("passed at first review"), null=True)
    late_answers = models.PositiveIntegerField(_("answers after the limit"), default=0)
    #: the limit the periodic job found passed unanswered (counted once per limit; a late answer to it is not
    #: counted again)
    overdue_due_at = models.DateTimeField(null=True, blank=True)
    #: the due time the unit was last warned of (a send-back with a new due time warns again)
    warned_due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"))

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            models.Index(fields=["unit", "due_at"], name="wo_unit_open", condition=Q(state__in=["open", "sent_back"])),
            models.Index(fields=["state", "due_at"], name="wo_state_due"),
            models.Index(fields=["province", "state"], name="wo_province_state"),
            models.Index(fields=["unit", "closed_at"], name="wo_unit_closed"),
        ]

    def __str__(self):
        return self.wo_id


class WorkOrderEvent(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey("core.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    LABELS = {
        "received": _("Work order received"),
        "routed": _("Routed"),
        "assigned": _("Assigned by HQ"),
        "answered": _("Answered"),
        "sent_back": _("Sent back by CCS"),
        "passed": _("Passed by CCS"),
        "chased": _("Chased by the province"),
        "result_sent": _("Result sent to Cainiao"),
    }

    class Meta:
        # append-only in the database itself: UPDATE and DELETE are refused (TRUNCATE stays for clean-up)
        triggers = [pgtrigger.Protect(name="workorderevent_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]
        ordering = ["at", "id"]

    @property
    def label(self):
        return self.LABELS.get(self.kind, self.kind)


class WorkOrderAttachment(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="work_orders/%Y/%m/")
    name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()


class ResultCallback(OutboxRow):
    """The result of a closed work order owed to Cainiao's CRM (an outbox row, delivered with back-off)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="callbacks")
    client = models.ForeignKey("orders.ApiClient", on_delete=models.PROTECT, related_name="+")
    url = models.URLField()

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at"], name="wocallback_due", condition=Q(status="pending"))]


class ResultAttempt(OutboxAttempt):
    """One attempt to deliver a work order's result (the outbox kit records each)."""

    message = models.ForeignKey(ResultCallback, on_delete=models.CASCADE, related_name="deliveries")

    class Meta(OutboxAttempt.Meta):
        pass
