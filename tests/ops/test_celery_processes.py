"""A real Celery worker and beat on the real Redis: beat's heartbeat arrives, and a message's e-mail copy is
delivered by the worker process after the sending transaction commits."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from core.models import Message
from core.selectors import scheduler_last_heartbeat
from core.services import message_send
from devtools.stack import database_url_from_settings

BASE = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_processes(tmp_path, settings):
    from config.celery import app

    app.conf.task_always_eager = False
    outbox = tmp_path / "mail"
    outbox.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_from_settings(connection.settings_dict),
        "EMAIL_URL": "filemail://",
        "EMAIL_FILE_PATH": str(outbox),
        "BEAT_HEARTBEAT_SECONDS": "1",
        "SLA_SWEEP_SECONDS": "1",
        "VAR_DIR": str(tmp_path),
    }
    bin_dir = Path(sys.executable).parent
    procs = [
        subprocess.Popen(
            [
                str(bin_dir / "celery"),
                "-A",
                "config",
                "worker",
                "--concurrency",
                "1",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
            ],
            cwd=BASE,
            env=env,
            stdout=open(tmp_path / "worker.log", "w"),
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [
                str(bin_dir / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(tmp_path / "beat-schedule"),
            ],
            cwd=BASE,
            env=env,
        ),
    ]
    yield outbox
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(30)


def _wait(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_delivers_email_and_beat_beats(net, celery_processes):
    from django.core.cache import cache

    from core.selectors import HEARTBEAT_KEY

    cache.delete(HEARTBEAT_KEY)
    message = message_send(audience=Message.Audience.SITE, site=net.site_a, title="违规处罚明细", email=True)
    assert _wait(lambda: any(celery_processes.iterdir())), "the worker sent no e-mail"
    text = next(celery_processes.iterdir()).read_text()
    assert net.site_a.email in text and "Subject:" in text
    assert _wait(lambda: Message.objects.filter(pk=message.pk, emailed_at__isnull=False).exists(), 10)
    assert _wait(lambda: scheduler_last_heartbeat() is not None), "beat's heartbeat never arrived"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_record_a_violation_for_an_order_left_pending(net, celery_processes):
    """The order is left pending past its deadline; nobody calls the sweep: beat schedules it (every second
    here), the worker runs it, and the violation appears."""
    from datetime import timedelta

    from django.utils import timezone

    from penalties.models import Violation
    from tests.rulebook_seed import rules_seed

    from ..factories import make_order

    rules_seed()  # the transactional flush emptied the rule table
    settings_wall = {"ACCEPT_CLOCK": "wall"}
    from django.test import override_settings

    with override_settings(**settings_wall):
        order = make_order(order_time=timezone.now() - timedelta(minutes=31))
    assert order.accept_due_at < timezone.now()
    assert _wait(lambda: Violation.objects.filter(order=order, rule="LATE_ACCEPT").exists(), 60), (
        "no violation appeared: is the sweep scheduled?"
    )
    v = Violation.objects.get(order=order, rule="LATE_ACCEPT")
    assert v.site == net.site_a and v.source == "sweep"
