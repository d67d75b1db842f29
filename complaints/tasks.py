from celery import shared_task


@shared_task(name="complaints.tasks.results_deliver")
def results_deliver() -> int:
    """Closed work orders' results to Cainiao (kicked after each close; every 15 s by beat)."""
    from .services import results_deliver as deliver

    return deliver()


@shared_task(name="complaints.tasks.warnings")
def warnings() -> int:
    from .services import warnings_send

    return warnings_send()


@shared_task(name="complaints.tasks.overdue")
def overdue() -> int:
    """Every minute: work orders whose limit passed unanswered are counted late and fined (set-based)."""
    from .services import work_orders_overdue

    return work_orders_overdue()
