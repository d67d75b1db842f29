"""Celery wrappers of the order record."""
from celery import shared_task

from .imports import job_run
from .outbox import outbox_deliver
from .stats import day_counts_nightly, day_counts_recent


@shared_task(name="orders.tasks.callbacks_deliver")
def callbacks_deliver() -> int:
    """Deliver due status callbacks (kicked after each change, and every 15 seconds by beat)."""

    return outbox_deliver()


@shared_task(name="orders.tasks.import_run")
def import_run(job_id: int) -> str:
    """Import a checked file (all or nothing)."""

    return job_run(job_id=job_id).status


@shared_task(name="orders.tasks.day_counts")
def day_counts() -> int:
    """Count today's and yesterday's orders per site afresh (every 5 minutes): the dashboard's figures."""

    result = day_counts_recent()
    return -1 if result.skipped else result.rows


@shared_task(name="orders.tasks.day_counts_nightly")
def day_counts_all() -> int:
    """Count the last weeks' orders per site afresh (nightly), for orders that changed site or arrived late."""

    result = day_counts_nightly()
    return -1 if result.skipped else result.rows
