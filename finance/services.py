"""Writes of the ledger: append entries, never change them. Idempotent by each entry's key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from core import clock

from .models import ClosedMonth, LedgerEntry

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """A Decimal rounded half up to the cent (四舍五入), never Python's round."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _local_month(at: datetime) -> date:
    return at.astimezone(clock.tz()).date().replace(day=1)


def closed_months() -> set[date]:
    return set(ClosedMonth.objects.values_list("month", flat=True))


def open_month(at: datetime, closed: set[date] | None = None) -> date:
    """The first month, from ``at``'s on, whose statements have not been issued."""
    closed = closed_months() if closed is None else closed
    month = _local_month(at)
    while month in closed:
        month = clock.month_add(month, 1)
    return month


def posting_month(concerns: date, at: datetime, closed: set[date] | None = None) -> date:
    """Where an entry that concerns ``concerns`` is booked at ``at``: in that month while its statements are not
    issued; afterwards in the first open month (the statement lists it as a correction of ``concerns``)."""
    closed = closed_months() if closed is None else closed
    return concerns if concerns not in closed else open_month(at, closed)


def month_close(*, month: date, at: datetime | None = None) -> bool:
    """The month's statements are issued: nothing is posted into it any more. Once."""
    _obj, created = ClosedMonth.objects.get_or_create(month=month, defaults={"closed_at": at or timezone.now()})
    return created


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
    closed = closed_months()
    rows = [
        (
            e.site_id,
            e.province_id,
            e.month,
            posting_month(e.month, at, closed),
            e.kind,
            e.heading,
            e.code,
            money(e.amount),
            e.source_type,
            e.source_id,
            e.key,
            e.note[:300],
            at,
        )
        for e in entries
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO finance_ledgerentry (site_id, province_id, month, posted_month, kind, heading, code, amount, "
            "source_type, source_id, key, note, created_at) "
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::date[], %s::varchar[], %s::varchar[], "
            "%s::varchar[], %s::numeric[], %s::varchar[], %s::bigint[], %s::varchar[], %s::varchar[], %s::timestamptz[]) "
            "ON CONFLICT (key) DO NOTHING",
            [list(col) for col in zip(*rows)],
        )
        return max(cursor.rowcount, 0)


#: the columns a caller's query names for ``entries_record_query``
ENTRY_COLUMNS = ("site_id", "province_id", "month", "kind", "heading", "code", "amount", "source_type", "source_id")
ENTRY_COLUMNS += ("key", "note")

_FROM_QUERY = """
INSERT INTO {table} (site_id, province_id, month, posted_month, kind, heading, code, amount, source_type, source_id,
                     key, note, created_at)
SELECT s.site_id, s.province_id, s.month,
       CASE WHEN EXISTS (SELECT 1 FROM {closed} c WHERE c.month = s.month) THEN %s ELSE s.month END,
       s.kind, s.heading, s.code, round(s.amount, 2), s.source_type, s.source_id, s.key, left(s.note, 300), %s
FROM ({select}) s
ON CONFLICT (key) DO NOTHING"""

_REVERSALS = """
SELECT e.site_id, e.province_id, e.month, 'reversal' AS kind, e.heading, e.code, -e.amount AS amount, e.source_type,
       r.source_id, 'reversal:' || e.source_type || ':' || r.source_id AS key, r.note
FROM ({select}) r JOIN {table} e ON e.key = 'fine:' || %s || ':' || r.source_id"""


def _insert_from(select: str, params, at: datetime) -> int:
    sql = _FROM_QUERY.format(table=LedgerEntry._meta.db_table, closed=ClosedMonth._meta.db_table, select=select)
    with connection.cursor() as cursor:
        cursor.execute(sql, [open_month(at), at, *params])
        return max(cursor.rowcount, 0)


def entries_record_query(query: QuerySet, *, at: datetime | None = None) -> int:
    """Append the entries a caller's query yields, in one statement (set-based: the rule book's fines for a whole
    month at once). ``query`` is a QuerySet over the caller's own rows whose values are named ``ENTRY_COLUMNS``;
    the ledger compiles it into its own INSERT, adds the posting month (the month concerned while its statements
    are not issued, else the first open one), rounds to the cent and stamps the time. An entry whose key exists is
    skipped. Returns how many were written."""
    select, params = query.values(*ENTRY_COLUMNS).query.sql_with_params()
    return _insert_from(select, params, at or timezone.now())


def reversals_record_query(query: QuerySet, *, source_type: str, at: datetime | None = None) -> int:
    """A reversing entry for the fine of each row a caller's query yields (values ``source_id`` and ``note``): the
    ledger finds the fine (key ``fine:<source_type>:<id>``) and writes its negation in the fine's month, keyed
    ``reversal:<source_type>:<id>``; a row that was never fined writes nothing. Returns how many were written."""
    inner, params = query.values("source_id", "note").query.sql_with_params()
    select = _REVERSALS.format(select=inner, table=LedgerEntry._meta.db_table)
    return _insert_from(select, [*params, source_type], at or timezone.now())
