"""Reads of the ground floor, already scoped to the user."""
from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.dateparse import parse_datetime

from . import scoping
from .models import (
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
    if not user.is_authenticated:
        return 0
    return messages_unread_for(user=user).count()


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




def site_search(*, q: str, limit: int = 20) -> list[Site]:
    """Active pickup sites (and the data center) by code prefix or part of the name."""
    q = (q or "").strip()
    qs = Site.objects.filter(active=True).filter(Q(kind=Site.Kind.SITE) | Q(is_data_center=True))
    if q:
        code = q.split()[0]
        qs = qs.filter(Q(code__startswith=code) | Q(name__icontains=q) | Q(is_data_center=True, name__icontains=q[:2]))
    return list(qs.select_related("province").order_by("-is_data_center", "code")[:limit])
