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
