"""Orders per Beijing day per site, counted once and read many times (``OrderDayCount``).

HQ's SLA dashboard divides 14 days of late findings by 14 days of orders; at SPEC §8's volume that is ~28 M
order rows per view if counted from the order table. Beat counts them instead: today and yesterday every few
minutes (an order changes site within hours of its order time, when it is transferred or dispatched), the last
``COUNT_DAYS`` days every night (anything later, such as an import of old orders). A day is counted whole in one
transaction, so a reader sees either the old count of a day or the new one, never half.

``orders_per_day`` answers from the counts where a day has been counted and from the orders themselves where it
has not (a fresh install, a day older than the nightly count), so its answer never depends on beat having run:
only its freshness does, and it says how fresh (``as_of``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from core import clock, locks
from core.models import Site

from .models import OnlineOrder, OrderCountDay, OrderDayCount

LOCK_KEY = locks.ORDER_DAY_COUNTS
COUNT_DAYS = 35  # the nightly count: the dashboard's 14 days and the weeks a weekly report may still be asked of

_DELETE = f"DELETE FROM {OrderDayCount._meta.db_table} WHERE day = ANY(%(days)s)"
_INSERT = f"""INSERT INTO {OrderDayCount._meta.db_table} (day, site_id, province_id, orders)
SELECT (o.order_time AT TIME ZONE %(tz)s)::date, o.site_id, o.province_id, count(*)
FROM {OnlineOrder._meta.db_table} o JOIN {Site._meta.db_table} s ON s.id = o.site_id
WHERE o.order_time >= %(start)s AND o.order_time < %(end)s AND NOT s.is_data_center
  AND (o.order_time AT TIME ZONE %(tz)s)::date = ANY(%(days)s)
GROUP BY 1, 2, 3"""
_MARK = f"""INSERT INTO {OrderCountDay._meta.db_table} (day, counted_at) SELECT d, %(at)s FROM unnest(%(days)s) d
ON CONFLICT (day) DO UPDATE SET counted_at = EXCLUDED.counted_at"""


@dataclass
class CountResult:
    days: list[date]
    rows: int = 0
    skipped: bool = False


def day_counts_refresh(*, days: list[date], at: datetime | None = None) -> CountResult:
    """Count the orders of these Beijing days afresh, per site (set-based: one DELETE, one grouped INSERT … SELECT
    over the order-time index). A second run while one is under way skips (advisory lock)."""
    at = at or timezone.now()
    today = timezone.localdate(at, clock.tz())
    days = sorted({day for day in days if day <= today})  # a day still to come has no orders to count
    result = CountResult(days=days)
    if not days:
        return result
    params = {
        "days": days,
        "tz": settings.TIME_ZONE,
        "at": at,
        "start": clock.day_start(days[0]),
        "end": clock.day_start(days[-1] + timedelta(days=1)),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            result.skipped = True
            return result
        cursor.execute(_DELETE, params)
        cursor.execute(_INSERT, params)
        result.rows = cursor.rowcount
        cursor.execute(_MARK, params)
    return result


def day_counts_recent(*, at: datetime | None = None) -> CountResult:
    """Beat's frequent count: today and yesterday, Beijing time."""
    today = timezone.localdate(at or timezone.now(), clock.tz())
    return day_counts_refresh(days=[today - timedelta(days=1), today], at=at)


def day_counts_nightly(*, at: datetime | None = None) -> CountResult:
    """Beat's nightly count: the last ``COUNT_DAYS`` days."""
    today = timezone.localdate(at or timezone.now(), clock.tz())
    return day_counts_refresh(days=[today - timedelta(days=i) for i in range(COUNT_DAYS)], at=at)


@dataclass
class PerDay:
    counts: dict[date, int]
    #: when the last day's orders (today's, on the dashboard) were counted; None when they were counted from the
    #: orders just now
    as_of: datetime | None


def orders_per_day(*, scope: Q, first: date, last: date, at: datetime | None = None) -> PerDay:
    """Orders per Beijing day in [first, last] within ``scope`` (a Q over a row's ``site`` and ``province``, as
    ``core.scoping.unit_q`` gives), the data center left out. A count is used for a day once it was taken after the
    day ended, or for today and yesterday (which beat counts every 5 minutes); a day counted while it was still
    going on and not since (beat stopped over a midnight) is counted from the orders."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    recent = timezone.localdate(at or timezone.now(), clock.tz()) - timedelta(days=1)
    counted = {
        day: when
        for day, when in OrderCountDay.objects.filter(day__gte=first, day__lte=last).values_list("day", "counted_at")
        if day >= recent or when >= clock.day_start(day + timedelta(days=1))
    }
    counts = dict.fromkeys(days, 0)
    if counted:
        rows = (
            OrderDayCount.objects.filter(scope, day__in=list(counted))
            .values("day")
            .annotate(n=Sum("orders"))
            .values_list("day", "n")
        )
        counts.update(rows)
    live = [day for day in days if day not in counted]
    if live:  # one query from the first day not counted to the last (they are usually the oldest, together)
        rows = (
            OnlineOrder.objects.filter(
                scope,
                order_time__gte=clock.day_start(live[0]),
                order_time__lt=clock.day_start(live[-1] + timedelta(days=1)),
            )
            .exclude(site__is_data_center=True)
            .annotate(day=TruncDate("order_time", tzinfo=clock.tz()))
            .values("day")
            .annotate(n=Count("id"))
            .values_list("day", "n")
        )
        counts.update((day, n) for day, n in rows if day not in counted)
    return PerDay(counts=counts, as_of=counted.get(last))
