"""Celery wrappers of the site's desk: take ids, call a service; idempotent."""

from celery import shared_task

from .reminders import deadline_warnings_send, unscanned_reminders_send


@shared_task(name="dispatch.tasks.unscanned_reminders")
def unscanned_reminders() -> int:
    """站点未揽收: remind sites 30 minutes before their service hours end (once a day each)."""
    return unscanned_reminders_send()


@shared_task(name="dispatch.tasks.deadline_warnings")
def deadline_warnings() -> int:
    """Early warnings: accept deadline in 10 minutes, pickup deadline in 2 hours."""
    return deadline_warnings_send()
