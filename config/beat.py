"""Every periodic job of the project, in one place. Each entry has an expiry so a backlog never stacks
duplicate runs; each job also guards itself against overlap."""

from celery.schedules import crontab
from django.conf import settings


def beat_schedule() -> dict:
    heartbeat = settings.BEAT_HEARTBEAT_SECONDS
    return {
        "scheduler-heartbeat": {
            "task": "core.tasks.scheduler_heartbeat",
            "schedule": float(heartbeat),
            "options": {"expires": heartbeat * 0.9},
        },
        "sla-sweep": {
            "task": "penalties.tasks.sla_sweep",
            "schedule": float(settings.SLA_SWEEP_SECONDS),
            "options": {"expires": settings.SLA_SWEEP_SECONDS * 0.9},
        },
        "work-orders-overdue": {
            "task": "complaints.tasks.overdue",
            "schedule": 60.0,
            "options": {"expires": 55},
        },
        "callbacks-deliver": {
            "task": "orders.tasks.callbacks_deliver",
            "schedule": float(settings.CALLBACK_SWEEP_SECONDS),
            "options": {"expires": settings.CALLBACK_SWEEP_SECONDS * 0.9},
        },
        "order-day-counts": {
            "task": "orders.tasks.day_counts",
            "schedule": 300.0,
            "options": {"expires": 240},
        },
        "order-day-counts-nightly": {
            "task": "orders.tasks.day_counts_nightly",
            "schedule": crontab(minute=20, hour=3),
            "options": {"expires": 3 * 3600},
        },
        "ledger-sync": {
            "task": "penalties.tasks.ledger_sync",
            "schedule": 600.0,
            "options": {"expires": 540},
        },
        # Monday 09:00 and the 1st 02:00, Asia/Shanghai (CELERY_TIMEZONE)
        "weekly-cycle": {
            "task": "penalties.tasks.weekly_cycle",
            "schedule": crontab(minute=0, hour=9, day_of_week="mon"),
            "options": {"expires": 6 * 3600},
        },
        "monthly-settlement": {
            "task": "penalties.tasks.monthly_settlement",
            "schedule": crontab(minute=0, hour=2, day_of_month=1),
            "options": {"expires": 12 * 3600},
        },
        "messages-email-backlog": {
            "task": "core.tasks.messages_email_backlog",
            "schedule": 300.0,
            "options": {"expires": 240},
        },
        "work-order-results": {
            "task": "complaints.tasks.results_deliver",
            "schedule": float(settings.CALLBACK_SWEEP_SECONDS),
            "options": {"expires": settings.CALLBACK_SWEEP_SECONDS * 0.9},
        },
        "work-order-warnings": {
            "task": "complaints.tasks.warnings",
            "schedule": 300.0,
            "options": {"expires": 240},
        },
        "personal-data-erasure": {
            "task": "retention.tasks.personal_data_erase",
            "schedule": crontab(minute=40, hour=3),
            "options": {"expires": 3 * 3600},
        },
        "partition-months": {
            "task": "retention.tasks.partition_months",
            "schedule": crontab(minute=50, hour=3),
            "options": {"expires": 3 * 3600},
        },
        "low-stock-alerts": {
            "task": "inventory.tasks.low_stock_alerts",
            "schedule": 3600.0,
            "options": {"expires": 3000},
        },
        "escalations": {
            "task": "dispatch.tasks.escalations",
            "schedule": 60.0,
            "options": {"expires": 55},
        },
        "alerts-deliver": {
            "task": "core.tasks.alerts_deliver",
            "schedule": float(settings.CALLBACK_SWEEP_SECONDS),
            "options": {"expires": settings.CALLBACK_SWEEP_SECONDS * 0.9},
        },
        "unscanned-reminders": {
            "task": "dispatch.tasks.unscanned_reminders",
            "schedule": 300.0,
            "options": {"expires": 240},
        },
    }
