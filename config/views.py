"""The top floor: pages that compose every app (each role's home page) and the health check.

Home pages sit above the domain apps so that they may read any app's selectors without the apps
depending on each other.
"""

import sys
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from psycopg_pool import PoolTimeout

from core import rediscache, scoping, selectors
from core.apikit import error
from core.models import User
from core.replica import replica_reads
from dispatch import selectors as desk_selectors
from inventory.selectors import low_stock
from orders.models import Channel, OnlineOrder, OrderState, OutboxMessage
from penalties.models import Appeal, AppealStatus, Violation, ViolationStatus
from penalties.selectors import appeal_windows, week_figures


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"database": "ok"}
    except Exception as exc:  # noqa: BLE001 - reported, not hidden: the health check's whole job
        return {"database": "down", "database_error": exc.__class__.__name__}


def _redis() -> dict:
    """Redis is off the request path (core.rediscache): down is a fact to report, never a reason to stop serving."""
    try:
        cache.set("healthz", "1", timeout=5)
        if cache.get("healthz") == "1" and not rediscache.degraded():
            return {"redis": "ok"}
    except Exception as exc:  # noqa: BLE001
        return {"redis": "down", "redis_error": exc.__class__.__name__}
    return {"redis": "down"}


_migrated = False  # once every migration this code knows is applied it stays so for the process's life


def _migrations() -> dict:
    global _migrated
    if not _migrated:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return {"migrations": "pending", "migrations_pending": len(plan)}
        _migrated = True
    return {"migrations": "applied"}


def healthz(request):
    """Liveness: the process answers and reaches its database. 503 only when the database is away (a restart
    may help); Redis is not asked: it is off the request path, and a load balancer must not pull every replica
    during a Redis outage."""
    status = _database()
    ok = status["database"] == "ok"
    return JsonResponse({"status": "ok" if ok else "down", **status}, status=200 if ok else 503)


def readyz(request):
    """Readiness: the database reachable and every migration applied (503 otherwise: send no traffic yet).
    Redis down is *degraded*: 200 with the fact, so replicas keep serving through a Redis outage."""
    status = _database()
    if status["database"] == "ok":
        try:
            status.update(_migrations())
        except Exception as exc:  # noqa: BLE001
            status.update(migrations="unknown", migrations_error=exc.__class__.__name__)
    status.update(_redis())
    ready = status["database"] == "ok" and status.get("migrations") == "applied"
    state = "down" if not ready else ("degraded" if status["redis"] != "ok" else "ok")
    return JsonResponse({"status": state, **status}, status=200 if ready else 503)


def _work(user, role) -> list[tuple[str, int, str]]:
    """What waits for this person today: (label, count, link), one cheap indexed count each."""
    if role == scoping.Role.CLERK:
        ids = scoping.clerk_site_ids(user)
        mine = OnlineOrder.objects.filter(site_id__in=ids)
        return [
            (_("Waiting for accept"), mine.filter(state=OrderState.PENDING).count(), reverse("dispatch:workbench")),
            (_("Waiting for pickup"), mine.filter(state=OrderState.ACCEPTED).count(), reverse("dispatch:pickup")),
            (
                _("Cancellations to handle"),
                mine.filter(state=OrderState.CANCELLED, cancel_handled_at__isnull=True).count(),
                reverse("dispatch:cancellations"),
            ),
        ]
    if role == scoping.Role.HQ:
        return [
            (
                _("Waiting in the data center"),
                OnlineOrder.objects.filter(site__is_data_center=True, state=OrderState.PENDING).count(),
                reverse("dispatch:hq_dispatch"),
            ),
            (
                _("Proposals to confirm"),
                Violation.objects.filter(status=ViolationStatus.PROPOSED).count(),
                reverse("penalties:violation_list") + "?status=PROPOSED",
            ),
            (
                _("Appeals with HQ"),
                Appeal.objects.filter(status=AppealStatus.HQ_REVIEW).count(),
                reverse("penalties:appeal_queue"),
            ),
            (
                _("Failed callbacks"),
                OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count(),
                reverse("orders:callbacks"),
            ),
            (_("Items below minimum stock"), len(low_stock()), reverse("inventory:stock")),
        ]
    if role == scoping.Role.LCS:
        return [
            (
                _("Appeals to decide"),
                Appeal.objects.filter(status=AppealStatus.LCS_REVIEW, province_id=user.province_id).count(),
                reverse("penalties:appeal_queue"),
            ),
            (
                _("Silent sites"),
                desk_selectors.silent_sites(user=user, at=timezone.now()).count(),
                reverse("dispatch:silent_sites"),
            ),
        ]
    return []


def _week(user, role) -> dict:
    """The last assessment week as its notices and reports count it, and the appeal windows open now."""
    if role is None:
        return {}
    today = timezone.localdate()
    last_week = today - timedelta(days=today.weekday() + 7)
    return {
        "week_figures": week_figures(user=user, week=last_week),
        "appeal_windows": appeal_windows(user=user, at=timezone.now())
        if role in (scoping.Role.CLERK, scoping.Role.LCS, scoping.Role.HQ)
        else [],
    }


@login_required
def home(request):
    user = request.user
    role = scoping.role_of(user)
    if role == scoping.Role.COURIER:
        return redirect("courier:home")
    context = {
        "role": role,
        "summary": selectors.network_summary(user=user),
        "latest_messages": selectors.messages_for(user=user)[:6],
        "unread": selectors.message_unread_count(user=user),
        "now": timezone.now(),
    }
    context["work"] = _work(user, role)
    with replica_reads():  # the week's figures: a dashboard's reads
        context.update(_week(user, role))
    if role == scoping.Role.CLERK:
        site = user.site
        context.update(site=site, site_counts=selectors.site_detail_counts(site=site))
        template = "home/clerk.html"
    elif role == scoping.Role.LCS:
        context["uncovered"] = selectors.uncovered_districts(user=user).select_related("city")[:20]
        template = "home/lcs.html"
    elif role == scoping.Role.HQ:
        context.update(
            provinces=selectors.province_breakdown(user=user),
            heartbeat=selectors.scheduler_last_heartbeat(),
        )
        template = "home/hq.html"
    elif role == scoping.Role.MANAGER:
        context["provinces"] = selectors.province_breakdown(user=user)
        template = "home/manager.html"
    else:
        template = "home/no_role.html"
    return render(request, template, context)


def _pool_exhausted(exc: BaseException | None) -> bool:
    """Whether an exception comes from waiting for a pooled database connection in vain."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, PoolTimeout):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


RETRY_AFTER_SECONDS = 5


def server_error(request):
    """Django's 500 page, except when every database connection of this process was busy for the pool's whole
    wait: then 503 with Retry-After (JSON under /api/), which a client or the load balancer retries. No database,
    no template: this answers when the database cannot."""
    if _pool_exhausted(sys.exc_info()[1]):
        message = _("The server is busy: try again in a few seconds.")
        if request.path.startswith("/api/"):
            response = JsonResponse(error("busy", message, message_en="The server is busy; retry later."), status=503)
        else:
            response = HttpResponse(f"<!doctype html><title>503</title><p>{message}</p>", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)


BEAT_LATE_FACTOR = 3
TASK_LABELS = {
    "complaints.tasks.overdue": gettext_lazy("Work orders past their limit"),
    "complaints.tasks.results_deliver": gettext_lazy("Work-order results to Cainiao"),
    "complaints.tasks.warnings": gettext_lazy("Work-order warnings"),
    "core.tasks.alerts_deliver": gettext_lazy("Alerts to the channels"),
    "core.tasks.message_email": gettext_lazy("A message's e-mail copy"),
    "core.tasks.messages_email_backlog": gettext_lazy("E-mail copies left behind"),
    "core.tasks.scheduler_heartbeat": gettext_lazy("Scheduler heartbeat"),
    "dispatch.tasks.escalations": gettext_lazy("Escalations of silent sites"),
    "dispatch.tasks.unscanned_reminders": gettext_lazy("No-pickup-scan reminders"),
    "inventory.tasks.low_stock_alerts": gettext_lazy("Low stock alerts"),
    "logistics.tasks.scan_months": gettext_lazy("Scan months ahead and archived"),
    "orders.tasks.callbacks_deliver": gettext_lazy("Status callbacks"),
    "orders.tasks.day_counts": gettext_lazy("Daily order counts"),
    "orders.tasks.day_counts_days": gettext_lazy("Daily order counts of past days"),
    "orders.tasks.day_counts_nightly": gettext_lazy("Nightly order counts"),
    "orders.tasks.import_check": gettext_lazy("Import files checked"),
    "orders.tasks.import_run": gettext_lazy("Imports"),
    "penalties.tasks.ledger_sync": gettext_lazy("Ledger in step"),
    "penalties.tasks.monthly_settlement": gettext_lazy("Monthly settlement"),
    "penalties.tasks.notice_send": gettext_lazy("A weekly notice issued"),
    "penalties.tasks.sla_sweep": gettext_lazy("SLA sweep"),
    "penalties.tasks.weekly_cycle": gettext_lazy("Monday's notices prepared"),
    "penalties.tasks.weekly_reports": gettext_lazy("Weekly reports"),
    "people.welcome_mail": gettext_lazy("Welcome e-mails"),
    "retention.tasks.personal_data_erase": gettext_lazy("Personal data erased"),
}
SWEEP_LAG_BAR_S = 90


@scoping.role_required(User.Role.HQ)
def system(request):
    """HQ's system page: the figures /metrics gives the operators (the same collector, ``config.metrics``), for
    people — beat's heartbeat, the sweep's lag, the queues, task runs, callbacks, the latest Monday run, alerts."""
    from datetime import datetime

    from django.conf import settings

    from config.metrics import snapshot
    from core.humanize import duration_text
    from core.models import Province

    figures = snapshot()
    now = timezone.now()

    def one(name):
        found = figures.get(name) or []
        return found[0][1] if found else None

    def by(name, label):
        return {labels.get(label, ""): value for labels, value in figures.get(name, [])}

    names = dict(Province.objects.values_list("code", "name"))
    heartbeat, lag = one("q9_beat_heartbeat_age_seconds"), one("q9_sweep_lag_seconds")
    runs = by("q9_celery_task_seconds_count", "task")
    seconds = by("q9_celery_task_seconds_sum", "task")
    failures = by("q9_celery_task_failures_total", "task")
    tasks = [
        {
            "name": t,
            "label": TASK_LABELS.get(t, ""),
            "runs": int(n),
            "failures": int(failures.get(t, 0)),
            "mean": seconds.get(t, 0) / n if n else 0,
        }
        for t, n in sorted(runs.items())
    ]
    waiting, failed = by("q9_callbacks_waiting", "channel"), by("q9_callbacks_failed", "channel")
    channel_names = dict(Channel.objects.values_list("slug", "name"))
    callbacks = [
        {"channel": channel_names.get(c, "—"), "waiting": int(waiting.get(c, 0)), "failed": int(failed.get(c, 0))}
        for c in sorted(set(waiting) | set(failed))
    ]
    started = figures.get("q9_notices_run_started_timestamp_seconds") or []
    last_issued = one("q9_notices_last_issued_timestamp_seconds")
    issued, to_issue = one("q9_notices_issued"), one("q9_notices_to_issue")
    monday = None
    if started:
        total = int((issued or 0) + (to_issue or 0))
        monday = {
            "week": started[0][0]["week"],
            "started": datetime.fromtimestamp(started[0][1], tz=timezone.get_current_timezone()),
            "last": datetime.fromtimestamp(last_issued, tz=timezone.get_current_timezone()) if last_issued else None,
            "issued": int(issued or 0),
            "total": total,
            "percent": round(100 * (issued or 0) / total) if total else 100,
        }
    oldest = sorted(by("q9_oldest_pending_order_seconds", "province").items(), key=lambda kv: -kv[1])
    silent = sorted(by("q9_silent_sites", "province").items(), key=lambda kv: -kv[1])
    context = {
        "now": now,
        "redis_up": one("q9_redis_up"),
        "heartbeat": heartbeat,
        "heartbeat_long": duration_text(heartbeat) if heartbeat is not None and heartbeat >= 120 else "",
        "heartbeat_late": heartbeat is None or heartbeat > BEAT_LATE_FACTOR * settings.BEAT_HEARTBEAT_SECONDS,
        "lag": lag,
        "lag_late": lag is None or lag > SWEEP_LAG_BAR_S,
        "lag_bar": SWEEP_LAG_BAR_S,
        "queues": sorted(by("q9_celery_queue_depth", "queue").items()),
        "tasks": tasks,
        "callbacks": callbacks,
        "monday": monday,
        "oldest": [(names.get(code, code), int(s // 60)) for code, s in oldest],
        "silent": [(names.get(code, code), int(n)) for code, n in silent],
        "overdue": one("q9_work_orders_overdue"),
        "imports": one("q9_import_jobs_running"),
        "alerts": {k: int(v) for k, v in by("q9_alerts_today", "status").items()},
    }
    return render(request, "home/system.html", context)
