"""Reads of the site's desk that are not about one order: sites whose workbench went silent."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet

from core import clock, scoping
from core.models import Site, User

from .models import SiteActivity

SILENT_MINUTES = 20


def silent_sites(*, user: User, at: datetime) -> QuerySet[Site]:
    """Active pickup sites in the user's scope, in provinces now inside service hours, whose workbench has not
    been refreshed for 20 minutes (or ever)."""
    open_provinces = [p.pk for p in scoping.visible_provinces(user) if clock.in_service_hours(p, at)]
    cutoff = at - timedelta(minutes=SILENT_MINUTES)
    recent = SiteActivity.objects.filter(site=OuterRef("pk"), last_refresh_at__gte=cutoff)
    return (
        scoping.visible_sites(user)
        .filter(active=True, kind=Site.Kind.SITE, is_data_center=False, province_id__in=open_provinces)
        .exclude(Exists(recent))
        .select_related("province", "activity")
        .order_by("province__code", "code")
    )
