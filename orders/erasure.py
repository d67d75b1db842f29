"""Erasure of the consumer's personal data from closed orders (PIPL; the retention setting and its run live in
``retention``): the names, phones, street addresses and free text of the order, of its history and of the status
callbacks sent about it, and the sender's identity document of its 实名收寄 check. What statistics, the rule book and the ledger read stays: times, states, sites, the
province, city and district, the district code, goods and weight, waybill and channel numbers."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from .events import events_erase_personal
from .models import OnlineOrder, OrderState, OutboxMessage, SenderIdCheck

#: the order's own fields that name or reach a person; each is emptied
PERSONAL_FIELDS = (
    "sender_name",
    "sender_phone",
    "sender_address",
    "receiver_name",
    "receiver_phone",
    "receiver_address",
    "remark",
    "fail_text",
)
CLOSED_STATES = (OrderState.PICKED_UP, OrderState.PICKUP_FAILED, OrderState.ACCEPT_FAILED, OrderState.CANCELLED)


def orders_erasable(
    *, closed_before: datetime, after: tuple[datetime, int] | None = None, limit: int
) -> list[tuple[int, datetime, str]]:
    """Up to ``limit`` orders not yet erased that closed before ``closed_before``, oldest first after the key
    ``after`` (order time, id), locked for the caller's transaction (others' locks skipped): (id, order time,
    waybill). An order closes at its last change; one reopened or still open is not erasable."""
    table = OnlineOrder._meta.db_table
    sql = f"""
        SELECT id, order_time, coalesce(waybill_no, '') FROM {table}
        WHERE erased_at IS NULL AND order_time < %(cut)s AND (order_time, id) > (%(t)s, %(id)s)
          AND state = ANY(%(closed)s)
          AND greatest(order_time, picked_up_at, failed_at, cancelled_at, cancel_handled_at, updated_at) < %(cut)s
        ORDER BY order_time, id LIMIT %(n)s
        FOR NO KEY UPDATE SKIP LOCKED"""
    t, pk = after or (datetime(1970, 1, 1, tzinfo=closed_before.tzinfo), 0)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"cut": closed_before, "t": t, "id": pk, "closed": list(CLOSED_STATES), "n": limit})
        return cursor.fetchall()


def orders_erase_personal(*, order_ids: list[int], at: datetime) -> dict[str, int]:
    """Erase the personal data of these orders (the caller's transaction, rows locked by ``orders_erasable``):
    the order's fields, its events' free text and changed values, and the payloads of callbacks no longer
    pending. Idempotent: an order erased before is left as it is. Returns the rows changed per table."""
    ids = list(order_ids)
    if not ids:
        return {"orders": 0, "events": 0, "callbacks": 0, "id_checks": 0}
    sets = ", ".join(f"{field} = ''" for field in PERSONAL_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {OnlineOrder._meta.db_table} SET {sets}, erased_at = %s WHERE id = ANY(%s) AND erased_at IS NULL",
            [at, ids],
        )
        orders = cursor.rowcount
        cursor.execute(
            f"UPDATE {OutboxMessage._meta.db_table} SET payload = '{{}}'::jsonb "
            "WHERE order_id = ANY(%s) AND status <> %s AND payload <> '{}'::jsonb",
            [ids, OutboxMessage.Status.PENDING],
        )
        callbacks = cursor.rowcount
        # 实名收寄: the document's number and name (encrypted), its masked number and the phone's digest go; that the
        # check was made, with which kind of document, when and by whom, stays
        cursor.execute(
            f"UPDATE {SenderIdCheck._meta.db_table} SET number_encrypted = '', name_encrypted = '', "
            "number_masked = '', phone_digest = '' WHERE order_id = ANY(%s) AND number_encrypted <> ''",
            [ids],
        )
        id_checks = cursor.rowcount
    return {
        "orders": orders,
        "events": events_erase_personal(order_ids=ids),
        "callbacks": callbacks,
        "id_checks": id_checks,
    }
