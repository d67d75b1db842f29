"""Writes of the work-order cycle: intake (CRM or HQ; idempotent on the work-order id), routing by waybill,
the unit's answer with the facts its type needs, CCS review (pass or send back), the result back to Cainiao
through an outbox, early warnings, and the fines of the settings into the ledger under their own heading."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, locks, scoping
from core.idempotent import insert_once
from core.models import Message, Site
from core.outbox import Outbox
from core.parsing import parse_int, parse_moment
from core.services import message_send
from core.validators import attachment_name, attachments_check
from logistics.models import TrackingEvent
from orders.models import ApiClient, OnlineOrder
from penalties.rule_versions import work_order_limit
from penalties.services import work_order_fine, work_order_late_fines

from .events import event_record
from .exceptions import WorkOrderConflict, WorkOrderError
from .models import (
    ResultAttempt,
    ResultCallback,
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderState,
    WorkOrderType,
)

S = WorkOrderState

#: the facts each type's answer needs: (field, label, kind, required)
ANSWER_FIELDS = {
    WorkOrderType.FALSE_SIGN: [
        ("signed_by", "签收人", "text", True),
        ("received_at", "客户实际收到时间", "datetime", True),
    ],
    WorkOrderType.LOCKER: [
        ("left_at", "放置的自提柜（地址、柜号）", "text", True),
        ("consent", "是否事先征得客户同意", "yesno", True),
    ],
    WorkOrderType.PICKUP_POINT: [
        ("left_at", "放置的代收点（驿站、门卫）", "text", True),
        ("consent", "是否事先征得客户同意", "yesno", True),
    ],
    WorkOrderType.WHERE: [
        ("location", "快件当前位置", "text", True),
        ("next_step", "后续处理与预计送达", "text", False),
    ],
}
DEFAULT_FIELDS = [("finding", "核实结果", "text", True)]


def answer_fields(wo_type: str) -> list[tuple]:
    return ANSWER_FIELDS.get(wo_type, DEFAULT_FIELDS)


def limit_hours(wo_type: str, at: datetime) -> int:
    """The type's limit in force at ``at`` (the rule book's versions; HQ edits them on the rules page)."""
    return work_order_limit(wo_type, at)


def unit_for_waybill(waybill: str) -> tuple[Site | None, str]:
    """The responsible unit: the site (or sorting centre, or direct point) of the waybill's latest scan, else the
    site holding its order; else none (HQ assigns by hand)."""
    scan = (
        TrackingEvent.objects.filter(waybill_no=waybill, site__isnull=False)
        .select_related("site")
        .order_by("-scanned_at", "-id")
        .first()
    )
    if scan is not None:
        return scan.site, _("latest scan (%(scan)s) at %(site)s") % {"scan": scan.scan_type, "site": scan.site.name}
    order = OnlineOrder.objects.filter(waybill_no=waybill).select_related("site").first()
    if order is not None and not order.site.is_data_center:
        return order.site, _("the site holding its order")
    return None, _("no scan or order knows this waybill: HQ assigns it")


LIMIT_HOURS_MAX = 720  # 30 days, as the CRM API allows
REQUIRED = ("wo_id", "type", "source", "waybill_no", "description")
FIELDS = REQUIRED + ("consumer_name", "consumer_phone", "raised_at", "limit_hours")


def _repeat(existing: WorkOrder, data: dict) -> WorkOrder:
    """A work order received again: the stored one if the content is the same; else a conflict."""
    differ = [
        k for k in ("type", "source", "waybill_no", "description") if str(getattr(existing, k)) != str(data.get(k))
    ]
    if differ:
        raise WorkOrderConflict(
            _("Work order %(id)s was already received with other content (%(fields)s).")
            % {"id": data["wo_id"], "fields": ", ".join(differ)},
            field=differ[0],
        )
    return existing


@transaction.atomic
def work_order_receive(*, data: dict, actor=None, at: datetime | None = None) -> tuple[WorkOrder, bool]:
    """A work order from the CRM (or entered by HQ): a repeat returns the stored one; other content conflicts."""
    at = at or timezone.now()
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k in FIELDS}
    for key in REQUIRED:
        if not data.get(key):
            raise WorkOrderError(_("This field is required."), field=key)
    if data["type"] not in WorkOrderType.values:
        raise WorkOrderError(_("Unknown work-order type."), field="type")
    raised = data.get("raised_at") or at
    if isinstance(raised, str):
        raised = parse_moment(raised)
        if raised is None:
            raise WorkOrderError(_("Not a valid time."), field="raised_at")
    if timezone.is_naive(raised):
        raised = timezone.make_aware(raised, clock.tz())
    hours = limit_hours(data["type"], raised)
    if data.get("limit_hours") not in (None, ""):
        hours = parse_int(data["limit_hours"], lo=1, hi=LIMIT_HOURS_MAX)
        if hours is None:
            raise WorkOrderError(
                _("The time limit is a whole number of hours from 1 to %(max)d.") % {"max": LIMIT_HOURS_MAX},
                field="limit_hours",
            )
    existing = WorkOrder.objects.filter(wo_id=data["wo_id"]).first()
    if existing is not None:
        return _repeat(existing, data), False
    unit, note = unit_for_waybill(data["waybill_no"])
    wo, created = insert_once(
        lambda: WorkOrder.objects.create(
            wo_id=data["wo_id"],
            type=data["type"],
            source=data["source"],
            waybill_no=data["waybill_no"],
            consumer_name=data.get("consumer_name") or "",
            consumer_phone=data.get("consumer_phone") or "",
            description=data["description"],
            raised_at=raised,
            limit_hours=hours,
            due_at=clock.work_order_due(at, hours),
            unit=unit,
            province=unit.province if unit else None,
            routing_note=note[:200],
            state=S.OPEN if unit else S.UNASSIGNED,
            created_at=at,
        ),
        lambda: WorkOrder.objects.filter(wo_id=data["wo_id"]).first(),
    )
    if not created:  # the same work order pushed again at the same moment
        return _repeat(wo, data), False
    event_record(wo, "received", at=at, actor=actor, text=_("limit %(h)d h") % {"h": hours})
    event_record(wo, "routed", at=at, text=note)
    if unit is not None:
        message_send(
            audience=Message.Audience.SITE,
            site=unit,
            category=Message.Category.WORK_ORDER,
            at=at,
            title=_("New work order %(id)s: answer by %(due)s")
            % {"id": wo.wo_id, "due": timezone.localtime(wo.due_at).strftime("%m-%d %H:%M")},
            link=f"/work-orders/{wo.pk}/",
        )
    return wo, True


def _lock(pk: int) -> WorkOrder:
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("unit").get(pk=pk)


@transaction.atomic
def work_order_assign(*, work_order_id: int, unit: Site, actor, at: datetime | None = None) -> WorkOrder:
    at = at or timezone.now()
    if scoping.role_of(actor) != scoping.Role.HQ:
        raise WorkOrderError(_("Only HQ assigns work orders."))
    wo = _lock(work_order_id)
    if wo.state not in (S.UNASSIGNED, S.OPEN, S.SENT_BACK):
        raise WorkOrderError(_("This work order is not waiting for a unit."))
    if unit.is_data_center or not unit.active:
        raise WorkOrderError(_("Choose an active site, sorting centre or direct point."), field="unit")
    if wo.unit_id is not None and wo.unit_id != unit.pk and wo.due_at < at and wo.overdue_due_at != wo.due_at:
        # the previous unit answers for a limit that passed while it held the work order (SPEC §5)
        wo.late_answers += 1
        wo.overdue_due_at = wo.due_at
        _late_fine(wo, at)
    if wo.state == S.UNASSIGNED or wo.unit_id != unit.pk:
        # from HQ's queue, or re-assigned to another unit: the unit's full time limit starts now (SPEC §5)
        wo.due_at = clock.work_order_due(at, wo.limit_hours)
    wo.unit, wo.province, wo.state = unit, unit.province, S.OPEN if wo.state == S.UNASSIGNED else wo.state
    wo.save(update_fields=["unit", "province", "state", "due_at", "late_answers", "overdue_due_at"])
    event_record(wo, "assigned", at=at, actor=actor, text=unit.name)
    return wo


def _fine(wo: WorkOrder, rule: str, at: datetime, evidence: str, *, occurred_at=None, clock_start=None) -> None:
    """The work-order fines are rules of the rule book (editable by HQ on the rules page): a standing violation,
    notified weekly, appealable, booked under the 菜鸟工单 heading."""
    work_order_fine(
        rule=rule,
        work_order_id=wo.pk,
        reference=wo.wo_id,
        site=wo.unit,
        at=at,
        evidence=evidence,
        occurred_at=occurred_at,
        clock_start=clock_start,
    )


def _limit_start(wo: WorkOrder):
    """When the unit's time limit started (receipt, HQ's assignment or a send-back): the rule version in force
    then governs the fine (SPEC §4)."""
    return wo.due_at - timedelta(hours=wo.limit_hours)


def _late_fine(wo: WorkOrder, at: datetime, answered_at=None) -> None:
    """WO_LATE of the unit holding the work order, dated at its deadline (its week and month), whenever the
    answer or the job that found it came (SPEC §5)."""
    due = timezone.localtime(wo.due_at).strftime("%Y-%m-%d %H:%M")
    if answered_at is not None:
        text = _("Answered %(at)s, due %(due)s") % {
            "at": timezone.localtime(answered_at).strftime("%Y-%m-%d %H:%M"),
            "due": due,
        }
    else:
        text = _("Not answered by its limit, due ") + due
    _fine(wo, "WO_LATE", at, text, occurred_at=wo.due_at, clock_start=_limit_start(wo))


@transaction.atomic
def work_order_answer(
    *, work_order_id: int, actor, facts: dict, text: str, reply: str, files=(), at: datetime | None = None
) -> WorkOrder:
    """The unit's answer: the facts of its type, the finding, the reply for the consumer."""
    at = at or timezone.now()
    wo = _lock(work_order_id)
    if (
        wo.unit_id is None
        or not scoping.may_operate_site(actor, wo.unit_id)
        or scoping.role_of(actor) != scoping.Role.CLERK
    ):
        raise WorkOrderError(_("Only the responsible unit answers its work order."))
    if wo.state not in (S.OPEN, S.SENT_BACK):
        raise WorkOrderError(_("This work order is not waiting for an answer."))
    clean = {}
    for name, label, kind, required in answer_fields(wo.type):
        value = (facts.get(name) or "").strip()
        if required and not value:
            raise WorkOrderError(_("%(label)s is required.") % {"label": label}, field=name)
        if value and kind == "datetime" and parse_moment(value) is None:
            raise WorkOrderError(_("%(label)s: not a valid time.") % {"label": label}, field=name)
        if value and kind == "yesno" and value not in ("yes", "no"):
            raise WorkOrderError(_("%(label)s: answer yes or no.") % {"label": label}, field=name)
        clean[name] = value
    if not (reply or "").strip():
        raise WorkOrderError(_("Write the reply for the consumer."), field="reply")
    for f in attachments_check(files):
        WorkOrderAttachment.objects.create(
            work_order=wo, file=f, name=attachment_name(f.name), uploaded_by=actor, uploaded_at=at
        )
    late = at > wo.due_at
    counted = late and wo.overdue_due_at == wo.due_at  # the periodic job already counted this limit
    wo.answer, wo.answer_text, wo.reply, wo.answered_at, wo.state = (
        clean,
        (text or "").strip(),
        reply.strip(),
        at,
        S.ANSWERED,
    )
    wo.first_answered_at = wo.first_answered_at or at
    wo.late_answers += late and not counted
    wo.save()
    event_record(wo, "answered", at=at, actor=actor, text=wo.answer_text, late=late, facts=clean)
    if late:
        _late_fine(wo, at, answered_at=at)
    return wo


@transaction.atomic
def work_order_review(
    *, work_order_id: int, actor, passed: bool, reason: str = "", at: datetime | None = None
) -> WorkOrder:
    """CCS passes the answer (closed; the result goes to Cainiao) or sends it back with a reason."""
    at = at or timezone.now()
    if scoping.role_of(actor) != scoping.Role.HQ:
        raise WorkOrderError(_("Only HQ's CCS reviews answers."))
    wo = _lock(work_order_id)
    if wo.state != S.ANSWERED:
        raise WorkOrderError(_("This work order has no answer waiting for review."))
    wo.reviews += 1
    if wo.first_review_passed is None:
        wo.first_review_passed = passed
        if not passed:
            _fine(wo, "WO_QUALITY", at, reason)
    if passed:
        wo.state, wo.closed_at = S.CLOSED, at
        wo.save()
        event_record(wo, "passed", at=at, actor=actor, text=reason)
        _result_queue(wo, at)
    else:
        if not (reason or "").strip():
            raise WorkOrderError(_("Say what the unit must check again."), field="reason")
        wo.state = S.SENT_BACK
        if settings.WORK_ORDER_RESTART_ON_SEND_BACK:
            wo.due_at = clock.work_order_due(at, wo.limit_hours)
        wo.save()
        event_record(wo, "sent_back", at=at, actor=actor, text=reason)
        message_send(
            audience=Message.Audience.SITE,
            site=wo.unit,
            category=Message.Category.WORK_ORDER,
            at=at,
            title=_("Work order %(id)s sent back: %(reason)s") % {"id": wo.wo_id, "reason": reason[:80]},
            link=f"/work-orders/{wo.pk}/",
        )
    return wo


OVERDUE_SQL = """
UPDATE complaints_workorder w SET late_answers = w.late_answers + 1, overdue_due_at = w.due_at
WHERE w.state IN ('open', 'sent_back') AND w.unit_id IS NOT NULL AND w.due_at < %(at)s
  AND (w.overdue_due_at IS NULL OR w.overdue_due_at <> w.due_at)
RETURNING w.id, w.wo_id, w.unit_id, w.due_at, w.due_at - make_interval(hours => w.limit_hours)"""


def work_orders_overdue(*, at: datetime | None = None) -> int:
    """The periodic job: every work order with a unit whose time limit passed unanswered is counted late (one
    UPDATE here) and fined WO_LATE at its deadline by the rule book (one INSERT there), once per work order, like
    the order sweep. A later answer is neither counted nor fined again. Returns the fines written."""
    at = at or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [locks.WORK_ORDERS_OVERDUE])
        cursor.execute(OVERDUE_SQL, {"at": at})
        overdue = cursor.fetchall()
        return work_order_late_fines(overdue=overdue, at=at)


def _result_queue(wo: WorkOrder, at: datetime) -> None:
    payload = {
        "workOrderId": wo.wo_id,
        "result": "processed",
        "type": wo.type,
        "unit": wo.unit.code,
        "finding": wo.answer_text,
        "facts": wo.answer,
        "reply": wo.reply,
        "closedAt": timezone.localtime(wo.closed_at).isoformat(),
    }
    rows = [
        ResultCallback(work_order=wo, client=c, url=c.callback_url, payload=payload, next_attempt_at=at)
        for c in ApiClient.objects.filter(kind=ApiClient.Kind.CRM, active=True).exclude(callback_url="")
    ]
    RESULTS.queue(rows)


def _result_sent(row: ResultCallback, at: datetime) -> None:
    event_record(row.work_order, "result_sent", at=at)


RESULTS = Outbox(
    name="complaints.results",
    model=ResultCallback,
    attempts=ResultAttempt,
    task="complaints.tasks.results_deliver",
    related=("client", "work_order"),
    delivered=_result_sent,
)


def results_deliver(*, limit: int = 100) -> int:
    """Send due results to Cainiao's CRM, signed like our other callbacks, with the same back-off (the outbox
    kit); each delivered one leaves a "result sent" event on its work order."""
    return RESULTS.deliver(limit=limit)


def work_order_chase(*, work_order_id: int, actor, at: datetime | None = None) -> None:
    """The province LCS reminds the unit of an open work order."""
    at = at or timezone.now()
    wo = WorkOrder.objects.select_related("unit").get(pk=work_order_id)
    if scoping.role_of(actor) != scoping.Role.LCS or wo.province_id != actor.province_id or wo.unit is None:
        raise WorkOrderError(_("The province platform chases its province's work orders."))
    if wo.state not in (S.OPEN, S.SENT_BACK):
        raise WorkOrderError(_("This work order is not waiting for the unit."))
    message_send(
        audience=Message.Audience.SITE,
        site=wo.unit,
        category=Message.Category.WORK_ORDER,
        at=at,
        title=_("The province chases work order %(id)s: answer by %(due)s")
        % {"id": wo.wo_id, "due": timezone.localtime(wo.due_at).strftime("%m-%d %H:%M")},
        link=f"/work-orders/{wo.pk}/",
        sender=actor,
    )
    event_record(wo, "chased", at=at, actor=actor)


def warnings_send(*, at: datetime | None = None) -> int:
    """Work orders due within 2 hours: one message per unit per run, each work order warned once per due time."""
    at = at or timezone.now()
    with transaction.atomic():
        soon = list(
            WorkOrder.objects.select_for_update(skip_locked=True)
            .filter(
                Q(warned_due_at__isnull=True) | ~Q(warned_due_at=F("due_at")),
                state__in=[S.OPEN, S.SENT_BACK],
                unit__isnull=False,
                due_at__gt=at,
                due_at__lte=at + timedelta(hours=2),
            )
            .only("pk", "unit_id", "due_at")
        )
        WorkOrder.objects.filter(pk__in=[w.pk for w in soon]).update(warned_due_at=F("due_at"))
        by_unit: dict[int, int] = {}
        for wo in soon:
            by_unit[wo.unit_id] = by_unit.get(wo.unit_id, 0) + 1
        for site in Site.objects.filter(pk__in=list(by_unit)):
            message_send(
                audience=Message.Audience.SITE,
                site=site,
                category=Message.Category.WORK_ORDER,
                at=at,
                title=_("%(n)d work orders must be answered within 2 hours") % {"n": by_unit[site.pk]},
                link="/work-orders/",
            )
    return len(by_unit)


def work_orders_erase_personal(*, work_order_ids: list[int]) -> int:
    """The consumer's name and phone out of these closed work orders and the results already sent to the CRM
    (``retention``); the type, unit, times and outcome stay for the assessment. Idempotent."""
    ids = list(work_order_ids)
    ResultCallback.objects.filter(work_order_id__in=ids).exclude(status="pending").exclude(payload={}).update(
        payload={}
    )
    return (
        WorkOrder.objects.filter(pk__in=ids, state=WorkOrderState.CLOSED)
        .exclude(consumer_name="", consumer_phone="")
        .update(consumer_name="", consumer_phone="")
    )
