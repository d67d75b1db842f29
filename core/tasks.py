"""Celery wrappers: take ids, call a service. Idempotent: a second run finds nothing left to do."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .selectors import HEARTBEAT_KEY
from .services import message_email_send
from .services import messages_email_backlog as send


@shared_task(name="core.tasks.message_email", autoretry_for=(OSError,), retry_backoff=30, max_retries=8)
def message_email(message_id: int) -> int:
    return message_email_send(message_id=message_id)


@shared_task(name="core.tasks.scheduler_heartbeat")
def scheduler_heartbeat() -> str:
    """Proves beat and a worker are alive: HQ's home page shows the last beat."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now


@shared_task(name="core.tasks.messages_email_backlog")
def messages_email_backlog() -> int:
    """Every 5 minutes: e-mail copies whose task never ran (a broker outage) are sent."""
    return send()


@shared_task(name="core.tasks.alerts_deliver")
def alerts_deliver() -> int:
    """Alerts due to their channels (kicked when queued; beat's run picks up retries)."""
    from .alerts import alerts_deliver as deliver

    return deliver()
