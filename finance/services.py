"""Writes of the ledger: append entries, never change them. Idempotent by each entry's key."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils import timezone

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """A Decimal rounded half up to the cent (四舍五入), never Python's round."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Entry:
    site_id: int
    province_id: int
    month: date
    kind: str
    code: str
    amount: Decimal
    key: str
    heading: str = "online"
    source_type: str = ""
    source_id: int | None = None
    note: str = ""


def entries_record(entries: list[Entry], *, at: datetime | None = None) -> int:
    """Append entries in one statement; an entry whose key exists is skipped. Returns how many were written."""
    if not entries:
        return 0
    at = at or timezone.now()
    rows = [(e.site_id, e.province_id, e.month, e.kind, e.heading, e.code, money(e.amount), e.source_type,
             e.source_id, e.key, e.note[:300], at) for e in entries]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO finance_ledgerentry (site_id, province_id, month, kind, heading, code, amount, source_type, "
            "source_id, key, note, created_at) "
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::varchar[], %s::varchar[], %s::varchar[], "
            "%s::numeric[], %s::varchar[], %s::bigint[], %s::varchar[], %s::varchar[], %s::timestamptz[]) "
            "ON CONFLICT (key) DO NOTHING",
            [list(col) for col in zip(*rows)],
        )
        return max(cursor.rowcount, 0)


