"""The SLA sweep (SPEC §4): one violation per (order, site stint, rule) for every deadline that passed without
an answer, found by set-based SQL over the stored deadlines and the order history, never a Python loop.

Five INSERT … SELECT … ON CONFLICT DO NOTHING statements, whatever the number due:
- LATE_ACCEPT of orders still pending past their accept deadline (the holder is responsible);
- LATE_ACCEPT from the history: an event that left PENDING after the deadline of its stint (accepted,
  failed, transferred, cancelled or re-routed late), so a late answer counts even if no sweep ran before it;
- LATE_PICKUP of orders still pending or accepted past their pickup deadline, when that deadline passed during
  the current stint: the holder answers for it, unless it passed before the holder's own accept deadline or the
  order waits in the data center; then the last site that handed it on after accepting it or after its own
  accept deadline does (``clock.holder_answers_for_pickup``, ``clock.binds_on_hand_over``);
- LATE_PICKUP from the history, likewise;
- LATE_PICKUP of a deadline that still binds a site after HQ's 分件 (``PickupBinding``).

A deadline inside a confirmed closure day is never a violation (the clock stood still). A voided violation does
not block the detection of the moved deadline of the same stint.

Each statement limits itself to deadlines in [since, until) that had passed by ``at``, so any past window can
be recomputed; unique keys make a rerun and two concurrent runs harmless, and a transaction-level advisory lock
makes the second of two concurrent runs skip. The fine and rule version are those in force when the clock
started (``stint_started_at`` for accept, order time for pickup). The data center never gets a violation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import locks
from core.models import ClosureDay, Site
from orders.models import HistoryChange

from .events import detected_insert
from .judge import rejudge
from .models import SweepRun, Violation

LOCK_KEY = locks.SLA_SWEEP
SITES, CLOSURE_DAYS = Site._meta.db_table, ClosureDay._meta.db_table
OVERLAP = timedelta(minutes=2)
#: late facts re-judged per run at most (the rest in the next run, a minute later)
REJUDGE_BATCH = 5000  # a slow transaction may commit an event a little after the run that saw its minute

_RULE = """CROSS JOIN LATERAL (SELECT rv.id, rv.fine FROM penalties_ruleversion rv
    WHERE rv.code = '{code}' AND rv.effective_from <= {started} ORDER BY rv.effective_from DESC LIMIT 1) rv"""
#: a deadline inside a confirmed closure day (the clock stood still: the closure voided it or moved it)
_OPEN_DAY = f"""NOT EXISTS (SELECT 1 FROM {CLOSURE_DAYS} c
    WHERE c.day = (({{due}} AT TIME ZONE %(tz)s) - interval '1 microsecond')::date
      AND (c.province_id IS NULL OR c.province_id = {{province}}))"""
_INSERT = """INSERT INTO penalties_violation (order_id, stint, rule, site_id, province_id, rule_version_id, fine,
                                 occurred_at, week, status, source, evidence, created_at)
SELECT {cols}, rv.id, rv.fine, {due}, (date_trunc('week', ({due} AT TIME ZONE %(tz)s) - interval '1 microsecond'))::date, 'CONFIRMED', 'sweep',
       '', %(now)s
{body}
{extra}
  AND NOT EXISTS (SELECT 1 FROM penalties_violation x WHERE x.order_id = {order} AND x.stint = {stint}
                  AND x.source = 'sweep' AND x.rule = '{rule}' AND x.status = 'VOIDED' AND x.occurred_at = {due})
ON CONFLICT (order_id, stint, rule) WHERE source = 'sweep' AND NOT (status = 'VOIDED') DO NOTHING
RETURNING id"""

#: one missed deadline is one fine: a late answer audit already found as LATE_OR_WRONG_TRANSFER replaces the stint's
#: LATE_ACCEPT (SPEC §4)
_NOT_RECLASSIFIED = """  AND NOT EXISTS (SELECT 1 FROM penalties_violation a WHERE a.order_id = {order} AND a.stint = {stint}
                  AND a.rule = 'LATE_OR_WRONG_TRANSFER' AND a.source = 'audit' AND a.status IN ('CONFIRMED', 'PROPOSED'))"""
#: the start of the pickup clock an event's stint ran on: order time, or HQ's latest 分件/reopening before it
_EVENT_PICKUP_START = """coalesce((SELECT max(d.at) FROM orders_orderevent d WHERE d.order_id = e.order_id
    AND d.kind IN ('dispatched', 'reopened') AND d.at <= e.clock_started_at), o.order_time)"""

OPEN_ACCEPT = _INSERT.format(
    cols="o.id, o.stint, 'LATE_ACCEPT', o.site_id, s.province_id",
    due="o.accept_due_at",
    order="o.id",
    stint="o.stint",
    rule="LATE_ACCEPT",
    extra=_NOT_RECLASSIFIED.format(order="o.id", stint="o.stint"),
    body=f"""FROM orders_onlineorder o JOIN {SITES} s ON s.id = o.site_id
{_RULE.format(code="LATE_ACCEPT", started="o.stint_started_at")}
WHERE o.state = 'PENDING' AND o.accept_due_at >= %(since)s AND o.accept_due_at < %(until)s
  AND {_OPEN_DAY.format(due="o.accept_due_at", province="s.province_id")}""",
)

# the partial index orderevent_late_accept holds exactly the events that left PENDING after their deadline
HISTORY_ACCEPT = _INSERT.format(
    cols="e.order_id, e.stint, 'LATE_ACCEPT', e.site_id, s.province_id",
    due="e.clock_accept_due_at",
    order="e.order_id",
    stint="e.stint",
    rule="LATE_ACCEPT",
    extra=_NOT_RECLASSIFIED.format(order="e.order_id", stint="e.stint"),
    body=f"""FROM orders_orderevent e JOIN {SITES} s ON s.id = e.site_id
{_RULE.format(code="LATE_ACCEPT", started="e.clock_started_at")}
WHERE e.from_state = 'PENDING' AND e.at > e.clock_accept_due_at
  AND e.clock_accept_due_at >= %(since)s AND e.clock_accept_due_at < %(until)s
  AND {_OPEN_DAY.format(due="e.clock_accept_due_at", province="s.province_id")}""",
)

# Pickup: who answers for a deadline that passed during a stint (clock.holder_answers_for_pickup): the holding
# site, unless the deadline passed before its own accept deadline (or the data center holds the order); then the
# last site that handed the order on after accepting it or after its accept deadline (the pickup owner), if any.
_RESPONSIBLE = """CROSS JOIN LATERAL (SELECT CASE WHEN NOT h.is_data_center AND {due} >= {accept_due}
                          THEN h.id ELSE {owner} END AS site_id,
                          CASE WHEN NOT h.is_data_center AND {due} >= {accept_due}
                          THEN {stint} ELSE {owner_stint} END AS stint) r
JOIN {sites} rs ON rs.id = r.site_id"""

OPEN_PICKUP = _INSERT.format(
    cols="o.id, r.stint, 'LATE_PICKUP', r.site_id, rs.province_id",
    due="o.pickup_due_at",
    order="o.id",
    stint="r.stint",
    rule="LATE_PICKUP",
    extra="",
    body=f"""FROM orders_onlineorder o JOIN {SITES} h ON h.id = o.site_id
{
        _RESPONSIBLE.format(
            sites=SITES,
            due="o.pickup_due_at",
            accept_due="o.accept_due_at",
            owner="o.pickup_owner_id",
            stint="o.stint",
            owner_stint="o.pickup_owner_stint",
        )
    }
{_RULE.format(code="LATE_PICKUP", started="coalesce(o.pickup_started_at, o.order_time)")}
WHERE o.state IN ('PENDING', 'ACCEPTED') AND o.pickup_due_at >= o.stint_started_at
  AND o.pickup_due_at >= %(since)s AND o.pickup_due_at < %(until)s
  AND {_OPEN_DAY.format(due="o.pickup_due_at", province="rs.province_id")}""",
)

# events that left an open state after the pickup deadline that passed during their stint
HISTORY_PICKUP = _INSERT.format(
    cols="e.order_id, r.stint, 'LATE_PICKUP', r.site_id, rs.province_id",
    due="e.clock_pickup_due_at",
    order="e.order_id",
    stint="r.stint",
    rule="LATE_PICKUP",
    extra="",
    body=f"""FROM orders_orderevent e JOIN {SITES} h ON h.id = e.site_id
JOIN orders_onlineorder o ON o.id = e.order_id
{
        _RESPONSIBLE.format(
            sites=SITES,
            due="e.clock_pickup_due_at",
            accept_due="e.clock_accept_due_at",
            owner="e.clock_owner_id",
            stint="e.stint",
            owner_stint="e.clock_owner_stint",
        )
    }
{_RULE.format(code="LATE_PICKUP", started=_EVENT_PICKUP_START)}
WHERE e.from_state IN ('PENDING', 'ACCEPTED') AND e.at > e.clock_pickup_due_at
  AND e.clock_pickup_due_at >= e.clock_started_at
  AND e.clock_pickup_due_at >= %(since)s AND e.clock_pickup_due_at < %(until)s
  AND {_OPEN_DAY.format(due="e.clock_pickup_due_at", province="rs.province_id")}""",
)

# a deadline that still binds a site after HQ's 分件 (PickupBinding): late when the order was not picked up,
# failed or cancelled by it
BOUND_PICKUP = _INSERT.format(
    cols="b.order_id, b.stint, 'LATE_PICKUP', b.site_id, rs.province_id",
    due="b.due_at",
    order="b.order_id",
    stint="b.stint",
    rule="LATE_PICKUP",
    extra="",
    body=f"""FROM orders_pickupbinding b JOIN {SITES} rs ON rs.id = b.site_id
JOIN orders_onlineorder o ON o.id = b.order_id
{_RULE.format(code="LATE_PICKUP", started="b.clock_start")}
WHERE b.due_at >= %(since)s AND b.due_at < %(until)s
  AND NOT EXISTS (SELECT 1 FROM orders_orderevent f WHERE f.order_id = b.order_id AND f.at >= b.created_at
                  AND f.at <= b.due_at AND f.to_state IN ('PICKED_UP', 'PICKUP_FAILED', 'ACCEPT_FAILED', 'CANCELLED'))
  AND {_OPEN_DAY.format(due="b.due_at", province="rs.province_id")}""",
)

STATEMENTS = (OPEN_ACCEPT, HISTORY_ACCEPT, OPEN_PICKUP, HISTORY_PICKUP, BOUND_PICKUP)


@dataclass
class SweepResult:
    since: datetime
    until: datetime
    inserted: int = 0
    statements: int = 0
    skipped: bool = False
    duration_ms: int = 0
    rejudged: int = 0
    voided: int = 0


def sla_sweep(*, since: datetime, until: datetime, at: datetime | None = None, trigger: str = "manual") -> SweepResult:
    """Record the violations of every deadline in [since, until) that had passed by ``at`` (default now)."""
    at = at or timezone.now()
    until = min(until, at)
    result = SweepResult(since=since, until=until)
    if since >= until:
        return result
    started = time.perf_counter()
    params = {"since": since, "until": until, "now": at, "tz": settings.TIME_ZONE}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            result.skipped = True
            return result
        found = []
        for sql in STATEMENTS:  # each found violation with its "detected" event, in one statement
            found += detected_insert(sql, params, at=at, source="sweep")
            result.statements += 1
        result.inserted = len(found)
        # what stands depends on what happened (SPEC §4): the orders of the late facts recorded since the last run,
        # and those just fined, are re-judged from their whole history (penalties.judge)
        through = SweepRun.objects.order_by("-changes_through").values_list("changes_through", flat=True).first() or 0
        late = list(
            HistoryChange.objects.filter(pk__gt=through).order_by("pk").values_list("pk", "order_id")[:REJUDGE_BATCH]
        )
        if late:
            through = late[-1][0]
        orders = {order_id for _, order_id in late}
        if found:
            orders |= set(Violation.objects.filter(pk__in=found).values_list("order_id", flat=True))
        judged = rejudge(orders, at=at) if orders else None
        if judged is not None:
            result.rejudged, result.voided = judged.orders, judged.voided
            result.inserted += judged.raised
        result.duration_ms = int((time.perf_counter() - started) * 1000)
        SweepRun.objects.create(
            changes_through=through,
            rejudged=result.rejudged,
            voided=result.voided,
            started_at=at,
            since=since,
            until=until,
            inserted=result.inserted,
            statements=result.statements,
            duration_ms=result.duration_ms,
            trigger=trigger,
        )
    return result


def sla_sweep_due(*, at: datetime | None = None, first_window: timedelta = timedelta(days=2)) -> SweepResult:
    """The scheduled run: from the end of the last run (less a small overlap) to now, so a scheduler that was
    down for hours catches up in one run."""
    at = at or timezone.now()
    last = SweepRun.objects.order_by("-until").values_list("until", flat=True).first()
    since = (last - OVERLAP) if last else at - first_window
    return sla_sweep(since=since, until=at, at=at, trigger="beat")
