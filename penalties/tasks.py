"""Celery wrappers of the rule book. Each is idempotent; the advisory lock makes overlapping runs skip."""
from celery import shared_task


@shared_task(name="penalties.tasks.sla_sweep")
def sla_sweep() -> int:
    from .sweep import sla_sweep_due

    result = sla_sweep_due()
    return -1 if result.skipped else result.inserted
