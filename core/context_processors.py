from . import scoping
from .broker import degraded as broker_degraded
from .kept_input import typed_pop
from .navigation import nav_for
from .rediscache import degraded as cache_degraded
from .selectors import message_unread_count


def desk(request):
    """The header's context, computed once per request: a page that renders a second template with the request
    (a django-tables2 table does) would otherwise count the unread messages again."""
    known = getattr(request, "_desk_context", None)
    if known is not None:
        return known
    request._desk_context = _desk(request)
    return request._desk_context


def _desk(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"desk_typed": typed_pop(request)}  # the sign-in and password pages' forms too
    role = scoping.role_of(user)
    if role == scoping.Role.CLERK:
        unit = user.site
    elif user.province_id:
        unit = user.province
    else:
        unit = None
    return {
        "desk_role": role,
        "desk_role_label": scoping.Role(role).label if role else "",
        "desk_unit": unit,
        "desk_nav": nav_for(role),
        "desk_unread": message_unread_count(user=user),
        "desk_degraded": _degraded(),
        "desk_typed": typed_pop(request),
    }


def _degraded() -> bool:
    """Redis (cache or broker) failed a moment ago: the pages say so instead of failing."""
    return cache_degraded() or broker_degraded()
