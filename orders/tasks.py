"""Celery wrappers of the order record."""
from celery import shared_task

from .imports import job_run
from .outbox import outbox_deliver


@shared_task(name="orders.tasks.callbacks_deliver")
def callbacks_deliver() -> int:
    """Deliver due status callbacks (kicked after each change, and every 15 seconds by beat)."""

    return outbox_deliver()


@shared_task(name="orders.tasks.import_run")
def import_run(job_id: int) -> str:
    """Import a checked file (all or nothing)."""

    return job_run(job_id=job_id).status
