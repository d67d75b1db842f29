"""Writes of the rule book: audit acts (raise, confirm, reject, re-classify, evidence), rule versions and
closure days. One function per use case, atomic, every act recorded as a ``ViolationEvent``. The LCS proposes;
only HQ confirms a fine."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar as cc
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core import clock, scoping
from core.models import ClosureDay, Province, Site
from core.services import closure_day_record, closure_day_remove
from core.validators import attachment_name, attachments_check
from orders.models import EventKind, OrderEvent
from orders.services import closure_deadlines_shift

from . import judge
from .decision_messages import decision_message
from .events import detected_insert, event_record
from .exceptions import PenaltyError
from .judge import closure_affected_orders, rejudge
from .models import (
    AUDIT_RULES,
    TIME_RULES,
    WORK_ORDER_RULES,
    Rule,
    RuleVersion,
    Violation,
    ViolationAttachment,
    ViolationStatus,
    WorkOrderLimit,
)
from .money import ledger_sync
from .rule_versions import rule_in_force, rules_changed, work_order_types
from .workflow import violation_move

V = ViolationStatus


def _attach(violation: Violation, files, actor, at) -> None:
    for f in attachments_check(files):
        ViolationAttachment.objects.create(
            violation=violation, file=f, name=attachment_name(f.name), uploaded_by=actor, uploaded_at=at
        )


def _auditor(actor) -> str:
    role = scoping.role_of(actor)
    if role not in (scoping.Role.HQ, scoping.Role.LCS):
        raise PenaltyError(_("Only the province platform and HQ audit orders."))
    return role


def _waybill_pickup(event: OrderEvent) -> bool:
    return event.kind == EventKind.PICKED_UP and bool(event.waybill_no)


#: the acts each audit rule can concern (SPEC §4): anything else is refused
SITE_OPERATIONS = (
    EventKind.ACCEPTED,
    EventKind.ACCEPT_FAILED,
    EventKind.COURIER,
    EventKind.PICKED_UP,
    EventKind.PICKUP_FAILED,
    EventKind.REAPPOINTED,
    EventKind.WAYBILL_REMINDER,
    EventKind.CORRECTED,
)
RULE_ACTS = {
    Rule.FALSE_WAYBILL: ((EventKind.PICKED_UP,), _waybill_pickup),
    Rule.FALSE_FAIL_REASON: ((EventKind.ACCEPT_FAILED, EventKind.PICKUP_FAILED, EventKind.REAPPOINTED), None),
    Rule.WRONG_ACCEPT: (SITE_OPERATIONS, None),
    Rule.LATE_OR_WRONG_TRANSFER: ((EventKind.TRANSFERRED, EventKind.ACCEPTED, EventKind.ACCEPT_FAILED), None),
}
RULE_ACTS_TEXT = {
    Rule.FALSE_WAYBILL: _lazy("a pickup confirmation with a waybill number"),
    Rule.FALSE_FAIL_REASON: _lazy("an accept-fail, a pickup-fail or a re-appointment"),
    Rule.WRONG_ACCEPT: _lazy("an operation by a site on the order (accept, fail, courier, pickup, re-appointment)"),
    Rule.LATE_OR_WRONG_TRANSFER: _lazy("a transfer, or a late answer (accept, accept-fail) outside the site's area"),
}


def rule_fits_act(rule: str, event: OrderEvent) -> bool:
    kinds, test = RULE_ACTS[rule]
    return event.kind in kinds and (test is None or test(event))


@transaction.atomic
def violation_raise(
    *,
    event: OrderEvent,
    rule: str,
    evidence: str,
    actor,
    files=(),
    at: datetime | None = None,
    reclassified_from: Violation | None = None,
) -> Violation:
    """Audit (稽核) finds an act of the order's history wrong: the site that did it is responsible, the act's
    time decides the week. HQ's finding is confirmed at once; the LCS's is a proposal for HQ."""
    at = at or timezone.now()
    role = _auditor(actor)
    if rule not in AUDIT_RULES:
        raise PenaltyError(_("Time rules are found by the clock; audit raises the other four."), field="rule")
    evidence = (evidence or "").strip()
    if not evidence:
        raise PenaltyError(_("Write down the evidence: what the audit found and how."), field="evidence")
    # a re-classified late accept concerns the stint's missed deadline itself, whatever act ended the stint
    if reclassified_from is None and not rule_fits_act(rule, event):
        raise PenaltyError(
            _("%(rule)s cannot concern “%(act)s”: it concerns %(acts)s.")
            % {"rule": Rule(rule).label, "act": event.get_kind_display(), "acts": RULE_ACTS_TEXT[rule]},
            field="event",
        )
    site = event.site
    if site.is_data_center:
        raise PenaltyError(_("This act was HQ's (the data center): no site is responsible."), field="event")
    if reclassified_from is None and rule == Rule.LATE_OR_WRONG_TRANSFER and event.kind != EventKind.TRANSFERRED:
        # a late answer outside the area: it replaces the stint's LATE_ACCEPT (one missed deadline is one fine);
        # an on-time accept outside the area is WRONG_ACCEPT (SPEC §4)
        missed = _missed_accept(event, at)
        if missed is None:
            raise PenaltyError(
                _("This answer was on time: an act outside the site's area answered in time is a wrong accept."),
                field="rule",
            )
        reclassified_from = _standing_late_accept(event.order_id, event.stint)
    if rule == Rule.WRONG_ACCEPT and _stint_has(event, rule):
        raise PenaltyError(
            _("This stint already has a wrong-accept finding: the acts of one wrongly held order are one offence."),
            field="rule",
        )
    if role == scoping.Role.LCS and site.province_id != actor.province_id:
        raise PenaltyError(_("That site is outside your province."), field="event")
    moment = event.at
    if rule == Rule.LATE_OR_WRONG_TRANSFER and event.kind != EventKind.TRANSFERRED:
        # the finding stands for the stint's missed deadline: its moment (week, month) and clock's rule version
        missed = _missed_accept(event, at)
        if missed is not None:
            moment = missed.due
    version = rule_in_force(rule, event.at)
    if version is None:
        raise PenaltyError(_("No version of this rule was in force at the time of the act."), field="rule")
    confirmed = role == scoping.Role.HQ
    violation = Violation(
        order_id=event.order_id,
        act=event,
        stint=event.stint,
        rule=rule,
        site=site,
        province_id=site.province_id,
        rule_version=version,
        fine=version.fine,
        occurred_at=moment,
        week=clock.week_of(moment),
        status=V.CONFIRMED if confirmed else V.PROPOSED,
        source=Violation.Source.AUDIT,
        evidence=evidence,
        reclassified_from=reclassified_from,
        proposed_by=actor,
        decided_by=actor if confirmed else None,
        decided_at=at if confirmed else None,
        created_at=at,
    )
    try:
        with transaction.atomic():
            violation.save()
    except IntegrityError:
        raise PenaltyError(
            _("This act already has a %(rule)s finding: one act is found false only once.")
            % {"rule": Rule(rule).label},
            field="rule",
        ) from None
    _attach(violation, files, actor, at)
    event_record(violation, "confirmed" if confirmed else "proposed", actor=actor, at=at, text=evidence, event=event.pk)
    if confirmed:  # HQ's own finding is a decision at once
        decision_message(violation=violation, kind="confirmed", at=at, text=evidence)
    if confirmed and reclassified_from is not None:
        _supersede(reclassified_from, violation, actor, at)
    return violation


def _missed_accept(event: OrderEvent, at: datetime):
    """The stint's missed accept deadline, as the history judges it now (closures and late facts included)."""
    found = judge.order_findings(event.order, until=max(at, event.at))
    return next((f for f in found if f.stint == event.stint and f.rule == Rule.LATE_ACCEPT), None)


def _standing_late_accept(order_id: int, stint: int) -> Violation | None:
    return (
        Violation.objects.select_for_update(of=("self",))
        .filter(
            order_id=order_id, stint=stint, rule=Rule.LATE_ACCEPT, source=Violation.Source.SWEEP, status=V.CONFIRMED
        )
        .first()
    )


def _stint_has(event: OrderEvent, rule: str) -> bool:
    return Violation.objects.filter(
        order_id=event.order_id,
        stint=event.stint,
        site_id=event.site_id,
        rule=rule,
        status__in=[V.PROPOSED, V.CONFIRMED],
    ).exists()


def _supersede(old: Violation, new: Violation, actor, at) -> None:
    old.status, old.decided_by, old.decided_at = violation_move(old, "reclassify"), actor, at
    old.save(update_fields=["status", "decided_by", "decided_at"])
    event_record(old, "reclassified", actor=actor, at=at, text=new.get_rule_display(), into=new.pk)


def _locked(violation_id: int) -> Violation:
    return Violation.objects.select_for_update(of=("self",)).select_related("reclassified_from").get(pk=violation_id)


def _require_hq(actor) -> None:
    if scoping.role_of(actor) != scoping.Role.HQ:
        raise PenaltyError(_("Only the HQ e-commerce team confirms a fine."))


@transaction.atomic
def violation_confirm(*, violation_id: int, actor, text: str = "", at: datetime | None = None) -> Violation:
    at = at or timezone.now()
    _require_hq(actor)
    v = _locked(violation_id)
    if v.status != V.PROPOSED:
        raise PenaltyError(
            _("Only a proposed finding can be confirmed (this one is “%(s)s”).") % {"s": v.get_status_display()}
        )
    v.status, v.decided_by, v.decided_at = violation_move(v, "confirm"), actor, at
    v.save(update_fields=["status", "decided_by", "decided_at"])
    event_record(v, "confirmed", actor=actor, at=at, text=text)
    decision_message(violation=v, kind="confirmed", at=at, text=text)
    if v.rule == Rule.LATE_OR_WRONG_TRANSFER and not v.reclassified_from_id and v.act_id:
        # the clock found the late accept after the province proposed this: one missed deadline, one fine
        late = _standing_late_accept(v.order_id, v.stint)
        if late is not None and v.act.kind != EventKind.TRANSFERRED:
            v.reclassified_from = late
            v.save(update_fields=["reclassified_from"])
    if v.reclassified_from_id:
        _supersede(_locked(v.reclassified_from_id), v, actor, at)
    return v


@transaction.atomic
def violation_reject(*, violation_id: int, actor, text: str, at: datetime | None = None) -> Violation:
    at = at or timezone.now()
    _require_hq(actor)
    if not (text or "").strip():
        raise PenaltyError(_("Say why the finding is rejected."), field="text")
    v = _locked(violation_id)
    if v.status != V.PROPOSED:
        raise PenaltyError(
            _("Only a proposed finding can be rejected (this one is “%(s)s”).") % {"s": v.get_status_display()}
        )
    v.status, v.decided_by, v.decided_at = violation_move(v, "reject"), actor, at
    v.save(update_fields=["status", "decided_by", "decided_at"])
    event_record(v, "rejected", actor=actor, at=at, text=text)
    decision_message(violation=v, kind="rejected", at=at, text=text)
    return v


@transaction.atomic
def violation_reclassify(*, violation_id: int, actor, evidence: str, files=(), at: datetime | None = None) -> Violation:
    """LATE_ACCEPT re-classified as LATE_OR_WRONG_TRANSFER (the order lay outside the site's area): a new
    finding on the same stint; the old one is superseded when HQ confirms."""
    at = at or timezone.now()
    v = _locked(violation_id)
    if v.rule != Rule.LATE_ACCEPT or v.status != V.CONFIRMED:
        raise PenaltyError(_("Only a standing late accept can be re-classified as a late or wrong transfer."))
    event = (
        OrderEvent.objects.filter(order_id=v.order_id, stint=v.stint).order_by("-at", "-id").first()
        or OrderEvent.objects.filter(order_id=v.order_id).order_by("at", "id").first()
    )
    # the finding keeps the original deadline as its moment and the same responsible site
    new = violation_raise(
        event=event,
        rule=Rule.LATE_OR_WRONG_TRANSFER,
        evidence=evidence,
        actor=actor,
        files=files,
        at=at,
        reclassified_from=v,
    )
    if new.site_id != v.site_id or new.occurred_at != v.occurred_at:
        new.site_id, new.province_id, new.occurred_at, new.week = v.site_id, v.province_id, v.occurred_at, v.week
        new.save(update_fields=["site", "province", "occurred_at", "week"])
    return new


@transaction.atomic
def violation_evidence_add(*, violation_id: int, actor, text: str = "", files=(), at: datetime | None = None) -> None:
    at = at or timezone.now()
    _auditor(actor)
    v = _locked(violation_id)
    if not (text or "").strip() and not files:
        raise PenaltyError(_("Add a note or a file."))
    _attach(v, files, actor, at)
    event_record(v, "evidence", actor=actor, at=at, text=text, files=[f.name for f in files or ()])


# ---------------------------------------------------------------- rules


@transaction.atomic
def rule_version_create(
    *,
    code: str,
    fine,
    threshold_minutes: int | None,
    description: str,
    effective_from: datetime,
    actor,
    at: datetime | None = None,
) -> RuleVersion:
    """A new version of a rule; it governs the clocks that start from ``effective_from`` on (never earlier)."""
    at = at or timezone.now()
    _require_hq(actor)
    if code not in Rule.values:
        raise PenaltyError(_("Unknown rule."), field="code")
    if effective_from < at:
        raise PenaltyError(
            _("A rule change cannot apply to the past: choose a time from now on."), field="effective_from"
        )
    if fine is None or fine < 0:
        raise PenaltyError(_("The fine must be zero or more."), field="fine")
    if code in TIME_RULES and not threshold_minutes:
        raise PenaltyError(_("A time rule needs its threshold in minutes."), field="threshold_minutes")
    try:
        with transaction.atomic():
            version = RuleVersion.objects.create(
                code=code,
                fine=fine,
                threshold_minutes=threshold_minutes if code in TIME_RULES else None,
                description=description.strip() or Rule(code).label,
                effective_from=effective_from,
                created_by=actor,
            )
    except IntegrityError:
        raise PenaltyError(_("This rule already has a version from that moment."), field="effective_from") from None
    rules_changed()
    return version


def work_order_limit_create(
    *, wo_type: str, hours: int, effective_from: datetime, actor, at: datetime | None = None
) -> WorkOrderLimit:
    """A new time limit for a work-order type (HQ): it applies to work orders raised from ``effective_from`` on,
    never earlier, like a rule version."""
    at = at or timezone.now()
    _require_hq(actor)
    if wo_type not in work_order_types():
        raise PenaltyError(_("Unknown work-order type."), field="wo_type")
    if effective_from < at:
        raise PenaltyError(
            _("A rule change cannot apply to the past: choose a time from now on."), field="effective_from"
        )
    if not hours or not 1 <= hours <= 720:
        raise PenaltyError(_("A time limit is 1 to 720 hours."), field="hours")
    try:
        with transaction.atomic():
            return WorkOrderLimit.objects.create(
                wo_type=wo_type, hours=hours, effective_from=effective_from, created_by=actor
            )
    except IntegrityError:
        raise PenaltyError(_("This type already has a limit from that moment."), field="effective_from") from None


# ---------------------------------------------------------------- closure days

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}


def _holiday_name(day) -> str:
    name = cc.get_holiday_detail(day)[1] or ""
    return HOLIDAY_NAMES.get(name, name)


def closure_suggestions(*, year: int) -> list[dict]:
    """Statutory holidays and make-up working days (调休) of a year from ``chinese-calendar`` (for the years it
    covers): nothing applies until HQ confirms a day."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    out = []
    try:
        for day in cc.get_holidays(start, end, include_weekends=False):
            out.append({"day": day, "kind": "holiday", "name": _holiday_name(day)})
        for day in cc.get_workdays(start, end, include_weekends=True):
            if day.weekday() >= 5:
                out.append({"day": day, "kind": "workday", "name": _holiday_name(day)})
    except NotImplementedError:
        return []
    return sorted(out, key=lambda r: r["day"])


@transaction.atomic
def closure_confirm(*, day: date, province: Province | None, reason: str, actor, at: datetime | None = None) -> dict:
    """HQ confirms a closure day: the clocks stand still on it. Whenever it is confirmed, it gives exactly what
    confirming it before the day would have (SPEC §4): every open deadline whose clock ran through the day moves,
    and every order whose clock ran through it is re-judged from its history (``penalties.judge``): the fines the
    moved deadlines disprove are voided (recorded decisions, re-classified ones with them), those they newly prove
    are raised, the ledger follows."""
    at = at or timezone.now()
    _require_hq(actor)
    reason = (reason or "").strip()
    if not reason:
        raise PenaltyError(_("Say why the clocks stop that day (e.g. the announced suspension)."), field="reason")
    try:
        with transaction.atomic():
            closure_day_record(day=day, province=province, reason=reason, actor=actor, at=at)
    except IntegrityError:
        raise PenaltyError(_("That day is already closed there."), field="day") from None
    clock.closures_changed()
    return _closure_rejudge(day=day, province=province, actor=actor, at=at, reason=reason)


class _DryRun(Exception):
    pass


def _dry_run(call):
    """What ``call`` would do, undone: the same services in a transaction rolled back, so a confirmation says
    exactly what the act will do (how many deadlines move, how many fines are voided or raised)."""
    out = {}
    try:
        with transaction.atomic():
            out.update(call())
            raise _DryRun
    except _DryRun:
        pass
    finally:
        clock.closures_changed()
    return out


def _period_days(first: date, last: date) -> list[date]:
    if last < first:
        raise PenaltyError(_("The period must end on or after its first day."), field="last")
    if (last - first).days > 30:
        raise PenaltyError(_("A closure period is at most 31 days: confirm a longer one in parts."), field="last")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@transaction.atomic
def closure_period_confirm(
    *, first: date, last: date, province: Province | None, reason: str, actor, at: datetime | None = None
) -> dict:
    """One act for a period (a holiday spanning days): every day not yet closed there is confirmed, then the open
    deadlines move and the orders whose clocks ran through the period are re-judged once (``closure_confirm``'s
    rule: whenever it is confirmed, it gives what confirming it in advance would have)."""
    at = at or timezone.now()
    _require_hq(actor)
    reason = (reason or "").strip()
    if not reason:
        raise PenaltyError(_("Say why the clocks stop that day (e.g. the announced suspension)."), field="reason")
    days = _period_days(first, last)
    already = set(ClosureDay.objects.filter(day__in=days, province=province).values_list("day", flat=True))
    new = [d for d in days if d not in already]
    if not new:
        raise PenaltyError(_("Every day of that period is already closed there."), field="first")
    for d in new:
        closure_day_record(day=d, province=province, reason=reason, actor=actor, at=at)
    clock.closures_changed()
    return _period_rejudge(
        new, province=province, actor=actor, at=at, text=_closure_text(new[0], reason), reason=reason
    )


def _period_rejudge(days: list[date], *, province, actor, at: datetime, text: str, reason: str) -> dict:
    start, end = clock.day_bounds(days[0])[0], clock.day_bounds(days[-1])[1]
    affected = closure_affected_orders(start=start, end=end, province_id=getattr(province, "pk", None))
    moved = sum(closure_deadlines_shift(day=d, province=province, at=at, actor=actor, reason=reason) for d in days)
    judged = rejudge(affected, at=at, actor=actor, reason=text)
    return {"days": len(days), "moved": moved, "voided": judged.voided, "raised": judged.raised}


def closure_period_preview(*, first: date, last: date, province: Province | None, reason: str, actor, at=None) -> dict:
    """What confirming the period would do, without doing it."""
    return _dry_run(
        lambda: closure_period_confirm(first=first, last=last, province=province, reason=reason, actor=actor, at=at)
    )


@transaction.atomic
def closure_undo(*, closure_id: int, reason: str, actor, at: datetime | None = None) -> dict:
    """HQ undoes a confirmed closure day: a recorded decision (the day's history keeps who and why) that the rule
    book judges like any other — deadlines move back and the orders whose clocks ran through the day are re-judged
    (a fine the closure voided stands again if the deadline was missed)."""
    at = at or timezone.now()
    _require_hq(actor)
    reason = (reason or "").strip()
    if not reason:
        raise PenaltyError(_("Say why the closure is undone."), field="reason")
    closure = (
        ClosureDay.objects.select_for_update(of=("self",)).filter(pk=closure_id).select_related("province").first()
    )
    if closure is None:
        raise PenaltyError(_("That closure day no longer exists."))
    day, province = closure.day, closure.province
    closure_day_remove(closure=closure, actor=actor, reason=reason)
    clock.closures_changed()
    text = _("Closure day %(day)s undone: %(reason)s") % {"day": day, "reason": reason}
    return _period_rejudge([day], province=province, actor=actor, at=at, text=text, reason=text)


def closure_undo_preview(*, closure_id: int, reason: str, actor, at=None) -> dict:
    return _dry_run(lambda: closure_undo(closure_id=closure_id, reason=reason or "—", actor=actor, at=at))


def _closure_text(day: date, reason: str) -> str:
    return _("Closure day %(day)s: %(reason)s") % {"day": day, "reason": reason}


def _closure_rejudge(*, day: date, province, actor, at: datetime, reason: str) -> dict:
    start, end = clock.day_bounds(day)
    affected = closure_affected_orders(start=start, end=end, province_id=getattr(province, "pk", None))
    moved = closure_deadlines_shift(day=day, province=province, at=at, actor=actor, reason=reason)
    judged = rejudge(affected, at=at, actor=actor, reason=_closure_text(day, reason))
    return {"moved": moved, "voided": judged.voided, "raised": judged.raised}


WO_LATE_FINES_SQL = f"""
INSERT INTO penalties_violation (order_id, work_order_id, reference, stint, rule, site_id, province_id,
                                 rule_version_id, fine, occurred_at, week, status, source, evidence, created_at)
SELECT NULL, due.id, left(due.wo_id, 64), 0, 'WO_LATE', due.unit_id, s.province_id, rv.id, rv.fine, due.due_at,
       (date_trunc('week', (due.due_at AT TIME ZONE %(tz)s) - interval '1 microsecond'))::date, 'CONFIRMED',
       'work_order', %(evidence)s || to_char(due.due_at AT TIME ZONE %(tz)s, 'YYYY-MM-DD HH24:MI'), %(at)s
FROM unnest(%(ids)s::bigint[], %(wo_ids)s::varchar[], %(units)s::bigint[], %(dues)s::timestamptz[],
            %(starts)s::timestamptz[]) AS due(id, wo_id, unit_id, due_at, started_at)
JOIN {Site._meta.db_table} s ON s.id = due.unit_id
CROSS JOIN LATERAL (SELECT rv.id, rv.fine FROM penalties_ruleversion rv
    WHERE rv.code = 'WO_LATE' AND rv.effective_from <= due.started_at ORDER BY rv.effective_from DESC LIMIT 1) rv
WHERE rv.fine > 0
ON CONFLICT (work_order_id, rule, site_id) WHERE source = 'work_order' DO NOTHING
RETURNING id"""


def work_order_late_fines(*, overdue: list[tuple], at: datetime) -> int:
    """WO_LATE for work orders whose limit passed unanswered: (id, wo_id, unit_id, due_at, limit started) rows,
    one INSERT and the ledger in step, in the caller's transaction. Once per work order and unit; the version in
    force when the unit's limit started. Returns the fines written."""
    if not overdue:
        return 0
    ids, wo_ids, units, dues, starts = (list(col) for col in zip(*overdue))
    fined = detected_insert(
        WO_LATE_FINES_SQL,
        {
            "ids": ids,
            "wo_ids": wo_ids,
            "units": units,
            "dues": dues,
            "starts": starts,
            "at": at,
            "tz": settings.TIME_ZONE,
            "evidence": _("Not answered by its limit, due "),
        },
        at=at,
        source="work_order",
    )
    if fined:
        ledger_sync(violation_ids=fined, at=at)
    return len(fined)


@transaction.atomic
def work_order_fine(
    *,
    rule: str,
    work_order_id: int,
    reference: str,
    site,
    at: datetime | None = None,
    evidence: str = "",
    occurred_at: datetime | None = None,
    clock_start: datetime | None = None,
) -> Violation | None:
    """A Cainiao work-order fine (late answer, answer sent back): a standing violation of its own rule, so it goes
    through the same weekly notice and appeals, and into the ledger under the 菜鸟工单 heading. Once per work order,
    rule and unit; none when the rule's fine is zero. ``occurred_at``: the deadline a late one belongs to (its week
    and month), ``clock_start``: when the unit's limit started (the rule version in force then, SPEC §4)."""
    at = at or timezone.now()
    occurred_at = occurred_at or at
    if rule not in WORK_ORDER_RULES:
        raise PenaltyError(_("Unknown rule."), field="rule")
    version = rule_in_force(rule, clock_start or occurred_at)
    if version is None or not version.fine:
        return None
    existing = Violation.objects.filter(
        work_order_id=work_order_id, rule=rule, site=site, source=Violation.Source.WORK_ORDER
    ).first()
    if existing is not None:
        return existing
    v = Violation.objects.create(
        order=None,
        work_order_id=work_order_id,
        reference=reference[:64],
        stint=0,
        rule=rule,
        site=site,
        province_id=site.province_id,
        rule_version=version,
        fine=version.fine,
        occurred_at=occurred_at,
        week=clock.week_of(occurred_at),
        status=V.CONFIRMED,
        source=Violation.Source.WORK_ORDER,
        evidence=evidence,
        created_at=at,
    )
    event_record(v, "detected", at=at, text=evidence, source="work_order")
    ledger_sync(violation_ids=[v.pk], at=at)
    return v
