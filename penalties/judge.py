"""The rule book judges what happened (SPEC §4 "What stands depends on what happened"): the time findings of an
order derived from its whole history — the events in the order they happened (their ``at``, the witnessed time),
the closure days confirmed now, the rule versions — whatever the order in which those facts reached the system and
whenever HQ confirmed them. Deadlines come from ``core.clock``, the functions that computed them when the order
was live; the explanation of a fine (``penalties.explain``) reads the same replay.

``order_findings`` replays one order; ``rejudge`` compares the findings with the violations recorded for the
order and records the difference: a fine that no longer stands is voided (a decision, "re-judged"), one that
now stands is raised, the ledger follows. ``rejudge`` is idempotent: an unchanged history changes nothing.

Who re-judges what: the sweep re-judges the orders of the late facts ``orders.HistoryChange`` lists (read by id
from its cursor), the orders it has just fined, and those a closure touched; closure days and their undoing
re-judge at once. Lower apps never call this module (layers); they record facts at their time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core import clock
from core.models import Site
from orders.models import EventKind, OnlineOrder, OrderEvent, OrderState
from orders.selectors import order_events, order_events_many

from .events import event_record
from .models import TIME_RULES, Appeal, AppealStatus, Rule, Violation, ViolationStatus
from .money import ledger_sync
from .rule_versions import rule_in_force
from .workflow import OPEN_APPEALS, violation_move

V = ViolationStatus
OPEN = (OrderState.PENDING, OrderState.ACCEPTED)
FINAL = (OrderState.PICKED_UP, OrderState.PICKUP_FAILED, OrderState.ACCEPT_FAILED, OrderState.CANCELLED)
REACH = (EventKind.TRANSFERRED, EventKind.DISPATCHED, EventKind.REOPENED, EventKind.REROUTED)
#: how many orders one re-judging transaction takes (bounded batches)
BATCH = 500


def _late(now: datetime, due: datetime) -> bool:
    """Exactly at the deadline is on time (``clock.is_late``); the bench plants its bug here."""
    return clock.is_late(now, due)


@dataclass
class Clock:
    """One deadline as the replay computed it, with what the explanation needs."""

    rule: str
    site_id: int
    stint: int
    start: datetime  # the clock's start (the rule version is the one in force then)
    start_kind: str  # created, arrival, transferred, dispatched, reopened, rerouted
    due: datetime
    window_end: datetime | None = None
    window_kind: str = ""  # "", created, changed, reappointed
    bound_kind: str = ""  # "", holder, handed_on, binding (分件)
    answered_by: OrderEvent | None = None  # the act that ended the clock (on time or late)


@dataclass
class Finding:
    stint: int
    rule: str
    site_id: int
    due: datetime
    clock: Clock

    @property
    def key(self):
        return (self.stint, self.rule)


@dataclass
class _Binding:
    site_id: int
    stint: int
    start: datetime
    start_kind: str
    window_end: datetime | None
    window_kind: str
    due: datetime
    finished: bool = False


@dataclass
class Replay:
    """The order's clocks replayed from its history up to ``until``."""

    order: OnlineOrder
    until: datetime
    sites: dict
    holder: int | None = None
    stint: int = 0
    stint_start: datetime | None = None
    stint_kind: str = ""
    state: str = ""
    accept_due: datetime | None = None
    pickup_start: datetime | None = None
    pickup_kind: str = "created"
    pickup_due: datetime | None = None
    window_end: datetime | None = None
    window_kind: str = ""
    owner: tuple[int, int] | None = None
    bindings: list[_Binding] = field(default_factory=list)
    missed: dict = field(default_factory=dict)  # (stint, rule) -> Finding (the first deadline missed)
    clocks: list[Clock] = field(default_factory=list)  # every clock that ran, for the explanation

    def _is_dc(self, site_id) -> bool:
        return self.sites[site_id].is_data_center

    def _pickup_due(self, start, window_end) -> datetime:
        return clock.pickup_due(start, window_end, province=self.order.province)

    def _miss(self, stint, rule, site_id, due, start, start_kind, bound_kind, window_end=None, window_kind=""):
        if (stint, rule) in self.missed:
            return
        c = Clock(rule, site_id, stint, start, start_kind, due, window_end, window_kind, bound_kind)
        self.missed[(stint, rule)] = Finding(stint, rule, site_id, due, c)

    def _pass(self, now: datetime) -> None:
        """Every deadline that passed before ``now`` while the order was open is missed."""
        if self.state == OrderState.PENDING and self.accept_due is not None and _late(now, self.accept_due):
            self._miss(
                self.stint, Rule.LATE_ACCEPT, self.holder, self.accept_due, self.stint_start, self.stint_kind, "holder"
            )
        if self.state in OPEN and self.pickup_due >= self.stint_start and clock.is_late(now, self.pickup_due):
            if not self._is_dc(self.holder) and clock.holder_answers_for_pickup(
                pickup_due_at=self.pickup_due, accept_due_at=self.accept_due
            ):
                self._miss(
                    self.stint,
                    Rule.LATE_PICKUP,
                    self.holder,
                    self.pickup_due,
                    self.pickup_start,
                    self.pickup_kind,
                    "holder",
                    self.window_end,
                    self.window_kind,
                )
            elif self.owner is not None:
                self._miss(
                    self.owner[1],
                    Rule.LATE_PICKUP,
                    self.owner[0],
                    self.pickup_due,
                    self.pickup_start,
                    self.pickup_kind,
                    "handed_on",
                    self.window_end,
                    self.window_kind,
                )
        for b in self.bindings:
            if not b.finished and clock.is_late(now, b.due):
                self._miss(
                    b.stint,
                    Rule.LATE_PICKUP,
                    b.site_id,
                    b.due,
                    b.start,
                    b.start_kind,
                    "binding",
                    b.window_end,
                    b.window_kind,
                )

    def _reach(self, site_id: int, at: datetime, kind: str) -> None:
        self.holder, self.stint, self.stint_start, self.stint_kind = site_id, self.stint + 1, at, kind
        self.state = OrderState.PENDING
        site = self.sites[site_id]
        self.accept_due = None if site.is_data_center else clock.accept_due(site.province, at)

    def _restart_pickup(self, at: datetime, kind: str) -> None:
        self.pickup_start, self.pickup_kind, self.owner = at, kind, None
        self.pickup_due = self._pickup_due(at, self.window_end)

    def _finish(self, state: str, event: OrderEvent) -> None:
        self.state = state
        for b in self.bindings:
            b.finished = True

    def apply(self, e: OrderEvent) -> None:
        if e.kind in (EventKind.CREATED, EventKind.ENTERED):
            first = e.to_site_id or e.site_id
            start = e.clock_started_at or clock.accept_clock_start(self.order.order_time, e.at)
            self.stint = (e.stint or 1) - 1
            self._reach(first, start, "arrival" if start > self.order.order_time else "created")
            self.pickup_start, self.pickup_kind = self.order.order_time, "created"
            self.pickup_due = self._pickup_due(self.pickup_start, self.window_end)
            return
        self._pass(e.at)
        if e.kind in REACH:
            if e.kind == EventKind.TRANSFERRED and clock.binds_on_hand_over(
                accepted=self.state == OrderState.ACCEPTED, at=e.at, accept_due_at=self.accept_due
            ):
                self.owner = (self.holder, self.stint)
            if e.kind == EventKind.DISPATCHED and self.owner is not None:
                self.bindings.append(
                    _Binding(
                        self.owner[0],
                        self.owner[1],
                        self.pickup_start,
                        self.pickup_kind,
                        self.window_end,
                        self.window_kind,
                        self.pickup_due,
                    )
                )
            self.stint = e.stint  # the stint that ends here (the event carries the stint it closes)
            self._reach(e.to_site_id, e.at, e.kind)
            if e.kind in (EventKind.DISPATCHED, EventKind.REOPENED):
                self._restart_pickup(e.at, e.kind)
            return
        if e.from_state == OrderState.PENDING and e.to_state == OrderState.ACCEPTED:
            self.state = OrderState.ACCEPTED
        elif e.to_state in FINAL and e.from_state in OPEN:
            self._finish(e.to_state, e)
        window = _window_change(e)
        if window is not None:
            self.window_end, self.window_kind = window, e.kind
            if self.state in OPEN:
                self.pickup_due = self._pickup_due(self.pickup_start, self.window_end)
                # a binding kept after 分件 follows the consumer's window as the order would have had 分件 not
                # happened (SPEC §4)
                for b in self.bindings:
                    if not b.finished:
                        b.window_end, b.window_kind = self.window_end, e.kind
                        b.due = self._pickup_due(b.start, b.window_end)

    def findings(self) -> list[Finding]:
        self._pass(self.until)
        return [f for f in self.missed.values() if not _inside_closed_day(f.due, self.order.province)]


def _parse(value) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def _window_change(e: OrderEvent):
    """The consumer's new window end an event sets (a channel's change, a site's correction, a re-appointment)."""
    if e.kind in (EventKind.CHANGED, EventKind.CORRECTED):
        change = (e.data or {}).get("changes", {}).get("window_end")
        return _parse(change[1]) if change else None
    if e.kind == EventKind.REAPPOINTED:
        return _parse((e.data or {}).get("window_end"))
    return None


def _first_window(order: OnlineOrder, events: list[OrderEvent]) -> datetime | None:
    """The window the order arrived with: recorded on its "created" event, else read back from the first
    change of it, else the order's own (never changed)."""
    for e in events:
        if e.kind in (EventKind.CREATED, EventKind.ENTERED) and "window_end" in (e.data or {}):
            return _parse(e.data["window_end"])
    for e in events:
        if e.kind in (EventKind.CHANGED, EventKind.CORRECTED) and "window_end" in (e.data or {}).get("changes", {}):
            return _parse(e.data["changes"]["window_end"][0])
        if e.kind == EventKind.REAPPOINTED and "previous_window_end" in (e.data or {}):
            return _parse(e.data["previous_window_end"])
    return order.window_end


def _inside_closed_day(due: datetime, province) -> bool:
    """A deadline at a day's first instant passed before it; one at its last instant passed inside it."""
    day = (due.astimezone(clock.tz()) - timedelta(microseconds=1)).date()
    return bool(clock.closed_days(province, day, day))


def replay(order: OnlineOrder, events: list[OrderEvent], *, until: datetime, sites: dict | None = None) -> Replay:
    """Replay the order's history (events in the order they happened) with today's calendar and rule book."""
    events = sorted(events, key=lambda e: (e.at, e.id or 0))
    if sites is None:
        ids = {order.site_id} | {e.site_id for e in events} | {e.to_site_id for e in events if e.to_site_id}
        sites = {s.pk: s for s in Site.objects.filter(pk__in=ids).select_related("province")}
    r = Replay(order=order, until=until, sites=sites)
    r.window_end, r.window_kind = _first_window(order, events), "created"
    if r.window_end is None:
        r.window_kind = ""
    for e in events:
        if e.at >= until and e.kind not in (EventKind.CREATED, EventKind.ENTERED):
            break
        r.apply(e)
    return r


def order_findings(order: OnlineOrder, *, until: datetime) -> list[Finding]:
    return replay(order, list(order_events(order=order)), until=until).findings()


# ---------------------------------------------------------------- recording the difference


def _standing_time_violations(order_ids):
    """The violations that stand for a deadline of these orders: the clock's, and an audit's re-classification
    of a missed accept deadline (it replaces the stint's LATE_ACCEPT, SPEC §4)."""
    return Violation.objects.select_for_update(of=("self",)).filter(
        order_id__in=order_ids, source=Violation.Source.SWEEP, rule__in=TIME_RULES
    )


def _void(v: Violation, *, at: datetime, actor, text: str) -> list[int]:
    voided = []
    replacement = None
    if v.status == V.RECLASSIFIED:
        replacement = (
            Violation.objects.select_for_update(of=("self",))
            .filter(reclassified_from=v, status__in=[V.CONFIRMED, V.PROPOSED])
            .first()
        )
    for one in (v, replacement):
        if one is None:
            continue
        one.status, one.decided_by, one.decided_at = violation_move(one, "void"), actor, at
        one.save(update_fields=["status", "decided_by", "decided_at"])
        event_record(one, "voided", actor=actor, at=at, text=text, rejudged=True)
        voided.append(one.pk)
        # an open appeal on it has nothing left to decide: closed as moot, with the reason (SPEC §4)
        Appeal.objects.filter(violation=one, status__in=OPEN_APPEALS).update(
            status=AppealStatus.MOOT, decision_text=text, decided_by=actor, decided_at=at
        )
    return voided


def _raise(order: OnlineOrder, f: Finding, *, at: datetime, sites) -> Violation | None:
    version = rule_in_force(f.rule, f.clock.start)
    if version is None:
        return None
    site = sites[f.site_id]
    v = Violation.objects.create(
        order=order,
        stint=f.stint,
        rule=f.rule,
        site=site,
        province_id=site.province_id,
        rule_version=version,
        fine=version.fine,
        occurred_at=f.due,
        week=clock.week_of(f.due),
        status=V.CONFIRMED,
        source=Violation.Source.SWEEP,
        evidence="",
        created_at=at,
    )
    event_record(v, "detected", at=at, source="rejudge")
    return v


@dataclass
class RejudgeResult:
    orders: int = 0
    raised: int = 0
    voided: int = 0


def rejudge(order_ids, *, at: datetime, actor=None, reason: str = "") -> RejudgeResult:
    """Re-derive the standing time violations of these orders from their history and record the difference.
    In bounded batches, each in its own transaction (call inside one to make it all one)."""
    result = RejudgeResult()
    ids = sorted(set(order_ids))
    for i in range(0, len(ids), BATCH):
        with transaction.atomic():
            _rejudge_batch(ids[i : i + BATCH], at=at, actor=actor, reason=reason, result=result)
    return result


def _rejudge_batch(ids, *, at, actor, reason, result: RejudgeResult) -> None:
    orders = {
        o.pk: o
        for o in OnlineOrder.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in=ids)
        .select_related("province")
    }
    events: dict[int, list] = {}
    for e in order_events_many(orders=orders.values()).order_by("at", "id"):
        events.setdefault(e.order_id, []).append(e)
    site_ids = {o.site_id for o in orders.values()} | {
        s for evs in events.values() for e in evs for s in (e.site_id, e.to_site_id) if s
    }
    sites = {s.pk: s for s in Site.objects.filter(pk__in=site_ids).select_related("province")}
    stored: dict[int, dict] = {}
    for v in _standing_time_violations(ids):
        stored.setdefault(v.order_id, {}).setdefault((v.stint, v.rule), []).append(v)
    touched: list[int] = []
    text = reason or _("Re-judged from the order's history")
    for pk, order in orders.items():
        result.orders += 1
        found = {f.key: f for f in replay(order, events.get(pk, []), until=at, sites=sites).findings()}
        mine = stored.get(pk, {})
        for key, rows in mine.items():
            f = found.get(key)
            for v in rows:
                if v.status not in (V.CONFIRMED, V.PROPOSED, V.RECLASSIFIED):
                    continue  # voided, rejected, cancelled on appeal: a decision already taken
                if f is not None and v.site_id == f.site_id and v.occurred_at == f.due and _same_version(v, f):
                    continue
                voided = _void(v, at=at, actor=actor, text=text)
                touched += voided
                result.voided += len(voided)
        for key, f in found.items():
            rows = mine.get(key, [])
            if any(
                v.status in (V.CONFIRMED, V.PROPOSED, V.RECLASSIFIED)
                and v.site_id == f.site_id
                and v.occurred_at == f.due
                and _same_version(v, f)
                for v in rows
            ):
                continue
            if any(v.status in (V.CANCELLED, V.REJECTED) and v.occurred_at == f.due for v in rows):
                continue  # decided on appeal or by HQ for this very deadline
            if _replaced_by_audit(order, f):
                continue
            new = _raise(order, f, at=at, sites=sites)
            if new is not None:
                touched.append(new.pk)
                result.raised += 1
    if touched:
        ledger_sync(violation_ids=touched, at=at)


def _same_version(v: Violation, f: Finding) -> bool:
    version = rule_in_force(f.rule, f.clock.start)
    return version is None or v.rule_version_id == version.pk


def _replaced_by_audit(order: OnlineOrder, f: Finding) -> bool:
    """A late accept already found by audit as LATE_OR_WRONG_TRANSFER on the stint's late answer: one missed
    deadline is one fine (SPEC §4)."""
    return (
        f.rule == Rule.LATE_ACCEPT
        and Violation.objects.filter(
            order=order,
            stint=f.stint,
            rule=Rule.LATE_OR_WRONG_TRANSFER,
            source=Violation.Source.AUDIT,
            status__in=[V.CONFIRMED, V.PROPOSED],
        ).exists()
    )


def closure_affected_orders(*, start: datetime, end: datetime, province_id: int | None) -> list[int]:
    """The orders whose clocks may have run through ``[start, end)``: a clock started before the end and a
    deadline (the order's, one its history recorded, a violation's) after the start. Set-based."""
    sql = """
    SELECT o.id FROM orders_onlineorder o
    WHERE (%(p)s::bigint IS NULL OR o.province_id = %(p)s) AND o.order_time < %(end)s
      AND (o.pickup_due_at > %(start)s OR o.accept_due_at > %(start)s)
    UNION
    SELECT e.order_id FROM orders_orderevent e JOIN orders_onlineorder o ON o.id = e.order_id
    WHERE (%(p)s::bigint IS NULL OR o.province_id = %(p)s) AND e.clock_started_at < %(end)s
      AND (e.clock_pickup_due_at > %(start)s OR e.clock_accept_due_at > %(start)s) AND e.at > %(start)s
    UNION
    SELECT v.order_id FROM penalties_violation v
    WHERE v.order_id IS NOT NULL AND v.occurred_at > %(start)s AND v.rule IN ('LATE_ACCEPT', 'LATE_PICKUP')
      AND v.occurred_at < %(end)s + interval '8 days' AND (%(p)s::bigint IS NULL OR v.province_id = %(p)s)"""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": start, "end": end, "p": province_id})
        return [row[0] for row in cursor.fetchall()]
