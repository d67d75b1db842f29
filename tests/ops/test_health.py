"""Liveness and readiness: Redis down is *degraded* — 200 with the fact, never 503 — so a load
balancer following the README keeps every web replica during a Redis outage. A private redis-server is stopped
(and then frozen) and both probes are asked."""

import signal

import pytest
from django.db import connection
from django.urls import reverse

from config import views

from .test_redis_outage import private_redis  # noqa: F401 - the fixture: its own redis-server on its own port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _probe(client):
    live, ready = client.get(reverse("healthz")), client.get(reverse("readyz"))
    return (live.status_code, live.json()), (ready.status_code, ready.json())


def test_redis_up_both_probes_ok(client, private_redis):  # noqa: F811
    (live_code, live), (ready_code, ready) = _probe(client)
    assert (live_code, live["status"], live["database"]) == (200, "ok", "ok")
    assert (ready_code, ready["status"], ready["redis"], ready["migrations"]) == (200, "ok", "ok", "applied")


def test_redis_stopped_is_degraded_never_503(client, private_redis):  # noqa: F811
    private_redis.terminate()
    private_redis.wait(10)
    (live_code, live), (ready_code, ready) = _probe(client)
    assert live_code == 200 and live["status"] == "ok"
    assert ready_code == 200 and ready["status"] == "degraded" and ready["redis"] == "down"
    assert ready["database"] == "ok" and ready["migrations"] == "applied"


def test_redis_frozen_is_degraded_never_503(client, private_redis):  # noqa: F811
    private_redis.send_signal(signal.SIGSTOP)
    try:
        (live_code, _), (ready_code, ready) = _probe(client)
    finally:
        private_redis.send_signal(signal.SIGCONT)
    assert (live_code, ready_code, ready["status"]) == (200, 200, "degraded")


def test_pending_migration_is_not_ready(client, monkeypatch):
    class Plan:
        def __init__(self, connection):
            self.loader = type("L", (), {"graph": type("G", (), {"leaf_nodes": lambda self: []})()})()

        def migration_plan(self, targets):
            return [("orders", "9999_not_yet")]

    monkeypatch.setattr(views, "_migrated", False)
    monkeypatch.setattr("django.db.migrations.executor.MigrationExecutor", Plan)
    response = client.get(reverse("readyz"))
    assert response.status_code == 503 and response.json()["migrations"] == "pending"
    assert client.get(reverse("healthz")).status_code == 200  # alive: restarting it would not apply a migration


def test_database_away_fails_liveness(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    assert client.get(reverse("healthz")).status_code == 503
    assert client.get(reverse("readyz")).status_code == 503
