"""Celery wrappers of the retention jobs."""

from celery import shared_task

from .partitions import partitions_maintain
from .services import erasure_run


@shared_task(name="retention.tasks.personal_data_erase")
def personal_data_erase() -> int:
    """Erase the personal data of orders past their retention (nightly by beat, in bounded batches)."""

    run = erasure_run()
    return run.orders if run is not None else 0


@shared_task(name="retention.tasks.partition_months")
def partition_months() -> dict:
    """Create the coming months' partitions of every partitioned table and archive those past the horizon (daily by
    beat); check the references kept without a database foreign key."""

    return partitions_maintain()
