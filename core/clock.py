"""The SLA clock: service hours and deadline arithmetic (SPEC §4 "Clocks"). The one module every app asks.

- Accept clock: 30 minutes from the moment the order reaches a site (order time, HQ's dispatch, a transfer in,
  HQ's reopening). By default only minutes inside the province's service hours count (every day of the week),
  so an order at 19:50 in an 08:00–20:00 province is due at 08:20 the next day. ``ACCEPT_CLOCK = "wall"``
  switches to the deck's literal rule (30 wall-clock minutes).
- Pickup clock: 16 wall-clock hours from its start (order time, or HQ's 分件 or reopening), or the end of the
  consumer's requested window when that is later; a re-appointment moves it to the new window's end. Every
  recomputation starts from ``pickup_clock_start`` (one answer for intake, window changes and closure days).
- An order that reaches the system after its order time starts its first accept clock on arrival
  (``accept_clock_start``); its pickup clock still runs from order time.
- Answering exactly at a deadline is on time; one second later is late (``is_late``).

Times are aware datetimes; the arithmetic runs in Asia/Shanghai local time.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from .caches import ProcessCache
from .models import ClosureDay

SERVICE_HOURS = "service_hours"
WALL_CLOCK = "wall"
_MAX_DAYS = 400  # a guard against a calendar with no open day at all


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


#: where thresholds come from: the rule book registers itself here (``penalties.apps``), so that a rule
#: change applies to clocks that start after its effective time; the settings are the fallback.
_threshold_source = None


def threshold_source_set(source) -> None:
    """``source(code, at) -> minutes | None``: the threshold of a time rule in force at ``at``."""
    global _threshold_source
    _threshold_source = source


def _threshold(code: str, at: datetime | None, default_minutes: float) -> float:
    if _threshold_source is not None and at is not None:
        value = _threshold_source(code, at)
        if value is not None:
            return value
    return default_minutes


def accept_minutes(at: datetime | None = None) -> float:
    return _threshold("LATE_ACCEPT", at, settings.ACCEPT_MINUTES)


def pickup_hours(at: datetime | None = None) -> float:
    return _threshold("LATE_PICKUP", at, settings.PICKUP_HOURS * 60) / 60


# ---------------------------------------------------------------- closure days

# other processes see a newly confirmed closure within 30 s; the closure services call closures.changed()
closures = ProcessCache("closure days", lambda: list(ClosureDay.objects.values_list("day", "province_id")))


def closures_changed() -> None:
    closures.changed()


def _all_closures() -> list[tuple[date, int | None]]:
    return closures.get()


def closed_days(province, start: date, end: date) -> set[date]:
    """Confirmed closure days between ``start`` and ``end`` (inclusive) for the province (network-wide ones too)."""
    pid = getattr(province, "pk", None)
    return {d for d, p in _all_closures() if start <= d <= end and (p is None or p == pid)}


def _closure_test(province, start: datetime):
    """A cheap ``is_closed(day)`` for deadlines starting at ``start``: one query for the next 60 days."""
    first = start.astimezone(tz()).date()
    days = closed_days(province, first, first + timedelta(days=60))
    return (lambda d: d in days) if days else None


def add_wall_hours(start: datetime, hours: float, *, is_closed=None, spans: list | None = None) -> datetime:
    """``start`` plus ``hours`` of wall-clock time, the clock standing still on closed days. ``spans``: a list that
    receives each (from, to) the clock counted and each closed day it skipped as (day, None) — the explanation of a
    fine reads the very computation (``penalties.explain``)."""
    if is_closed is None:
        if spans is not None:
            spans.append((start, start + timedelta(hours=hours)))
        return start + timedelta(hours=hours)
    need = timedelta(hours=hours)
    cursor = start.astimezone(tz())
    for _ in range(_MAX_DAYS):
        day = cursor.date()
        midnight = datetime.combine(day + timedelta(days=1), time.min, tz())
        if is_closed(day):
            if spans is not None:
                spans.append((day, None))
            cursor = midnight
            continue
        available = midnight - cursor
        if available >= need:
            if spans is not None:
                spans.append((cursor, cursor + need))
            return cursor + need
        need -= available
        if spans is not None and available:
            spans.append((cursor, midnight))
        cursor = midnight
    raise ValueError("no open day within a year: check the closure calendar")


def accept_clock_mode() -> str:
    return settings.ACCEPT_CLOCK


def service_window(province, day: date) -> tuple[datetime, datetime]:
    """The province's service hours on ``day`` as aware datetimes."""
    zone = tz()
    return (datetime.combine(day, province.service_start, zone), datetime.combine(day, province.service_end, zone))


def in_service_hours(province, at: datetime) -> bool:
    start, end = service_window(province, at.astimezone(tz()).date())
    return start <= at < end


def add_service_minutes(
    province, start: datetime, minutes: float, *, is_closed=None, spans: list | None = None
) -> datetime:
    """``start`` plus ``minutes`` counted only inside the province's service hours. ``is_closed(day)`` may name
    days on which the clock stands still (closure days). ``spans``: as for ``add_wall_hours``."""
    need = timedelta(minutes=minutes)
    cursor = start.astimezone(tz())
    day = cursor.date()
    for _ in range(_MAX_DAYS):
        if is_closed is not None and is_closed(day):
            if spans is not None:
                spans.append((day, None))
            day += timedelta(days=1)
            continue
        open_at, close_at = service_window(province, day)
        if cursor < open_at:
            cursor = open_at
        if cursor < close_at:
            available = close_at - cursor
            if available >= need:
                if spans is not None:
                    spans.append((cursor, cursor + need))
                return cursor + need
            need -= available
            if spans is not None:
                spans.append((cursor, close_at))
        day += timedelta(days=1)
        cursor = datetime.combine(day, time.min, tz())
    raise ValueError("no service hours within a year: check the closure calendar")


# ---------------------------------------------------------------- deadlines

#: deadlines already computed in this batch (see ``batch``), by what they depend on
_batch: ContextVar[dict | None] = ContextVar("clock_batch", default=None)


@contextmanager
def batch():
    """Within the block, a deadline asked again with the same inputs is not computed again (bulk intake: a
    thousand orders that arrived at the same moment share a few dozen provinces). The thresholds and the closure
    calendar a deadline depends on are read once per block, so the block is kept to one request's work."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def _memo(key: tuple, compute):
    seen = _batch.get()
    if seen is None:
        return compute()
    if key not in seen:
        seen[key] = compute()
    return seen[key]


def accept_due(province, reached_at: datetime, *, mode: str | None = None) -> datetime:
    """The accept deadline of a site that the order reached at ``reached_at``."""
    mode = mode or accept_clock_mode()
    # the province's hours in the key too: two unsaved provinces (pk None) never share a deadline
    return _memo(
        ("accept", getattr(province, "pk", None), province.service_start, province.service_end, reached_at, mode),
        lambda: _accept_due(province, reached_at, mode),
    )


def _accept_due(province, reached_at: datetime, mode: str, spans: list | None = None) -> datetime:
    closed = _closure_test(province, reached_at)
    if mode == WALL_CLOCK:
        return add_wall_hours(reached_at, accept_minutes(reached_at) / 60, is_closed=closed, spans=spans)
    return add_service_minutes(province, reached_at, accept_minutes(reached_at), is_closed=closed, spans=spans)


def accept_due_explained(province, reached_at: datetime) -> tuple[datetime, list, str]:
    """The accept deadline with the spans the clock counted (and the closed days it skipped) and the mode: the
    same computation as ``accept_due``, for the explanation of a fine."""
    spans: list = []
    mode = accept_clock_mode()
    return _accept_due(province, reached_at, mode, spans), spans, mode


def pickup_due(start: datetime, window_end: datetime | None = None, *, province=None) -> datetime:
    """16 wall-clock hours from the pickup clock's start (the clock standing still on closure days), or the
    consumer's window end when later (moved on, like the 16 hours, by the closed time between the start and it)."""
    return _memo(
        ("pickup", getattr(province, "pk", None), start, window_end), lambda: _pickup_due(start, window_end, province)
    )


def _pickup_due(start: datetime, window_end: datetime | None, province, explain: dict | None = None) -> datetime:
    closed = _closure_test(province, start)
    spans: list | None = [] if explain is not None else None
    due = add_wall_hours(start, pickup_hours(start), is_closed=closed, spans=spans)
    if explain is not None:
        explain.update(spans=spans, by="hours", hours=pickup_hours(start))
    if window_end is not None and window_end > start:
        window_spans: list | None = [] if explain is not None else None
        window_due = add_wall_hours(
            start, (window_end - start).total_seconds() / 3600, is_closed=closed, spans=window_spans
        )
        if window_due > due:
            if explain is not None:
                explain.update(spans=window_spans, by="window")
            return window_due
    return due


def pickup_due_explained(start: datetime, window_end: datetime | None, *, province=None) -> tuple[datetime, dict]:
    """The pickup deadline with how it was reached (the 16 hours or the consumer's window, the spans counted, the
    closed days skipped): the same computation as ``pickup_due``, for the explanation of a fine."""
    explain: dict = {}
    return _pickup_due(start, window_end, province, explain), explain


# ---------------------------------------------------------------- clock starts (every recomputation asks here)


def accept_clock_start(order_time: datetime, arrived_at: datetime | None) -> datetime:
    """When the first site's accept clock starts: order time, or the moment the order reached the system when
    it arrived later (an HQ import of yesterday's phone orders, a delayed push)."""
    return max(order_time, arrived_at) if arrived_at is not None else order_time


def pickup_clock_start(order) -> datetime:
    """The start of an order's pickup clock: order time, or HQ's latest 分件 or reopening (which give the
    receiving site a fresh clock). The one answer used by every computation and recomputation of the pickup
    deadline (intake, a channel's window change, a re-appointment, a closure day)."""
    return getattr(order, "pickup_started_at", None) or order.order_time


def pickup_deadline(order) -> datetime:
    """The order's pickup deadline as its clock start, window and the closure calendar give it now."""
    return pickup_due(pickup_clock_start(order), order.window_end, province=order.province)


def accept_deadline(order) -> datetime | None:
    """The accept deadline of the order's current stint (none at the data center)."""
    if order.site.is_data_center:
        return None
    return accept_due(order.site.province, order.stint_started_at)


def binds_on_hand_over(*, accepted: bool, at: datetime, accept_due_at: datetime | None) -> bool:
    """A site that hands an order on after accepting it, or after its own accept deadline, stays bound to the
    pickup deadline (SPEC §4: it answers for a deadline that passes before the receiver's accept deadline or
    while the order waits in the data center)."""
    return accepted or is_late(at, accept_due_at)


def holder_answers_for_pickup(*, pickup_due_at: datetime, accept_due_at: datetime | None) -> bool:
    """A holding site answers for a pickup deadline unless it passes before the site's own accept deadline (the
    data center, which has none, never answers)."""
    return accept_due_at is not None and pickup_due_at >= accept_due_at


def is_late(answered_at: datetime, due_at: datetime | None) -> bool:
    """Exactly at the deadline is on time; one second later is late."""
    return due_at is not None and answered_at > due_at


def service_end_today(province, at: datetime) -> datetime:
    return service_window(province, at.astimezone(tz()).date())[1]


def iso(value: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 in Beijing time (for event data people read), or None."""
    return value.astimezone(tz()).isoformat() if value else None


# ---------------------------------------------------------------- the calendar: days, weeks, months, windows
# Every date rule of the product is here (Beijing time): a violation's week, a month's bounds, the appeal
# windows, a work order's time limit. Other apps ask; none adds hours or days of its own.

#: how far ahead of ours another system's clock may run: a time sent later than now + SKEW (an order time, a
#: scan time) is refused, since it would keep a clock from ever running or a scan from ever being in order
SKEW = timedelta(minutes=10)
#: how far ahead a pickup window may end, from when it is set (a channel's order or change, a re-appointment): a
#: later visit is a new order, and a window years away would switch the pickup clock off
WINDOW_AHEAD = timedelta(days=7)
APPEAL_WINDOW = timedelta(
    hours=72
)  # SPEC §5: 72 hours after the notice (and after an LCS upholding); exactly 72 h is in time


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tz())


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = day_start(day)
    return start, day_start(day + timedelta(days=1))


def week_monday(day: date) -> date:
    """The Monday of the week a date falls in (weeks run Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


def day_of(moment: datetime) -> date:
    """The (Beijing) day a moment belongs to: a moment at exactly 00:00 belongs to the day before (SPEC §4), like
    a deadline at the end of a closure day or of a week."""
    return (moment.astimezone(tz()) - timedelta(microseconds=1)).date()


def week_of(moment: datetime) -> date:
    """The Monday of the (Beijing) week a moment falls in (00:00 on a Monday belongs to the week that ended)."""
    return week_monday(day_of(moment))


def week_end(week: date) -> date:
    """The Sunday of a week given by its Monday."""
    return week + timedelta(days=6)


def month_add(month: date, n: int) -> date:
    y, m = divmod(month.year * 12 + month.month - 1 + n, 12)
    return date(y, m + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    return day_start(month), day_start(month_add(month, 1))


def previous_month(today: date | None = None) -> date:
    today = today or datetime.now(tz()).date()
    return month_add(today.replace(day=1), -1)


def appeal_deadline(start: datetime | None) -> datetime | None:
    """The end of an appeal window that opened at ``start`` (a notice issued, an LCS upholding)."""
    return start + APPEAL_WINDOW if start else None


def work_order_due(start: datetime, limit_hours: float) -> datetime:
    """A work order's deadline: its time limit in wall-clock hours from receipt (or from a send-back)."""
    return start + timedelta(hours=limit_hours)
