"""Writes of the site's desk outside the order workflow: the workbench refresh record."""
from django.utils import timezone

from .models import SiteActivity


def site_refresh_record(*, site_id: int, user=None, at=None) -> None:
    """The site's workbench was refreshed (by a person or its own polling): one upsert."""
    at = at or timezone.now()
    SiteActivity.objects.update_or_create(site_id=site_id, defaults={"last_refresh_at": at, "last_refresh_by": user})
