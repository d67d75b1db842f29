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
