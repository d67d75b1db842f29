"""Top-floor context: what every page needs from several apps (the pending-orders banner of a clerk)."""

from django.conf import settings

from core import scoping
from orders.selectors import pending_count


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
    return {
        "desk_pending": pending_count(site_ids=scoping.clerk_site_ids(user)),
        "desk_poll_seconds": settings.WORKBENCH_POLL_SECONDS,
    }
