"""Celery wrappers of the site's desk: take ids, call a service; idempotent."""

from celery import shared_task

from .reminders import unscanned_reminders_send


@shared_task(name="dispatch.tasks.unscanned_reminders")
def unscanned_reminders() -> int:
    """站点未揽收: remind sites 30 minutes before their service hours end (once a day each)."""
    return unscanned_reminders_send()


@shared_task(name="dispatch.tasks.escalations")
def escalations() -> dict:
    """Every minute: silent sites whose orders run out of time, and callbacks given up, alerted to the teams."""
    from .escalation import escalations_run

    return escalations_run()
