"""Celery wrappers of the retention jobs."""

from celery import shared_task

from .services import erasure_run


@shared_task(name="retention.tasks.personal_data_erase")
def personal_data_erase() -> int:
    """Erase the personal data of orders past their retention (nightly by beat, in bounded batches)."""

    run = erasure_run()
    return run.orders if run is not None else 0
