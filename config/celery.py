"""The Celery app. Tasks are thin wrappers around services; every beat entry is in config/beat.py."""

import os

from celery import Celery, signals
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("q9")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_beat_schedule(sender, **kwargs):
    from config.beat import beat_schedule

    sender.conf.beat_schedule = beat_schedule()


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_unsafe_start(sender=None, **kwargs):
    from config.production import (
        refuse_unsafe_start,  # settings are loaded once the worker starts
    )

    try:
        refuse_unsafe_start("celery")
    except ImproperlyConfigured as exc:
        raise SystemExit(str(exc)) from None  # Celery logs and ignores a signal handler's ordinary exceptions


@signals.before_task_publish.connect
def _task_publishing(headers=None, **kwargs):
    from config.logs import task_published

    task_published(headers)


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs):
    from config import logs, metrics

    metrics.task_started(task_id)
    logs.task_started(task, task_id)


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    from config import logs, metrics

    seconds = metrics.task_finished(task.name if task else "?", task_id, failed=state == "FAILURE")
    logs.task_finished(task_id, state, seconds)
