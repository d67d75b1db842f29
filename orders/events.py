"""The only place that creates ``OrderEvent`` rows. Events are appended, never changed (but for the consumer's data
erased from them once the order's retention ends)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import pgtrigger
from django.db import connection
from django.utils import timezone
from psycopg.types.json import Jsonb

from .models import EventKind, HistoryChange, OnlineOrder, OrderEvent
from .outbox import outbox_for_events

_KINDS = frozenset(str(k) for k in EventKind.values)
MISSING = object()


def clock_snapshot(order: OnlineOrder) -> dict:
    """The order's clocks as they stand: stored in every event (taken before the change it records), so the
    rule book can tell from the history alone whether a deadline had passed when something happened."""
    return {
        "clock_started_at": order.stint_started_at,
        "clock_accept_due_at": order.accept_due_at,
        "clock_pickup_due_at": order.pickup_due_at,
        "clock_owner_id": order.pickup_owner_id,
        "clock_owner_stint": order.pickup_owner_stint,
    }


def event_build(
    *,
    order: OnlineOrder,
    kind: str,
    at,
    actor=None,
    actor_label: str = "",
    from_state: str = "",
    to_state: str = "",
    site=None,
    to_site=None,
    reason: str = "",
    text: str = "",
    waybill_no: str = "",
    courier=None,
    data: dict | None = None,
    clock: dict | None = None,
    stint: int | None = None,
) -> OrderEvent:
    """An unsaved event; ``site`` defaults to the site holding the order before the change, ``clock`` and
    ``stint`` to the order's as they stand (pass them when the order was already changed)."""
    if kind not in _KINDS:
        raise ValueError(f"unknown event kind {kind}")
    return OrderEvent(
        order=order,
        kind=kind,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label[:64],
        site_id=site.pk if site is not None else order.site_id,
        stint=stint if stint is not None else order.stint,
        from_state=from_state,
        to_state=to_state,
        to_site=to_site,
        reason=reason,
        text=(text or "")[:500],
        waybill_no=waybill_no or "",
        courier=courier,
        data=data or {},
        **(clock if clock is not None else clock_snapshot(order)),
    )


def event_record(**kwargs) -> OrderEvent:
    event = event_build(**kwargs)
    event.save(force_insert=True)
    _callbacks([event])
    return event


def event_save(event: OrderEvent) -> OrderEvent:
    """Save an event built earlier (when its data had to wait for the change)."""
    event.save(force_insert=True)
    _callbacks([event])
    return event


def events_record(events: Iterable[OrderEvent]) -> list[OrderEvent]:
    """Insert many events in one statement."""
    saved = OrderEvent.objects.bulk_create(list(events), batch_size=1000)
    _callbacks(saved)
    return saved


#: an event older than this when recorded is a late fact: the rule book re-judges its order (``HistoryChange``)
LATE_AFTER = timedelta(minutes=2)


def _callbacks(events) -> None:
    """The status callbacks these events owe their channels, in the same transaction (the outbox), and the
    "changed since" marker of the late ones (i26 contract, /work/notes/i26-api.md)."""
    outbox_for_events(events)
    late_facts_mark(events)
    history_floor_keep(events)


#: reads of an order's history start this long before ``OnlineOrder.history_from`` (a month's partitions are pruned
#: all the same; the margin absorbs clocks that disagree by seconds or hours)
HISTORY_MARGIN = timedelta(days=1)


def history_floor_keep(events) -> None:
    """Keep ``OnlineOrder.history_from`` at or below every event of the order: an event older than the order's
    floor (a late scan from before HQ entered the order, say) lowers it, in one conditional UPDATE per such order.
    An order whose floor is null reads its whole history and stays so."""
    lowest: dict[int, object] = {}
    for e in events:
        order = e.order
        floor = order.__dict__.get("history_from", MISSING)
        if floor is None or (floor is not MISSING and e.at >= floor):
            continue
        lowest[e.order_id] = min(e.at, lowest.get(e.order_id, e.at))
        if floor is not MISSING:
            order.history_from = lowest[e.order_id]
    for order_id, at in lowest.items():
        OnlineOrder.objects.filter(pk=order_id, history_from__gt=at).update(history_from=at)


def late_facts_mark(events, *, received_at=None) -> None:
    """One ``HistoryChange`` per event recorded more than ``LATE_AFTER`` after it happened."""
    now = received_at or timezone.now()
    late = [
        HistoryChange(order_id=e.order_id, occurred_at=e.at, recorded_at=now) for e in events if e.at < now - LATE_AFTER
    ]
    if late:
        HistoryChange.objects.bulk_create(late)


_COPY_FIELDS = [f for f in OrderEvent._meta.concrete_fields if f.column != "id"]


#: every column of an event, in the order the set-based writers below (created, deadline moved) give them
_EVENT_COLUMNS = (
    "order_id",
    "kind",
    "at",
    "actor_id",
    "actor_label",
    "site_id",
    "stint",
    "from_state",
    "to_state",
    "to_site_id",
    "reason",
    "text",
    "waybill_no",
    "courier_id",
    "data",
    "clock_started_at",
    "clock_accept_due_at",
    "clock_pickup_due_at",
    "clock_owner_id",
    "clock_owner_stint",
)
assert set(_EVENT_COLUMNS) == {f.column for f in _COPY_FIELDS}, "orders.events: a new OrderEvent column"


_CREATED = f"""
INSERT INTO orders_orderevent ({", ".join(_EVENT_COLUMNS)})
SELECT o.id, %(kind)s, %(at)s, NULL, %(actor_label)s, o.site_id, o.stint, '', o.state, o.site_id, '',
       left(o.route_reason, 500), '', NULL, jsonb_strip_nulls(jsonb_build_object('adcode', o.sender_adcode, 'window_end', o.window_end)),
       o.stint_started_at, o.accept_due_at, o.pickup_due_at, o.pickup_owner_id, o.pickup_owner_stint
FROM orders_onlineorder o WHERE o.id = ANY(%(ids)s::bigint[]) ORDER BY o.id"""


def created_events_insert(orders: list[OnlineOrder], *, at, actor_label: str) -> None:
    """The "created" event of each order bulk intake has just stored, in one statement that reads them from the
    stored orders (no Python per event): each row is what ``event_build(order=o, kind=CREATED, at=at,
    actor_label=…, to_state=o.state, to_site=o.site, text=o.route_reason, data={"adcode": …})`` holds. No
    channel callback is owed here: the adapters that report a new order are answered by their own endpoint."""
    with connection.cursor() as cursor:
        cursor.execute(
            _CREATED,
            {"kind": EventKind.CREATED.value, "at": at, "actor_label": actor_label[:64], "ids": [o.pk for o in orders]},
        )


_DEADLINES_MOVED = f"""
INSERT INTO orders_orderevent ({", ".join(_EVENT_COLUMNS)})
SELECT o.id, 'deadline_moved', %(at)s, %(actor)s, %(actor_label)s, o.site_id, o.stint, '', '', NULL, 'closure',
       %(text)s, '', NULL,
       m.data,
       o.stint_started_at, o.accept_due_at, o.pickup_due_at, o.pickup_owner_id, o.pickup_owner_stint
FROM unnest(%(ids)s::bigint[], %(data)s::jsonb[]) AS m(order_id, data)
JOIN orders_onlineorder o ON o.id = m.order_id"""


def deadlines_moved_record(moves: dict[int, dict], *, at, actor, text: str, day) -> int:
    """One "deadline moved" event per order whose deadlines a closure day moved, in one statement, taken
    before the move (the events' clock columns hold the old deadlines, ``data`` the new ones). No state changes
    and no channel hears of it (no adapter reports it), so no callback is owed. Returns the events written."""
    if not moves:
        return 0
    ids = list(moves)
    data = [
        Jsonb({"day": day.isoformat(), **{k: timezone.localtime(v).isoformat() for k, v in moves[i].items()}})
        for i in ids
    ]
    params = {
        "at": at,
        "actor": getattr(actor, "pk", None),
        "actor_label": "" if getattr(actor, "pk", None) else "closure",
        "text": text[:500],
        "ids": ids,
        "data": data,
    }
    with connection.cursor() as cursor:
        cursor.execute(_DEADLINES_MOVED, params)
        return max(cursor.rowcount, 0)


#: what an event may hold of the consumer: the changed values of these fields (``data["changes"]``)
PERSONAL_CHANGE_KEYS = (
    "sender_name",
    "sender_phone",
    "sender_address",
    "receiver_name",
    "receiver_phone",
    "receiver_address",
    "remark",
    "fail_text",
)


def events_erase_personal(*, order_ids: list[int]) -> int:
    """The consumer's data out of these orders' history (PIPL, ``orders.erasure``): the free text (a clerk's note,
    a failure's details) emptied, and the before/after values of personal fields in a change replaced by nulls
    (which fields changed stays). The only UPDATE the append-only trigger lets through, by name."""
    table = OrderEvent._meta.db_table
    sql = f"""
        UPDATE {table} AS e SET text = '',
          data = CASE WHEN jsonb_typeof(e.data -> 'changes') = 'object' THEN jsonb_set(e.data, '{{changes}}', (
                   SELECT coalesce(jsonb_object_agg(k, CASE WHEN k = ANY(%s) THEN '[null, null]'::jsonb
                                                           ELSE v END), '{{}}'::jsonb)
                   FROM jsonb_each(e.data -> 'changes') AS c(k, v)))
                 ELSE e.data END
        WHERE e.order_id = ANY(%s)
          AND (e.text <> '' OR EXISTS (SELECT 1 FROM jsonb_object_keys(
                 CASE WHEN jsonb_typeof(e.data -> 'changes') = 'object' THEN e.data -> 'changes' ELSE '{{}}' END) AS k
               WHERE k = ANY(%s) AND e.data -> 'changes' -> k <> '[null, null]'::jsonb))"""
    with pgtrigger.ignore("orders.OrderEvent:orderevent_append_only"), connection.cursor() as cursor:
        keys = list(PERSONAL_CHANGE_KEYS)
        cursor.execute(sql, [keys, list(order_ids), keys])
        return cursor.rowcount
