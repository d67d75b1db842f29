"""Starting Celery jobs from services, by the task's name.

Tasks are thin wrappers that import services; services never import task modules (that was a cycle). A service
that wants a job run after its transaction commits names the task here. The work itself is always in the
database first (outbox rows, e-mail flags), so a broker that is down only delays it: beat's periodic sweeps
pick up what a failed publish left behind, and the caller's request never fails because of the broker.
"""

import logging

from celery import current_app
from django.db import transaction

from .broker import kick

logger = logging.getLogger(__name__)


def _task(name: str):
    tasks = current_app.tasks
    if name not in tasks:
        current_app.loader.import_default_modules()  # Celery's autodiscovery of every app's tasks module
    return tasks[name]


def publish(name: str, *args) -> bool:
    """Send the job now, with the broker's short timeouts (``core.broker.kick``); False (logged) when the broker
    could not take it."""
    return kick(_task(name), *args)


def publish_on_commit(name: str, *args) -> None:
    """Send the job once the current transaction has committed (at once outside a transaction)."""
    transaction.on_commit(lambda: publish(name, *args))
