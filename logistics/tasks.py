"""Celery wrappers of the tracking feed."""

from celery import shared_task

from .partitions import scan_months_maintain


@shared_task(name="logistics.tasks.scan_months")
def scan_months() -> dict:
    """Create the coming months' scan partitions and archive those past the horizon (daily by beat)."""

    return scan_months_maintain()
