"""The header search: one box that finds orders by 物流号, 运单号, the sender's or receiver's phone (whole, or its
last 4 digits) or name (exactly), within what the user may see, newest first.

Each reading of the query is its own indexed lookup (the unique waybill index, the 物流号 index, the B-trees on
``right(phone, 4)`` and on the names, each with ``order_time DESC``), limited and merged here: an ``OR`` across
columns would defeat the indexes at 10 million orders. No contrib extension (pg_trgm) is needed."""

from __future__ import annotations

import re
import unicodedata

from django.db.models import QuerySet
from django.db.models.functions import Right

from core.parsing import is_digits

from .models import OnlineOrder
from .selectors import orders_for

LIMIT = 50
MAX_QUERY = 64


def _readings(qs: QuerySet, q: str) -> list[QuerySet]:
    lookups = [qs.filter(channel_order_id=q), qs.filter(waybill_no=q)]
    phone = q
    if re.fullmatch(r"\+?[0-9-]+", q):  # 138-1234-5678, +86 138…
        phone = re.sub(r"[^0-9]", "", q)
        phone = phone[2:] if phone.startswith("86") and len(phone) == 13 else phone
    if is_digits(phone) and len(phone) == 4:
        lookups += [
            qs.alias(p4=Right("sender_phone", 4)).filter(p4=phone),
            qs.alias(p4=Right("receiver_phone", 4)).filter(p4=phone),
        ]
    elif is_digits(phone) and len(phone) >= 7:  # a whole phone number: its last 4 digits lead to it by the same index
        lookups += [
            qs.alias(p4=Right("sender_phone", 4)).filter(p4=phone[-4:], sender_phone=phone),
            qs.alias(p4=Right("receiver_phone", 4)).filter(p4=phone[-4:], receiver_phone=phone),
        ]
    if not re.search(r"[0-9]", q):
        lookups += [qs.filter(sender_name=q), qs.filter(receiver_name=q)]
    return lookups


def order_search(*, user, q: str, limit: int = LIMIT) -> list[OnlineOrder]:
    """At most ``limit`` orders the user may see that match ``q`` in any of its readings, newest first."""
    typed = re.sub(r"\s+", "", q or "")[:MAX_QUERY]
    if not typed:
        return []
    # full-width digits and letters (a Chinese input method's １３８…) also read as the ASCII ones they stand for;
    # what was typed is looked up as typed too (a name or id stored with full-width characters)
    plain = unicodedata.normalize("NFKC", typed)[:MAX_QUERY]
    base = orders_for(user=user)
    found: dict[int, OnlineOrder] = {}
    readings = _readings(base, plain) + (_readings(base, typed) if typed != plain else [])
    for lookup in readings:
        for order in lookup.order_by("-order_time")[:limit]:
            found.setdefault(order.pk, order)
    return sorted(found.values(), key=lambda o: (o.order_time, o.pk), reverse=True)[:limit]
