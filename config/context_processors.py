"""Top-floor context: what every page needs from several apps (the pending-orders banner of a clerk and its live
deadline warnings)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core import scoping
from orders.selectors import pending_count, pickup_due_soon_count

# the passing warnings of the header (live, never stored as messages): an accept deadline within 10 minutes (counted
# in the browser from the polled queue, static/js/desk.js) and a pickup deadline within 2 hours (counted here)
PICKUP_SOON = timedelta(hours=2)


def pending_orders(request):
    """Once per request (see ``core.context_processors.desk``)."""
    known = getattr(request, "_pending_context", None)
    if known is None:
        known = request._pending_context = _pending_orders(request)
    return known


def _pending_orders(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or scoping.role_of(user) != scoping.Role.CLERK:
        return {}
    site_ids = scoping.clerk_site_ids(user)
    return {
        "desk_pending": pending_count(site_ids=site_ids),
        "desk_pickup_soon": pickup_due_soon_count(site_ids=site_ids, at=timezone.now(), within=PICKUP_SOON),
        "desk_poll_seconds": settings.WORKBENCH_POLL_SECONDS,
    }
