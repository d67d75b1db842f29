"""/metrics: the Prometheus text format, parsed with prometheus_client's own parser, behind a bearer token; request
rate and latency per view, database time per view, Celery queue depth per queue, task runtimes and failures, and
the business gauges an operator pages on."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from core.tasks import scheduler_heartbeat
from penalties.models import SweepRun

from .factories import make_order

TOKEN = "scrape-token-0123456789"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return {"Authorization": f"Bearer {TOKEN}"}


def _scrape(client, headers) -> dict:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=")
    families = {f.name: f for f in text_string_to_metric_families(response.content.decode())}
    return families


def _samples(family, name=None):
    return [s for s in family.samples if name is None or s.name == name]


def test_metrics_need_the_token(client, settings):
    assert client.get("/metrics").status_code == 404  # no token configured: nothing to scrape
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_scraped_and_parsed(net, client, token):
    SweepRun.objects.create(
        started_at=timezone.now() - timedelta(seconds=75),
        since=timezone.now() - timedelta(minutes=5),
        until=timezone.now() - timedelta(seconds=75),
        duration_ms=5000,
    )
    make_order()  # pending in Zhejiang
    scheduler_heartbeat.delay()  # eager: counted by the task signals
    client.force_login(net.hq, backend="core.auth.UserBackend")
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    families = _scrape(client, token)

    # requests per view (django-prometheus) and their database time (ours)
    by_view = _samples(families["django_http_requests_latency_seconds_by_view_method"], None)
    assert any(s.labels.get("view") == "home" for s in by_view)
    assert any(
        s.labels.get("view") == "home"
        for s in _samples(families["django_http_requests_total_by_view_transport_method"])
    )
    db = [s for s in _samples(families["q9_request_db_seconds"]) if s.labels.get("view") == "home"]
    assert db and max(s.value for s in db if s.name.endswith("_count")) >= 1
    # Celery: both queues, the task just run
    depth = {s.labels["queue"]: s.value for s in _samples(families["q9_celery_queue_depth"])}
    assert set(depth) == {"minute", "bulk"}
    runs = {
        s.labels["task"]: s.value for s in _samples(families["q9_celery_task_seconds"], "q9_celery_task_seconds_count")
    }
    assert runs.get("core.tasks.scheduler_heartbeat", 0) >= 1
    assert "q9_celery_task_failures" in families
    # the business gauges
    lag = _samples(families["q9_sweep_lag_seconds"])[0].value
    assert 65 <= lag <= 120  # 75 s ago less its 5 s run, plus the test's own time
    oldest = {s.labels["province"]: s.value for s in _samples(families["q9_oldest_pending_order_seconds"])}
    assert "33" in oldest and oldest["33"] >= 0
    for name in (
        "q9_callbacks_waiting",
        "q9_callbacks_failed",
        "q9_work_orders_overdue",
        "q9_notices_issued",
        "q9_notices_to_issue",
        "q9_silent_sites",
        "q9_import_jobs_running",
        "q9_beat_heartbeat_age_seconds",
        "q9_redis_up",
    ):
        assert name in families, name
    silent = {s.labels["province"]: s.value for s in _samples(families["q9_silent_sites"])}
    assert silent.get("33", 0) >= 1  # the test network's sites never refreshed their workbench
