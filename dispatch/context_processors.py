from . import scoping
from .navigation import nav_for
from .selectors import message_unread_count
from .typed import typed_pop


def desk(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
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
        "desk_typed": typed_pop(request),
    }
