"""The tracking scans' file import (registered with ``orders.imports`` by this app's AppConfig)."""

from django.core.cache import cache
from django.utils.translation import gettext as _

from .services import scans_ingest


def scans_import(*, job, records: list[dict], progress_key: str) -> str:
    stored = completed = 0
    for start in range(0, len(records), 1000):
        result = scans_ingest(scans=records[start : start + 1000], source="import")
        if result.rejected:  # the check before the import refuses what the feed refuses: all or nothing still
            raise ValueError(f"scan rows refused after the check: {result.rejected[:3]}")
        stored += result.stored
        completed += result.completed_orders
        cache.set(progress_key, start + 1000, timeout=3600)
    return _("%(stored)s scans stored (repeats skipped), %(completed)s pickups completed.") % {
        "stored": f"{stored:,}",
        "completed": f"{completed:,}",
    }
