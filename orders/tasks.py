"""Celery wrappers of the order record."""

from datetime import date

from celery import shared_task

from .imports import job_check, job_run
from .outbox import outbox_deliver
from .stats import day_counts_nightly, day_counts_recent, day_counts_refresh


@shared_task(name="orders.tasks.callbacks_deliver")
def callbacks_deliver() -> int:
    """Deliver due status callbacks (kicked after each change, and every 15 seconds by beat)."""
    return outbox_deliver()


@shared_task(name="orders.tasks.import_check")
def import_check(job_id: int) -> str:
    """Read and check an uploaded file (every row; nothing imported)."""
    return job_check(job_id=job_id).status


@shared_task(name="orders.tasks.import_run")
def import_run(job_id: int) -> str:
    """Import a checked file (all or nothing)."""
    return job_run(job_id=job_id).status


@shared_task(name="orders.tasks.day_counts")
def day_counts() -> int:
    """Count today's and yesterday's orders per site afresh (every 5 minutes): the dashboard's figures."""
    result = day_counts_recent()
    return -1 if result.skipped else result.rows


@shared_task(name="orders.tasks.day_counts_nightly", bind=True, max_retries=30)
def day_counts_all(self) -> int:
    """Count the last weeks' orders per site afresh (nightly), for orders that changed site or arrived late; if a
    5-minute count holds the lock, again two minutes later (up to an hour), so the night's count is not lost."""
    result = day_counts_nightly()
    if result.skipped:
        raise self.retry(countdown=120)
    return result.rows


@shared_task(name="orders.tasks.day_counts_days")
def day_counts_days(days: list[str]) -> int:
    """Count these days afresh (ISO dates): the days of an import of older orders."""
    result = day_counts_refresh(days=[date.fromisoformat(d) for d in days])
    return -1 if result.skipped else result.rows
