"""Reads of the ground floor, already scoped to the user."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.dateparse import parse_datetime

from . import scoping
from .models import (
    AlertChannel,
    AlertMessage,
    Courier,
    District,
    Message,
    MessageRead,
    Province,
    ServiceArea,
    Site,
    User,
)

HEARTBEAT_KEY = "beat:heartbeat"  # written by core.tasks.scheduler_heartbeat, read by HQ's home page


def messages_for(*, user: User) -> QuerySet[Message]:
    """Every message the user receives, newest first, annotated with ``is_read``."""
    return (
        Message.objects.filter(scoping.message_q(user))
        .annotate(is_read=Exists(MessageRead.objects.filter(message=OuterRef("pk"), user=user)))
        .select_related("sender", "site", "province")
        .order_by("-created_at", "-id")
    )


def messages_unread_for(*, user: User) -> QuerySet[Message]:
    return Message.objects.filter(scoping.message_q(user)).exclude(
        Exists(MessageRead.objects.filter(message=OuterRef("pk"), user=user))
    )


def message_unread_count(*, user: User) -> int:
    """How many of ``messages_unread_for(user)`` there are: asked by the header's bell every minute on every open
    page and by every page's header, so written in SQL (no query compilation); ``scoping.message_q`` in SQL,
    kept equal to it by tests/core/test_messages.py for every role."""
    if not user.is_authenticated:
        return 0
    A, Role = Message.Audience, scoping.Role
    role = scoping.role_of(user)
    where, params = ["(m.audience = %s AND m.user_id = %s)"], [A.USER.value, user.pk]
    if role == Role.CLERK:
        where.append(
            f"(m.audience = %s AND m.site_id IN (SELECT id FROM {Site._meta.db_table} WHERE id = %s OR parent_id = %s))"
        )
        params += [A.SITE.value, user.site_id, user.site_id]
    elif role in (Role.LCS, Role.MANAGER) and user.province_id:
        where.append("(m.audience = %s AND m.province_id = %s)")
        params += [A.PROVINCE.value, user.province_id]
    elif role == Role.HQ:
        where.append("m.audience = %s")
        params.append(A.HQ.value)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {Message._meta.db_table} m WHERE ({' OR '.join(where)}) AND NOT EXISTS "
            f"(SELECT 1 FROM {MessageRead._meta.db_table} r WHERE r.message_id = m.id AND r.user_id = %s)",
            [*params, user.pk],
        )
        return cursor.fetchone()[0]


def sites_for(*, user: User) -> QuerySet[Site]:
    return scoping.visible_sites(user).select_related("province", "district__city", "parent")


def uncovered_districts(*, user: User) -> QuerySet[District]:
    """Districts in scope that no active site serves: orders from there go to the data center."""
    served = ServiceArea.objects.filter(district=OuterRef("pk"), site__active=True)
    return District.objects.filter(scoping.province_q(user), statistical_only=False).exclude(Exists(served))


def network_summary(*, user: User) -> dict:
    """Headline numbers of the network the user may see."""
    sites = scoping.visible_sites(user).filter(active=True)
    counts = sites.aggregate(
        total=Count("id"),
        first_level=Count("id", filter=Q(kind=Site.Kind.SITE, level=Site.Level.FIRST, parent__isnull=True)),
        second_level=Count("id", filter=Q(kind=Site.Kind.SITE, level=Site.Level.SECOND)),
        contract_areas=Count("id", filter=Q(parent__isnull=False)),
        sorting=Count("id", filter=Q(kind=Site.Kind.SORTING)),
        direct=Count("id", filter=Q(kind=Site.Kind.DIRECT)),
    )
    counts["couriers"] = Courier.objects.filter(scoping.site_ids_q(user), active=True, site__active=True).count()
    counts["districts"] = District.objects.filter(scoping.province_q(user), statistical_only=False).count()
    counts["uncovered_districts"] = uncovered_districts(user=user).count()
    return counts


def province_breakdown(*, user: User) -> list[Province]:
    """Per province in scope: active sites, first-level sites, couriers; for HQ and managers."""
    return list(
        scoping.visible_provinces(user)
        .annotate(
            site_count=Count("sites", filter=Q(sites__active=True), distinct=True),
            first_level_count=Count(
                "sites",
                filter=Q(sites__active=True, sites__kind=Site.Kind.SITE, sites__level=1, sites__parent__isnull=True),
                distinct=True,
            ),
        )
        .order_by("code")
    )


def site_detail_counts(*, site: Site) -> dict:
    return {
        "couriers": site.couriers.filter(active=True).count(),
        "contract_areas": site.contract_areas.filter(active=True).count(),
        "districts": site.service_areas.values("district").distinct().count(),
    }


def scheduler_last_heartbeat() -> datetime | None:
    value = cache.get(HEARTBEAT_KEY)
    return parse_datetime(value) if value else None


def site_search(*, q: str, limit: int = 20, near: str = "", exclude: tuple[int, ...] = ()) -> list[Site]:
    """Active pickup sites (and the data center) by code prefix or part of the name, never one of ``exclude``.
    ``near`` is the place the sites are for (an order's district code): the sites of that district first, then
    of its city, then of its province, then the data center, then the rest; without it the data center first."""
    q = (q or "").strip()
    qs = Site.objects.filter(active=True).filter(Q(kind=Site.Kind.SITE) | Q(is_data_center=True))
    if exclude:
        qs = qs.exclude(pk__in=list(exclude))
    if q:
        code = q.split()[0]
        qs = qs.filter(Q(code__startswith=code) | Q(name__icontains=q) | Q(is_data_center=True, name__icontains=q[:2]))
    near = (near or "").strip()
    if len(near) == 6 and near.isdigit():
        qs = qs.annotate(
            nearness=Case(
                When(district__adcode=near, then=Value(0)),
                When(district__adcode__startswith=near[:4], then=Value(1)),
                When(province__code=near[:2], then=Value(2)),
                When(is_data_center=True, then=Value(3)),
                default=Value(4),
                output_field=IntegerField(),
            )
        )
        return list(qs.select_related("province").order_by("nearness", "code")[:limit])
    return list(qs.select_related("province").order_by("-is_data_center", "code")[:limit])


def alert_channels_all() -> QuerySet[AlertChannel]:
    """HQ's alert channels, HQ's first, then by province, kind and id (the page shows them all: ~35 at most)."""
    return AlertChannel.objects.select_related("province").order_by(
        F("province__code").asc(nulls_first=True), "kind", "id"
    )


def alert_messages_recent() -> QuerySet[AlertMessage]:
    """The alerts sent, the newest first and the id breaking ties (paged: one a province a run at most)."""
    return AlertMessage.objects.select_related("channel", "channel__province").order_by("-created_at", "-id")
