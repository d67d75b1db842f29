"""Who may see what: the one place that decides it (SPEC §1).

- site clerk: own site and its contract areas;
- province LCS: own province;
- HQ e-commerce team: everything;
- manager: own province, or everything when attached to no province (read-only).

Every list, detail page, export and action filters through these functions; an object outside the
caller's scope is simply not in the queryset, so views answer 404. Role checks (403) are
``role_required``; scope checks (404) are the querysets here.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .models import Message, Province, Site, User

Role = User.Role


def role_of(user) -> str:
    """The user's role; a superuser without a role acts as HQ, an anonymous user has none."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser and not user.role:
        return Role.HQ
    return user.role


def is_national(user) -> bool:
    role = role_of(user)
    return role == Role.HQ or (role == Role.MANAGER and user.province_id is None)


def site_ids_q(user, field: str = "site") -> Q:
    """A Q over any model's site foreign key (``field``) limiting it to the user's scope: a clerk's sites
    (``clerk_site_ids``: the site and its contract areas), an LCS's or province manager's province, everything
    for national roles."""
    role = role_of(user)
    if is_national(user):
        return Q()
    if role in (Role.LCS, Role.MANAGER):
        return Q(**{f"{field}__province_id": user.province_id})
    if role == Role.CLERK:
        return Q(**{f"{field}_id__in": clerk_site_ids(user)})
    return Q(pk__in=[])


def province_q(user, field: str = "province") -> Q:
    """A Q over any model's province foreign key limiting it to the user's scope."""
    role = role_of(user)
    if is_national(user):
        return Q()
    if role in (Role.LCS, Role.MANAGER):
        return Q(**{f"{field}_id": user.province_id})
    if role == Role.CLERK:
        return Q(**{f"{field}_id": user.site.province_id})
    return Q(pk__in=[])


def visible_sites(user) -> QuerySet[Site]:
    role = role_of(user)
    if is_national(user):
        return Site.objects.all()
    if role in (Role.LCS, Role.MANAGER):
        return Site.objects.filter(province_id=user.province_id)
    if role == Role.CLERK:
        return Site.objects.filter(Q(pk=user.site_id) | Q(parent_id=user.site_id))
    return Site.objects.none()


def visible_provinces(user) -> QuerySet[Province]:
    if is_national(user):
        return Province.objects.all()
    role = role_of(user)
    if role in (Role.LCS, Role.MANAGER):
        return Province.objects.filter(pk=user.province_id)
    if role == Role.CLERK:
        return Province.objects.filter(pk=user.site.province_id)
    return Province.objects.none()


def message_q(user) -> Q:
    """Messages the user receives: addressed to them, their site (clerks, contract areas included), their
    province (LCS and province managers) or HQ (the HQ team)."""
    role = role_of(user)
    q = Q(audience=Message.Audience.USER, user_id=user.pk)
    if role == Role.CLERK:
        q |= Q(audience=Message.Audience.SITE) & (Q(site_id=user.site_id) | Q(site__parent_id=user.site_id))
    elif role in (Role.LCS, Role.MANAGER) and user.province_id:
        q |= Q(audience=Message.Audience.PROVINCE, province_id=user.province_id)
    elif role == Role.HQ:
        q |= Q(audience=Message.Audience.HQ)
    return q


def role_required(*roles: str):
    """View decorator: only these roles may use the view (403 otherwise). Anonymous users go to login."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = tuple(roles)
        return wrapper

    return decorate


def unit_q(user, *, site_field: str = "site", province_field: str = "province") -> Q:
    """A Q over a row that carries both a site and a province column (orders, violations, work orders): as
    ``site_ids_q``, but LCS and province managers read the row's own province column (one index, no join)."""
    role = role_of(user)
    if role in (Role.LCS, Role.MANAGER) and not is_national(user):
        return Q(**{f"{province_field}_id": user.province_id})
    return site_ids_q(user, site_field)


def clerk_site_ids(user) -> list[int]:
    """The clerk's site and its contract areas (cached on the user object for the request)."""
    cached = getattr(user, "_q9_site_ids", None)
    if cached is None:
        cached = [user.site_id, *Site.objects.filter(parent_id=user.site_id).values_list("pk", flat=True)]
        user._q9_site_ids = cached
    return cached


def sees_one_site(user) -> bool:
    """A clerk bound to one site (no contract areas under it): every list shows that site only, so its pages drop
    the site column and the site-code filter (``core.tables.ListTable``, ``core.filters.ListFilter``)."""
    return role_of(user) == Role.CLERK and len(clerk_site_ids(user)) == 1


def clerk_sites_sql(user) -> tuple[str, list[int]]:
    """``clerk_site_ids`` as an SQL subquery and its parameters (the site and the sites whose parent it is), for
    a statement that must not spend a query of its own on them (the workbench's conditional poll)."""
    table = Site._meta.db_table
    return f"SELECT id FROM {table} WHERE id = %s OR parent_id = %s", [user.site_id, user.site_id]


def may_operate_site(user, site_id: int) -> bool:
    """Whether the user may operate orders held by this site: its clerks (and the parent's for a contract
    area) and HQ."""
    role = role_of(user)
    if role == Role.HQ:
        return True
    return role == Role.CLERK and site_id in clerk_site_ids(user)
