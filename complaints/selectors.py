"""Reads of the work orders, scoped, and the assessment per unit and week (系统处理时效, 处理质量)."""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet

from core import clock, scoping

from .models import WorkOrder, WorkOrderState


def work_orders_for(*, user) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(scoping.unit_q(user, site_field="unit")).select_related("unit", "province")


def work_order_list(*, user) -> QuerySet[WorkOrder]:
    """The list page's rows: the viewer's work orders, the earliest answer due first."""
    return work_orders_for(user=user).order_by("due_at", "id")


def assessment(*, user, week: date) -> list[dict]:
    """Per unit, work orders received in the week: count, median hours to the first answer, answers after the
    limit, and the share passed at the first review (of those reviewed)."""
    start = datetime.combine(week, time.min, clock.tz())
    rows: dict[int, dict] = {}
    for wo in work_orders_for(user=user).filter(
        created_at__gte=start, created_at__lt=start + timedelta(days=7), unit__isnull=False
    ):
        r = rows.setdefault(
            wo.unit_id,
            {"unit": wo.unit, "count": 0, "hours": [], "late": 0, "reviewed": 0, "passed_first": 0, "open": 0},
        )
        r["count"] += 1
        if wo.first_answered_at:
            r["hours"].append((wo.first_answered_at - wo.created_at).total_seconds() / 3600)
        r["late"] += wo.late_answers > 0
        if wo.first_review_passed is not None:
            r["reviewed"] += 1
            r["passed_first"] += wo.first_review_passed
        r["open"] += wo.state in (WorkOrderState.OPEN, WorkOrderState.SENT_BACK)
    out = []
    for r in rows.values():
        r["median_hours"] = round(statistics.median(r["hours"]), 1) if r["hours"] else None
        r["pass_rate"] = round(r["passed_first"] / r["reviewed"], 3) if r["reviewed"] else None
        out.append(r)
    return sorted(out, key=lambda r: (-(r["late"]), r["unit"].code))


def waybills_with_open_work_orders(*, waybills) -> set[str]:
    """The waybills among these that a work order not yet closed concerns (its consumer's case is still open)."""
    waybills = [w for w in waybills if w]
    if not waybills:
        return set()
    return set(
        WorkOrder.objects.filter(waybill_no__in=waybills)
        .exclude(state=WorkOrderState.CLOSED)
        .values_list("waybill_no", flat=True)
    )


def work_orders_erasable(*, closed_before: datetime, limit: int) -> list[int]:
    """Closed work orders, closed before ``closed_before``, whose consumer's name or phone is still kept."""
    rows = WorkOrder.objects.filter(state=WorkOrderState.CLOSED, closed_at__lt=closed_before).exclude(
        consumer_name="", consumer_phone=""
    )
    return list(rows.order_by("closed_at", "id").values_list("id", flat=True)[:limit])
