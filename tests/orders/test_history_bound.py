"""An order's history is read from its own months: every read of one order's events is bounded below by the order's
floor (``OnlineOrder.history_from`` less a day), so PostgreSQL prunes the months of events before the order when it
plans the query. The floor must never hide an event: a late fact older than the order lowers it."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pgtrigger
from django.db import connection

from core.partitions import month_create
from orders import events
from orders.intake import orders_intake
from orders.models import EventKind, OnlineOrder
from orders.partitions import EVENTS
from orders.selectors import order_events, order_timeline
from tests.factories import channel_get, make_order, order_data

from ..conftest import FIXED_NOW

SH = ZoneInfo("Asia/Shanghai")


def _months(first: date, last: date) -> None:
    month = first
    while month <= last:
        month_create(EVENTS, month)
        month = (month + timedelta(days=32)).replace(day=1)


def _partitions_read(queryset) -> set[str]:
    """The event tables the plan reads (EXPLAIN's relation names)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (COSTS OFF, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    names, stack = set(), [plan[0]["Plan"] if isinstance(plan, list) else plan]
    while stack:
        node = stack.pop()
        if str(node.get("Relation Name", "")).startswith(EVENTS.table + "_"):
            names.add(node["Relation Name"])
        stack += node.get("Plans", [])
    return names


def _before(names: set[str], month: date) -> set[str]:
    return {n for n in names if n != EVENTS.default_table and n < EVENTS.month_table(month)}


def test_an_orders_history_reads_its_own_month_not_the_year_before(net):
    _months(date(2026, 1, 1), date(2026, 12, 1))
    order = make_order()
    created = order.events.get()
    assert order.history_from == created.at and abs(created.at - FIXED_NOW) < timedelta(minutes=1)
    read = _partitions_read(order_timeline(order=order))
    assert EVENTS.month_table(date(2026, 11, 1)) in read and not _before(read, date(2026, 11, 1))
    unbounded = _partitions_read(OnlineOrder.objects.get(pk=order.pk).events.all())
    assert len(_before(unbounded, date(2026, 11, 1))) == 10  # what the floor saves: every month before the order


def test_bulk_intake_sets_the_floor_as_the_single_intake_does(net):
    result = orders_intake(channel=channel_get("taobao"), items=[order_data(), order_data()], at=FIXED_NOW)
    orders = OnlineOrder.objects.filter(pk__in=[r.order.pk for r in result if r.order])
    assert orders.count() == 2 and {o.history_from for o in orders} == {FIXED_NOW}  # the intake's ``at``


def test_a_late_fact_older_than_the_order_lowers_the_floor_and_stays_in_the_history(net):
    _months(date(2026, 6, 1), date(2026, 12, 1))
    order = make_order()
    before = datetime(2026, 9, 2, 10, 0, tzinfo=SH)  # a scan from before HQ entered the order, reported late
    events.event_record(order=OnlineOrder.objects.get(pk=order.pk), kind=EventKind.CHANGED, at=before, text="扫描")
    order.refresh_from_db()
    assert order.history_from == before
    assert [e.kind for e in order_timeline(order=order)] == [EventKind.CHANGED, EventKind.CREATED]
    assert EVENTS.month_table(date(2026, 9, 1)) in _partitions_read(order_timeline(order=order))
    # a fact inside the margin leaves the floor alone; a later one too
    events.event_record(order=order, kind=EventKind.CHANGED, at=FIXED_NOW + timedelta(hours=1), text="后")
    order.refresh_from_db()
    assert order.history_from == before and order_events(order=order).count() == 3


def test_an_order_without_a_floor_reads_its_whole_history(net):
    order = make_order()
    with pgtrigger.ignore("orders.OnlineOrder:order_history_floor_only_lowers"):  # an order from before the floor
        OnlineOrder.objects.filter(pk=order.pk).update(history_from=None)
    order.refresh_from_db()
    events.event_record(order=order, kind=EventKind.CHANGED, at=FIXED_NOW - timedelta(days=400), text="旧")
    order.refresh_from_db()
    assert order.history_from is None  # stays unbounded: the floor is never guessed
    assert order_events(order=order).count() == 2


def test_a_save_from_a_copy_loaded_before_a_late_fact_never_raises_the_floor(net):
    order = make_order()
    stale = OnlineOrder.objects.get(pk=order.pk)  # loaded now, floor at the order's first event
    before = FIXED_NOW - timedelta(days=40)
    events.event_record(order=OnlineOrder.objects.get(pk=order.pk), kind=EventKind.CHANGED, at=before, text="扫描")
    stale.sender_name = "改名"
    stale.save()  # a full save writes the old floor back: the database keeps the lower one
    order.refresh_from_db()
    assert order.history_from == before and order.sender_name == "改名"
    assert before in [e.at for e in order_timeline(order=order)]
    OnlineOrder.objects.filter(pk=order.pk).update(history_from=None)  # nor can any writer clear it
    order.refresh_from_db()
    assert order.history_from == before
