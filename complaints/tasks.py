from celery import shared_task

from .services import results_deliver as deliver
from .services import warnings_send, work_orders_overdue


@shared_task(name="complaints.tasks.results_deliver")
def results_deliver() -> int:
    """Closed work orders' results to Cainiao (kicked after each close; every 15 s by beat)."""
    return deliver()


@shared_task(name="complaints.tasks.warnings")
def warnings() -> int:
    return warnings_send()


@shared_task(name="complaints.tasks.overdue")
def overdue() -> int:
    """Every minute: work orders whose limit passed unanswered are counted late and fined (set-based)."""
    return work_orders_overdue()
