"""Every periodic job of config/beat.py names a task the worker knows, and has an expiry."""

from config.beat import beat_schedule
from config.celery import app


def test_every_beat_entry_names_a_registered_task_with_an_expiry():
    app.loader.import_default_modules()
    entries = beat_schedule()
    assert {"order-day-counts", "order-day-counts-nightly", "sla-sweep"} <= set(entries)
    for name, entry in entries.items():
        assert entry["task"] in app.tasks, name
        assert entry["options"]["expires"] > 0, name


MINUTE = {
    "scheduler-heartbeat",
    "sla-sweep",
    "work-orders-overdue",
    "callbacks-deliver",
    "order-day-counts",
    "work-order-results",
    "work-order-warnings",
    "unscanned-reminders",
    "escalations",
    "alerts-deliver",
}


def _queue(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_the_minutes_work_and_bulk_work_go_to_their_own_queues():
    """Monday's 20,000 notice PDFs never queue in front of the SLA sweep."""
    app.loader.import_default_modules()
    entries = beat_schedule()
    assert MINUTE <= set(entries)
    for name, entry in entries.items():
        assert _queue(entry["task"]) == ("minute" if name in MINUTE else "bulk"), name
    for bulk in (
        "penalties.tasks.notice_send",
        "penalties.tasks.weekly_reports",
        "orders.tasks.import_run",
        "orders.tasks.day_counts_days",
        "core.tasks.message_email",
        "people.welcome_mail",
    ):
        assert _queue(bulk) == "bulk", bulk
    assert {q.name for q in app.amqp.queues.values()} == {"minute", "bulk"}  # a worker without -Q takes both
