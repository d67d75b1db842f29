"""Bulk intake: many orders of one channel in a constant number of statements (one look-up of repeats, one
address parse and the routing's few queries, one binary COPY of orders, one INSERT of their events, whatever the
batch size). Each item is answered on its own:
created, a repeat of a stored order (the same order back), a conflict (same channel order id, other content), or
invalid (what and where). Nothing good is lost because of a bad neighbour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

import psycopg
from django.db import IntegrityError, connection, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, routing
from core.exceptions import DomainError
from core.waybills import waybill_validate

from .events import created_events_insert
from .exceptions import ContentConflict
from .models import Channel, OnlineOrder
from .services import (
    INPUT_FIELDS,
    REQUIRED,
    _check_window,
    _clean,
    _same_content,
    channel_order_id_check,
    order_create,
    order_time_check,
    stint_begin,
)

_INPUT = frozenset(INPUT_FIELDS)


@dataclass
class ItemResult:
    index: int
    status: str  # created | existing | conflict | invalid
    order: OnlineOrder | None = None
    code: str = ""
    field: str | None = None
    message: str = ""


def _validate(data: dict, at: datetime) -> dict:
    data = _clean({k: v for k, v in data.items() if k in _INPUT})
    for key in REQUIRED:
        if not data.get(key):
            raise DomainError(_("This field is required."), field=key)
    if not data.get("order_time"):
        data.pop("order_time", None)  # "now" for a new order; not compared for a repeat
    order_time_check(data.get("order_time"), at)
    _check_window(data.get("window_start"), data.get("window_end"), at)
    if data.get("waybill_no"):
        data["waybill_no"] = waybill_validate(data["waybill_no"])
    return data


def orders_intake(
    *,
    channel: Channel,
    items: list[dict],
    at: datetime | None = None,
    actor_label: str = "",
    clocks_from_receipt: bool = False,
) -> list[ItemResult]:
    """``clocks_from_receipt`` (HQ's file imports): the accept and pickup clocks start when the order is received
    here if its order time is earlier, so an order imported hours late does not land already overdue."""
    at = at or timezone.now()
    results: list[ItemResult | None] = [None] * len(items)
    valid: list[tuple[int, dict]] = []
    for i, raw in enumerate(items):
        try:
            valid.append((i, _validate(raw, at)))
        except DomainError as exc:
            results[i] = ItemResult(
                i, "invalid", code=getattr(exc, "code", "invalid"), field=exc.field, message=str(exc.message)
            )
    # repeats inside the request: the first one stands for them
    first: dict[str, int] = {}
    fresh: list[tuple[int, dict]] = []
    later: list[tuple[int, dict, int]] = []
    for i, data in valid:
        cid = data["channel_order_id"]
        if cid in first:
            later.append((i, data, first[cid]))
        else:
            first[cid] = i
            fresh.append((i, data))
    stored = {
        o.channel_order_id: o
        for o in _orders_matching(
            "channel_id = %s AND channel_order_id = ANY(%s::text[])",
            [channel.pk, [d["channel_order_id"] for _i, d in fresh]],
        )
    }
    new: list[tuple[int, dict]] = []
    for i, data in fresh:
        existing = stored.get(data["channel_order_id"])
        if existing is None:
            try:
                channel_order_id_check(channel=channel, channel_order_id=data["channel_order_id"])
            except DomainError as exc:
                results[i] = ItemResult(i, "invalid", code=exc.code, field=exc.field, message=str(exc.message))
                continue
            new.append((i, data))
        else:
            results[i] = _repeat(i, existing, data)
    waybills = [d["waybill_no"] for _i, d in new if d.get("waybill_no")]
    holders = (
        {o.waybill_no: o for o in _orders_matching("waybill_no = ANY(%s::text[])", [waybills])} if waybills else {}
    )
    seen_waybills: set[str] = set()
    ready: list[tuple[int, dict]] = []
    for i, data in new:
        wb = data.get("waybill_no")
        holder = holders.get(wb) if wb else None
        if (
            holder is not None
            and holder.channel_id == channel.pk
            and holder.channel_order_id == data["channel_order_id"]
        ):
            # an identical copy stored by a concurrent request between the look-up of repeats and this one: the
            # waybill is held by this very order, so this is a repeat (existing, or a conflict if it differs)
            results[i] = _repeat(i, holder, data)
            continue
        if wb and (holder is not None or wb in seen_waybills):
            results[i] = ItemResult(
                i,
                "invalid",
                code="waybill_taken",
                field="waybill_no",
                message=_("Waybill number %(no)s is already used by another order.") % {"no": wb},
            )
            continue
        if wb:
            seen_waybills.add(wb)
        ready.append((i, data))
    for (i, _data), (order, error, created) in zip(
        ready, _insert(channel, ready, at, actor_label, clocks_from_receipt=clocks_from_receipt)
    ):
        if order is not None:
            results[i] = ItemResult(i, "created" if created else "existing", order=order)
        else:
            results[i] = ItemResult(
                i,
                "conflict" if isinstance(error, ContentConflict) else "invalid",
                code=getattr(error, "code", "invalid"),
                field=error.field,
                message=str(error.message),
            )
    for i, data, j in later:
        ref = results[j]
        if ref is not None and ref.order is not None:
            results[i] = _repeat(i, ref.order, data)
        else:
            results[i] = ItemResult(
                i,
                ref.status if ref else "invalid",
                code=ref.code if ref else "invalid",
                field=ref.field if ref else None,
                message=ref.message if ref else "",
            )
    return [r for r in results if r is not None]


def _orders_matching(condition: str, params: list) -> list[OnlineOrder]:
    """The stored orders (with their sites) that match an indexed condition: their ids first, by a plain
    statement, and the orders themselves only when there are any (a push of new orders, the usual case, never
    pays for building the ORM's query of every column)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM orders_onlineorder WHERE {condition}", params)
        ids = [pk for (pk,) in cursor.fetchall()]
    return list(OnlineOrder.objects.filter(pk__any=ids).select_related("site")) if ids else []


def _repeat(i: int, order: OnlineOrder, data: dict) -> ItemResult:
    differ = _same_content(order, data)
    if differ:
        return ItemResult(
            i,
            "conflict",
            order=order,
            code="conflict",
            field=differ[0],
            message=_("Order %(id)s was already received with other content (%(fields)s); send a change instead.")
            % {"id": order.channel_order_id, "fields": ", ".join(differ)},
        )
    return ItemResult(i, "existing", order=order)


def _insert(
    channel: Channel,
    ready: list[tuple[int, dict]],
    at: datetime,
    actor_label: str,
    *,
    clocks_from_receipt: bool = False,
) -> list[tuple[OnlineOrder | None, DomainError | None, bool]]:
    if not ready:
        return []
    routes = routing.route_many(
        [
            {
                "province": d.get("sender_province", ""),
                "city": d.get("sender_city", ""),
                "district": d.get("sender_district", ""),
                "address": d["sender_address"],
            }
            for _i, d in ready
        ]
    )
    orders = []
    with clock.batch():  # a thousand orders received at one moment share their provinces' deadlines
        for (_i, data), route in zip(ready, routes):
            order = _unsaved_order(channel, {"order_time": at, **data})
            order.sender_adcode, order.route_reason, order.stint = route.adcode, route.reason, 0
            stint_begin(order, site=route.site, at=clock.accept_clock_start(order.order_time, at), adcode=route.adcode)
            order.pickup_due_at = clock.pickup_deadline(order)
            order.created_at = order.updated_at = order.history_from = at  # its first event is at ``at``
            orders.append(order)
    try:
        with transaction.atomic():
            _copy_insert(orders)
            created_events_insert(orders, at=at, actor_label=actor_label or channel.name)
        return [(o, None, True) for o in orders]
    except (IntegrityError, psycopg.IntegrityError):
        for order in orders:
            order.pk = order.id = None
        # another request stored one of these a moment ago: take them one by one, each answering for itself
        # (an identical copy is the stored order, "existing"; only a real difference is a conflict)
        out = []
        for _i, data in ready:
            try:
                intake = order_create(channel=channel, data=data, at=at, actor_label=actor_label)
                out.append((intake.order, None, intake.created))
            except DomainError as exc:
                out.append((None, exc, False))
        return out


_ORDER_FIELDS = [f for f in OnlineOrder._meta.concrete_fields if f.column != "id"]
_order_values = attrgetter("pk", *(f.attname for f in _ORDER_FIELDS))  # one row of the COPY, in C
_BLANK: dict | None = None


def _unsaved_order(channel: Channel, data: dict) -> OnlineOrder:
    """``OnlineOrder(channel=channel, **data)`` for the fields a channel sends, without ``Model.__init__``'s walk
    over fifty fields per order (a third of bulk intake's Python time): the defaults of an order built once,
    then the data. Only for a model whose defaults are constants and that no init signal listens to, as
    ``OnlineOrder`` (checked on first use; otherwise the ordinary constructor)."""
    global _BLANK
    if _BLANK is None:
        plain = not (
            signals.pre_init.has_listeners(OnlineOrder)
            or signals.post_init.has_listeners(OnlineOrder)
            or any(f.has_default() and callable(f.default) for f in OnlineOrder._meta.concrete_fields)
        )
        _BLANK = {k: v for k, v in OnlineOrder().__dict__.items() if k != "_state"} if plain else {}
    if not _BLANK:
        return OnlineOrder(channel=channel, **data)
    order = OnlineOrder.__new__(OnlineOrder)
    order.__dict__.update(_BLANK)
    order.__dict__.update(data)
    order._state = ModelState()
    order.channel = channel
    return order


_COLUMN_TYPES: dict[str, list[str]] = {}


def _column_types(cursor, table: str, columns: list[str]) -> list[str]:
    """The columns' PostgreSQL types as the catalog names them (what binary COPY must be told), read once."""
    if table not in _COLUMN_TYPES:
        cursor.execute(
            "SELECT attname, atttypid::regtype::text FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        types = dict(cursor.fetchall())
        _COLUMN_TYPES[table] = [types[c] for c in columns]
    return _COLUMN_TYPES[table]


def _copy_insert(orders: list[OnlineOrder]) -> None:
    """Store the orders: their ids drawn from the table's sequence in one statement, then one binary COPY straight
    into the order table (bulk ingestion; binary: a fifth of the client's time of text COPY, and PostgreSQL parses
    no text). The repeats were looked up before; one that another request stored in between breaks the unique
    key and the whole COPY (the caller then takes the orders one by one)."""
    columns = ["id", *(f.column for f in _ORDER_FIELDS)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('orders_onlineorder', 'id')) FROM generate_series(1, %s)",
            [len(orders)],
        )
        for order, (pk,) in zip(orders, cursor.fetchall()):
            order.pk = pk
        types = _column_types(cursor, "orders_onlineorder", columns)
        with cursor.cursor.copy(f"COPY orders_onlineorder ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for order in orders:
                # plain Python values (str, bool, int, Decimal, aware datetime, None), dumped as the column's type
                copy.write_row(_order_values(order))
