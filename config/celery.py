"""The Celery app. Tasks are thin wrappers around services; every beat entry is in config/beat.py."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("q9")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_beat_schedule(sender, **kwargs):
    from config.beat import beat_schedule

    sender.conf.beat_schedule = beat_schedule()
