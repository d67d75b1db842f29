"""New-order alerts: the conditional poll of 网点接单's rows. The page (and every other page of a clerk, while
the tab is open) asks ``dispatch:workbench_rows`` every ``WORKBENCH_POLL_SECONDS`` with the ETag of what it
last saw; when the site's queue has not changed the answer is an empty 304, costing one small aggregate over
the partial index of pending orders and no rendering. The browser side (``static/js/desk.js``) plays the
vendored sound, shows a desktop notification and counts the orders in the tab title."""
from __future__ import annotations

import hashlib

from django.db.models import Count, Max, Sum
from django.http import HttpResponse
from django.utils.translation import get_language

from core import scoping
from orders.models import OnlineOrder, OrderState


def pending_version(*, user) -> str:
    """A strong ETag of the clerk's pending queue: changes when an order arrives, leaves or is changed."""
    ids = scoping.clerk_site_ids(user)
    agg = (OnlineOrder.objects.filter(site_id__in=ids, state=OrderState.PENDING)
           .aggregate(n=Count("id"), ids=Sum("id"), touched=Max("updated_at")))
    touched = agg["touched"].isoformat() if agg["touched"] else "-"
    raw = f"{user.site_id}|{get_language()}|{agg['n']}|{agg['ids'] or 0}|{touched}"
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
