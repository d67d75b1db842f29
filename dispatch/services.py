"""Writes of the site's desk outside the order workflow: the workbench refresh record."""
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from .models import SiteActivity


def site_refresh_record(*, site_id: int, user=None, at=None) -> None:
    """The site's workbench was refreshed (by a person or its own polling): one upsert."""
    at = at or timezone.now()
    SiteActivity.objects.update_or_create(site_id=site_id, defaults={"last_refresh_at": at, "last_refresh_by": user})


REFRESH_EVERY_SECONDS = 60
#: the minute this process last passed each site's gate: the rest of the minute asks nothing, not even Redis
_noted: dict[int, int] = {}


def site_refresh_note(*, site_id: int, user=None, at=None) -> bool:
    """The workbench's polling as the site's "last refresh", written at most once a minute: a cache gate per
    site and minute (most polls stop there, no SQL), then a conditional UPDATE that writes only when the
    record is a minute old or missing. Answers whether it wrote."""

    at = at or timezone.now()
    minute = int(at.timestamp()) // REFRESH_EVERY_SECONDS
    if _noted.get(site_id) == minute:
        return False
    if len(_noted) > 50_000:
        _noted.clear()
    _noted[site_id] = minute
    if not cache.add(f"q9:site-refresh:{site_id}:{minute}", 1, timeout=2 * REFRESH_EVERY_SECONDS):
        return False
    updated = SiteActivity.objects.filter(
        site_id=site_id, last_refresh_at__lte=at - timedelta(seconds=REFRESH_EVERY_SECONDS)
    ).update(last_refresh_at=at, last_refresh_by=user)
    if updated:
        return True
    _row, created = SiteActivity.objects.get_or_create(site_id=site_id,
                                                       defaults={"last_refresh_at": at, "last_refresh_by": user})
    return created
