"""What the operators page on, in the Prometheus text format at /metrics.

- Requests: django-prometheus (rate and latency per view, responses by status), plus the database time and
  statements of each request per view (``q9_request_db_seconds``, ``DatabaseTimeMiddleware``).
- Celery: the depth of each queue (the broker's lists), and each task's runs, failures and seconds, counted by
  the worker processes into a Redis hash (``task_*`` below, Celery's signals in config/celery.py) so that any web
  replica answers for every worker.
- The business gauges, read from the database at each scrape: sweep lag, beat's heartbeat, the oldest pending
  order per province, callbacks waiting and failed per channel, work orders overdue, the last week's notices
  issued and still to issue, silent sites per province, import jobs running.

Not public: /metrics answers only a request carrying ``Authorization: Bearer <METRICS_TOKEN>``; with no token
configured it answers 404 (nothing to scrape). With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn with several
worker processes) the request metrics of every process are merged (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import logging
import os
import secrets
import time

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily

logger = logging.getLogger(__name__)

TASKS_KEY = "q9:metrics:tasks"
QUEUES = (settings.MINUTE_QUEUE, settings.BULK_QUEUE)

REQUEST_DB_SECONDS = Histogram(
    "q9_request_db_seconds",
    "Database time of one request, per view",
    ["view"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUEST_DB_STATEMENTS = Counter("q9_request_db_statements", "SQL statements run by requests, per view", ["view"])


# ------------------------------------------------------------------------------------------------ the endpoint


def metrics(request):
    token = getattr(settings, "METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    if not token:
        raise Http404("METRICS_TOKEN is not set")
    if not secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return HttpResponse("a bearer token is required\n", status=401, content_type="text/plain; charset=utf-8")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(BUSINESS)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class DatabaseTimeMiddleware:
    """Times every SQL statement of a request (``connection.execute_wrapper``) and records the total per view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        spent = [0.0, 0]

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent[0] += time.perf_counter() - started
                spent[1] += 1

        with connection.execute_wrapper(timed):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "<unresolved>"
        REQUEST_DB_SECONDS.labels(view).observe(spent[0])
        REQUEST_DB_STATEMENTS.labels(view).inc(spent[1])
        return response


# ------------------------------------------------------------------------------------------ Redis (best effort)

_redis = {}


def _client(url: str):
    import redis

    client = _redis.get(url)
    if client is None:
        client = _redis[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return client


_started: dict[str, float] = {}


def task_started(task_id: str) -> None:
    _started[task_id] = time.monotonic()


def task_finished(task_name: str, task_id: str, *, failed: bool) -> float | None:
    """Counted by the worker: runs, failures and seconds of each task (never raises: Redis may be away). Answers
    the task's seconds."""
    started = _started.pop(task_id, None)
    seconds = None if started is None else time.monotonic() - started
    try:
        pipe = _client(settings.CELERY_BROKER_URL).pipeline(transaction=False)
        pipe.hincrby(TASKS_KEY, f"{task_name}|runs", 1)
        if failed:
            pipe.hincrby(TASKS_KEY, f"{task_name}|failures", 1)
        if seconds is not None:
            pipe.hincrbyfloat(TASKS_KEY, f"{task_name}|seconds", seconds)
        pipe.execute()
    except Exception as exc:  # noqa: BLE001 - a metric is never worth a failed task
        logger.debug("task metrics not counted: %s", exc.__class__.__name__)
    return seconds


def _queue_depths(client) -> dict[str, int]:
    """Messages waiting in each queue: the broker's list for the queue and its priority lists (kombu's Redis
    transport names them ``<queue>\\x06\\x16<priority>``)."""
    depths = {}
    for queue in QUEUES:
        pipe = client.pipeline(transaction=False)
        pipe.llen(queue)
        for priority in (3, 6, 9):
            pipe.llen(f"{queue}\x06\x16{priority}")
        depths[queue] = sum(pipe.execute())
    return depths


# --------------------------------------------------------------------------------------------- the collector


class BusinessCollector:
    """Reads at scrape time; each group that fails (the database or Redis away) is left out, never a 500."""

    def describe(self):
        return []  # the registry would otherwise collect (query the database) when the collector is registered

    def collect(self):
        for group in (
            self._celery,
            self._sweep,
            self._orders,
            self._callbacks,
            self._penalties,
            self._sites,
            self._alerts,
        ):
            try:
                yield from group()
            except Exception as exc:  # noqa: BLE001 - one group away leaves the others
                logger.warning("metrics group %s failed: %s", group.__name__, exc.__class__.__name__)

    def _celery(self):
        client = _client(settings.CELERY_BROKER_URL)
        up = GaugeMetricFamily("q9_redis_up", "1 when the broker's Redis answered this scrape")
        try:
            depths = _queue_depths(client)
            raw = client.hgetall(TASKS_KEY)
        except Exception:  # noqa: BLE001
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        depth = GaugeMetricFamily("q9_celery_queue_depth", "Messages waiting in a Celery queue", labels=["queue"])
        for queue, n in depths.items():
            depth.add_metric([queue], n)
        yield depth
        counts: dict[str, dict[str, float]] = {}
        for key, value in raw.items():
            name, _, field = key.decode().rpartition("|")
            counts.setdefault(name, {})[field] = float(value)
        runs = SummaryMetricFamily("q9_celery_task_seconds", "Task runtimes (sum and count)", labels=["task"])
        failures = CounterMetricFamily("q9_celery_task_failures", "Tasks that raised", labels=["task"])
        for name, c in sorted(counts.items()):
            runs.add_metric([name], count_value=c.get("runs", 0), sum_value=c.get("seconds", 0.0))
            failures.add_metric([name], c.get("failures", 0))
        yield runs
        yield failures

    def _sweep(self):
        from core.selectors import scheduler_last_heartbeat
        from penalties.models import SweepRun

        now = timezone.now()
        lag = GaugeMetricFamily("q9_sweep_lag_seconds", "Now minus the end of the last SLA sweep")
        last = SweepRun.objects.order_by("-started_at").values_list("started_at", "duration_ms").first()
        if last:
            lag.add_metric([], (now - last[0]).total_seconds() - last[1] / 1000)
        yield lag
        beat = GaugeMetricFamily("q9_beat_heartbeat_age_seconds", "Now minus beat's last heartbeat")
        heartbeat = scheduler_last_heartbeat()
        if heartbeat:
            beat.add_metric([], (now - heartbeat).total_seconds())
        yield beat

    def _orders(self):
        from django.db.models import Min

        from orders.models import ImportJob, OnlineOrder, OrderState

        now = timezone.now()
        oldest = GaugeMetricFamily(
            "q9_oldest_pending_order_seconds", "Age of the oldest order waiting for accept", labels=["province"]
        )
        rows = (
            OnlineOrder.objects.filter(state=OrderState.PENDING)
            .values("province__code")
            .annotate(first=Min("stint_started_at"))
            .order_by()
        )
        for row in rows:
            oldest.add_metric([row["province__code"] or ""], (now - row["first"]).total_seconds())
        yield oldest
        jobs = GaugeMetricFamily("q9_import_jobs_running", "Import jobs running now")
        jobs.add_metric([], ImportJob.objects.filter(status=ImportJob.Status.RUNNING).count())
        yield jobs

    def _callbacks(self):
        from django.db.models import Count

        from orders.models import OutboxMessage

        for status, name, text in (
            (OutboxMessage.Status.PENDING, "q9_callbacks_waiting", "Status callbacks waiting for delivery"),
            (OutboxMessage.Status.FAILED, "q9_callbacks_failed", "Status callbacks that failed their last attempt"),
        ):
            family = GaugeMetricFamily(name, text, labels=["channel"])
            rows = (
                OutboxMessage.objects.filter(status=status)
                .values("client__channel__slug")
                .annotate(n=Count("id"))
                .order_by()
            )
            for row in rows:
                family.add_metric([row["client__channel__slug"] or "none"], row["n"])
            yield family

    def _penalties(self):
        from complaints.models import WorkOrder
        from penalties.models import WeeklyNotice

        overdue = GaugeMetricFamily("q9_work_orders_overdue", "Open work orders past their answer limit")
        overdue.add_metric(
            [],
            WorkOrder.objects.filter(state__in=("open", "sent_back"), unit__isnull=False, due_at__lt=timezone.now())
            .order_by()
            .count(),
        )
        yield overdue
        week = WeeklyNotice.objects.order_by("-week").values_list("week", flat=True).first()
        issued = GaugeMetricFamily("q9_notices_issued", "Notices of the latest week issued")
        waiting = GaugeMetricFamily("q9_notices_to_issue", "Notices of the latest week still to issue")
        started = GaugeMetricFamily(
            "q9_notices_run_started_timestamp_seconds", "When the latest week's notices were prepared", labels=["week"]
        )
        last = GaugeMetricFamily(
            "q9_notices_last_issued_timestamp_seconds", "When the latest week's last notice was issued", labels=["week"]
        )
        if week:
            from django.db.models import Count, Max, Min, Q

            run = WeeklyNotice.objects.filter(week=week).aggregate(
                issued=Count("id", filter=Q(issued_at__isnull=False)),
                waiting=Count("id", filter=Q(issued_at__isnull=True)),
                started=Min("created_at"),
                last=Max("issued_at"),
            )
            issued.add_metric([], run["issued"])
            waiting.add_metric([], run["waiting"])
            started.add_metric([week.isoformat()], run["started"].timestamp())
            if run["last"]:
                last.add_metric([week.isoformat()], run["last"].timestamp())
        yield issued
        yield waiting
        yield started
        yield last

    def _sites(self):
        from django.db.models import Count

        from dispatch.selectors import silent_sites_everywhere

        silent = GaugeMetricFamily(
            "q9_silent_sites", "Sites in service hours whose workbench is silent for 20 minutes", labels=["province"]
        )
        rows = silent_sites_everywhere(at=timezone.now()).values("province__code").annotate(n=Count("id")).order_by()
        for row in rows:
            silent.add_metric([row["province__code"]], row["n"])
        yield silent

    def _alerts(self):
        from django.db.models import Count

        from core.models import AlertMessage

        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        family = GaugeMetricFamily(
            "q9_alerts_today", "Alerts to the teams' channels since midnight (Beijing), by status", labels=["status"]
        )
        counts = dict.fromkeys(AlertMessage.Status.values, 0)
        rows = AlertMessage.objects.filter(created_at__gte=today).values("status").annotate(n=Count("id")).order_by()
        counts.update({row["status"]: row["n"] for row in rows})
        for status, n in counts.items():
            family.add_metric([status], n)
        yield family


def snapshot() -> dict[str, list[tuple[dict, float]]]:
    """The business figures as this scrape would give them, for people (HQ's system page): metric name →
    [(labels, value)]. The same collector, so the page and /metrics never disagree."""
    figures: dict[str, list[tuple[dict, float]]] = {}
    for family in BUSINESS.collect():
        for sample in family.samples:
            figures.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return figures


BUSINESS = BusinessCollector()
if not getattr(REGISTRY, "_q9_business", False):
    REGISTRY.register(BUSINESS)
    REGISTRY._q9_business = True
