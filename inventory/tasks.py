from celery import shared_task

from .services import low_stock_alerts_send


@shared_task(name="inventory.tasks.low_stock_alerts")
def low_stock_alerts() -> int:
    """Hourly: sites below a minimum level hear of it (once a day per item)."""
    return low_stock_alerts_send()
