"""How each fine was computed, in plain words (issue 26): the clock's start and why, the rule version, the spans
the clock counted day by day, the closure days it skipped, the consumer's window that moved it, who was bound and
why, and the act that answered it with its witnessed and received times.

Not a second implementation: the replay of the order's history is ``penalties.judge`` (the one that decides what
stands), and the deadline and its spans come from ``core.clock.accept_due_explained`` / ``pickup_due_explained``,
the same computation as the deadline itself. ``Explanation.deadline`` therefore equals the stored deadline of a
standing violation (the property test checks it over random histories)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core import clock
from core.models import Site
from orders.models import EventKind, HistoryChange, OrderEvent, OrderState

from .judge import FINAL, OPEN, REACH, Finding, replay
from .models import TIME_RULES, Rule, Violation
from .rule_versions import rule_in_force


@dataclass
class Explanation:
    deadline: datetime | None
    lines: list[str] = field(default_factory=list)
    short: str = ""
    answer: OrderEvent | None = None
    answer_received_at: datetime | None = None


def _t(moment: datetime | None) -> str:
    return timezone.localtime(moment, clock.tz()).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _hm(moment: datetime, *, end: bool = False) -> str:
    """HH:MM; the end of a span at midnight reads 24:00 (it belongs to the day before, SPEC §4)."""
    local = timezone.localtime(moment, clock.tz())
    if end and local.hour == 0 and local.minute == 0 and local.second == 0:
        return "24:00"
    return local.strftime("%H:%M")


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日"


def _amount(minutes: float) -> str:
    if minutes >= 60 and minutes % 60 == 0:
        return _("%(n)d hours") % {"n": minutes // 60}
    return _("%(n)d minutes") % {"n": round(minutes)}


def _spans_text(spans: list) -> tuple[str, list[date]]:
    counted, skipped = [], []
    for start, end in spans:
        if end is None:
            skipped.append(start)
            continue
        day = timezone.localtime(start, clock.tz()).date()
        minutes = (end - start).total_seconds() / 60
        counted.append(f"{_day(day)} {_hm(start)}–{_hm(end, end=True)}（{_amount(minutes)}）")
    return "；".join(counted), skipped


START_WHY = {
    "created": lambda: _("the order time"),
    "arrival": lambda: _("the moment the order reached the system (later than its order time)"),
    EventKind.TRANSFERRED: lambda: _("the moment another site transferred the order in"),
    EventKind.DISPATCHED: lambda: _("HQ's dispatch (分件)"),
    EventKind.REOPENED: lambda: _("HQ's reopening"),
    EventKind.REROUTED: lambda: _("the re-routing after the channel changed the address"),
}
WINDOW_WHY = {
    "created": lambda: _("asked for with the order"),
    EventKind.CHANGED: lambda: _("changed by the channel"),
    EventKind.CORRECTED: lambda: _("corrected by the site with the consumer"),
    EventKind.REAPPOINTED: lambda: _("re-appointed with the consumer"),
}
BOUND_WHY = {
    "holder": lambda: _("it held the order when the deadline passed"),
    "handed_on": lambda: _(
        "it handed the order on after accepting it or after its own accept deadline, and the deadline passed before "
        "the receiver's accept deadline or while the order waited in the data center"
    ),
    "binding": lambda: _(
        "the deadline bound it before HQ's dispatch (分件) and still binds it, as if 分件 had not happened"
    ),
}


def _received_at(event: OrderEvent) -> datetime:
    """When the system received the act: kept by the door (a courier's sync), else the late-fact log, else at once."""
    kept = (event.data or {}).get("received_at")
    if isinstance(kept, str):
        parsed = parse_datetime(kept)
        if parsed is not None:
            return parsed
    late = (
        HistoryChange.objects.filter(order_id=event.order_id, occurred_at=event.at)
        .order_by("pk")
        .values_list("recorded_at", flat=True)
        .first()
    )
    return late or event.at


def _answer(events: list[OrderEvent], f: Finding) -> OrderEvent | None:
    """The act that ended the clock: for an accept clock the one that left PENDING in that stint, for a pickup
    clock the one that picked up, failed or cancelled the order."""
    for e in events:
        if e.at < f.clock.start:
            continue
        if f.rule == Rule.LATE_ACCEPT and e.stint == f.stint and e.from_state == OrderState.PENDING:
            if e.to_state != OrderState.PENDING or e.kind in REACH:
                return e
        if f.rule == Rule.LATE_PICKUP and e.from_state in OPEN and e.to_state in FINAL:
            return e
    return None


def _finding(v: Violation, until: datetime):
    rule = Rule.LATE_ACCEPT if v.rule == Rule.LATE_OR_WRONG_TRANSFER else v.rule
    events = sorted(v.order.events.all(), key=lambda e: (e.at, e.id))
    r = replay(v.order, events, until=until)
    found = r.findings()
    match = [f for f in found if f.stint == v.stint and f.rule == rule]
    return (match[0] if match else None), events


def violation_explain(v: Violation, *, at: datetime | None = None) -> Explanation | None:
    """The explanation of a time fine (or of a late or wrong transfer that replaced one); ``None`` for audit
    findings about an act, which their evidence explains."""
    if v.rule == Rule.WO_LATE:
        return _work_order(v)
    if v.order_id is None or (v.rule not in TIME_RULES and v.rule != Rule.LATE_OR_WRONG_TRANSFER):
        return None
    at = at or timezone.now()
    f, events = _finding(v, max(at, v.occurred_at + timedelta(seconds=1)))
    if f is None:
        if v.rule == Rule.LATE_OR_WRONG_TRANSFER:
            return None  # a wrong transfer, not a replaced late accept
        return Explanation(
            deadline=None,
            lines=[_("As the order's history stands now, this deadline was not missed (see the violation's record).")],
            short=_("no longer missed"),
        )
    return _explain(v, f, events)


def _explain(v: Violation, f: Finding, events: list[OrderEvent]) -> Explanation:
    c = f.clock
    order = v.order
    lines = []
    why = START_WHY.get(c.start_kind, START_WHY["created"])()
    if f.rule == Rule.LATE_ACCEPT:
        site = Site.objects.select_related("province").get(pk=f.site_id)
        info: dict = {}
        due, spans, mode = clock.accept_due_explained(site.province, c.start)
        what = _("Accept clock")
    else:
        due, info = clock.pickup_due_explained(c.start, c.window_end, province=order.province)
        spans, mode = info["spans"], "wall"
        what = _("Pickup clock")
    lines.append(_("%(what)s started %(t)s: %(why)s.") % {"what": what, "t": _t(c.start), "why": why})
    version = rule_in_force(f.rule, c.start)
    if version is not None:
        threshold = version.threshold_minutes
        lines.append(
            _(
                "Rule version in force when the clock started: %(rule)s, limit %(limit)s, fine ¥%(fine)s, effective from %(from)s."
            )
            % {
                "rule": Rule(f.rule).label,
                "limit": _amount(threshold) if threshold else "—",
                "fine": version.fine,
                "from": _t(version.effective_from),
            }
        )
    counted, skipped = _spans_text(spans)
    if f.rule == Rule.LATE_ACCEPT and mode == clock.SERVICE_HOURS:
        lines.append(_("Counted only inside the province's service hours: %(spans)s.") % {"spans": counted})
    else:
        lines.append(_("Counted in wall-clock time: %(spans)s.") % {"spans": counted})
    if skipped:
        lines.append(
            _("Closure days skipped (the clock stood still): %(days)s.") % {"days": "、".join(_day(d) for d in skipped)}
        )
    if f.rule == Rule.LATE_PICKUP and c.window_end is not None:
        window_why = WINDOW_WHY.get(c.window_kind, WINDOW_WHY["created"])()
        if info.get("by") == "window":
            lines.append(
                _("The consumer's window ends %(t)s (%(why)s), later than the 16 hours: the deadline is its end.")
                % {"t": _t(c.window_end), "why": window_why}
            )
        else:
            lines.append(
                _(
                    "The consumer's window ends %(t)s (%(why)s), earlier than the 16 hours: it does not move the deadline."
                )
                % {"t": _t(c.window_end), "why": window_why}
            )
    lines.append(_("Deadline: %(t)s (exactly at the deadline is on time).") % {"t": _t(due)})
    site_name = v.site.name
    lines.append(
        _("Responsible: %(site)s, because %(why)s.") % {"site": site_name, "why": BOUND_WHY[c.bound_kind or "holder"]()}
    )
    answer = _answer(events, f)
    received = None
    if answer is None:
        lines.append(_("No answer by the deadline."))
    else:
        received = _received_at(answer)
        late = answer.at - due
        minutes = max(1, round(late.total_seconds() / 60))
        lines.append(
            _(
                "Answered by “%(act)s” at %(at)s (the time it happened), received %(received)s; %(late)s after the deadline."
            )
            % {
                "act": answer.get_kind_display(),
                "at": _t(answer.at),
                "received": _t(received),
                "late": _amount(minutes),
            }
        )
    short = _("clock from %(start)s (%(why)s), %(limit)s → due %(due)s; %(answer)s") % {
        "start": _t(c.start),
        "why": why,
        "limit": _amount(version.threshold_minutes) if version and version.threshold_minutes else "—",
        "due": _t(due),
        "answer": (_("answered %(t)s") % {"t": _t(answer.at)}) if answer else _("no answer by then"),
    }
    if skipped:
        short += _("; closure days skipped: %(days)s") % {"days": "、".join(_day(d) for d in skipped)}
    return Explanation(deadline=due, lines=lines, short=short, answer=answer, answer_received_at=received)


def _work_order(v: Violation) -> Explanation:
    version = v.rule_version
    lines = [
        _("Work order %(ref)s: the unit's time limit passed at %(t)s without an answer.")
        % {"ref": v.reference, "t": _t(v.occurred_at)},
        _("Rule version in force when the limit started: fine ¥%(fine)s, effective from %(from)s.")
        % {"fine": version.fine, "from": _t(version.effective_from)},
    ]
    if v.evidence:
        lines.append(v.evidence)
    return Explanation(deadline=v.occurred_at, lines=lines, short=_("limit passed %(t)s") % {"t": _t(v.occurred_at)})
