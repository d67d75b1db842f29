"""New-order alerts: the conditional poll of 网点接单's rows. The page (and every other page of a clerk, while
the tab is open) asks ``dispatch:workbench_rows`` every ``WORKBENCH_POLL_SECONDS`` with the ETag of what it
last saw; when the site's queue has not changed the answer is an empty 304, costing one small aggregate over
the partial index of pending orders and no rendering. The browser side (``static/js/desk.js``) plays the
vendored sound, shows a desktop notification and counts the orders in the tab title."""

from __future__ import annotations

import hashlib

from django.db import connection
from django.http import HttpResponse
from django.utils.translation import get_language

from core import scoping
from orders.models import OnlineOrder, OrderState


def pending_version(*, user, page: int = 1, query: str = "") -> str:
    """A strong ETag of the clerk's pending queue: changes when an order arrives, leaves or is changed. One
    statement (the clerk's sites as a subquery), in SQL: an unchanged poll costs the user's row and this, and
    no query compilation (tests/dispatch/test_poll_cost.py). ``query`` is the page's query string (its filters):
    a filtered page has a validator of its own."""
    sites, params = scoping.clerk_sites_sql(user)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), coalesce(sum(id), 0), max(updated_at) FROM {OnlineOrder._meta.db_table} "
            f"WHERE state = %s AND site_id IN ({sites})",
            [OrderState.PENDING, *params],
        )
        n, ids, touched = cursor.fetchone()
    touched = touched.isoformat() if touched else "-"
    raw = f"{user.site_id}|{page}|{query}|{get_language()}|{n}|{ids}|{touched}"
    return '"' + hashlib.blake2b(raw.encode(), digest_size=12).hexdigest() + '"'


def is_fresh(request, version: str) -> bool:
    """Whether the client already holds this version (``If-None-Match``)."""
    sent = request.headers.get("If-None-Match", "")
    return bool(sent) and version in [tag.strip() for tag in sent.split(",")]


def not_modified(version: str) -> HttpResponse:
    response = HttpResponse(status=304)
    response["ETag"] = version
    response["Cache-Control"] = "no-store"
    return response
