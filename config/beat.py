"""Every periodic job of the project, in one place. Each entry has an expiry so a backlog never stacks
duplicate runs (PITFALLS.md); each job also guards itself against overlap."""
from django.conf import settings


def beat_schedule() -> dict:
    heartbeat = settings.BEAT_HEARTBEAT_SECONDS
    return {
        "scheduler-heartbeat": {
            "task": "dispatch.tasks.scheduler_heartbeat",
            "schedule": float(heartbeat),
            "options": {"expires": heartbeat * 0.9},
        },
        "sla-sweep": {
            "task": "penalties.tasks.sla_sweep",
            "schedule": float(settings.SLA_SWEEP_SECONDS),
            "options": {"expires": settings.SLA_SWEEP_SECONDS * 0.9},
        },
        "deadline-warnings": {
            "task": "dispatch.tasks.deadline_warnings",
            "schedule": 60.0,
            "options": {"expires": 55},
        },
        "unscanned-reminders": {
            "task": "dispatch.tasks.unscanned_reminders",
            "schedule": 300.0,
            "options": {"expires": 240},
        },
    }
