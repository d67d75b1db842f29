"""Celery wrappers of the rule book. Each is idempotent; the advisory lock makes overlapping runs skip."""

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from .money import ledger_sync as sync
from .money import monthly_settlement as settle
from .money import previous_month, week_monday
from .reports import (
    monthly_reports_generate,
    national_report,
    notices_prepare,
    province_report,
    provinces_reported,
)
from .reports import notice_send as send
from .sweep import sla_sweep_due


@shared_task(name="penalties.tasks.sla_sweep")
def sla_sweep() -> int:
    result = sla_sweep_due()
    return -1 if result.skipped else result.inserted


@shared_task(name="penalties.tasks.weekly_cycle")
def weekly_cycle() -> int:
    """Monday 09:00: prepare last week's notices, then send each from its own task (PDFs render in workers)."""
    week = week_monday(timezone.localdate()) - timedelta(days=7)
    result = notices_prepare(week=week)
    for notice_id in result.notice_ids:
        notice_send.delay(notice_id)
    weekly_reports.delay(week.isoformat())
    return len(result.notice_ids)


@shared_task(name="penalties.tasks.notice_send", autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def notice_send(notice_id: int) -> bool:
    return send(notice_id=notice_id)


@shared_task(name="penalties.tasks.weekly_reports")
def weekly_reports(week: str) -> int:
    monday, at = date.fromisoformat(week), timezone.now()
    made = sum(province_report(week=monday, province=p, at=at) is not None for p in provinces_reported())
    return made + (national_report(week=monday, at=at) is not None)


@shared_task(name="penalties.tasks.monthly_settlement")
def monthly_settlement() -> str:
    """The 1st of each month: settle last month and generate its statements."""
    month = previous_month()
    result = settle(month=month)
    monthly_reports_generate(month=month)
    return f"{month:%Y-%m} refunds={result.refunds} adjustments={result.adjustments} rewards={result.rewards}"


@shared_task(name="penalties.tasks.ledger_sync")
def ledger_sync() -> int:
    return sync()
