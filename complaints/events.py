"""The only place that writes ``WorkOrderEvent`` rows: every act on a work order leaves one, appended, never
changed."""

from __future__ import annotations

from datetime import datetime

from .models import WorkOrder, WorkOrderEvent


def event_record(wo: WorkOrder, kind: str, *, at: datetime, actor=None, text: str = "", **data) -> WorkOrderEvent:
    if kind not in WorkOrderEvent.LABELS:
        raise ValueError(f"unknown work-order event {kind}")
    return WorkOrderEvent.objects.create(
        work_order=wo,
        kind=kind,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        unit_id=wo.unit_id,
        text=text,
        data=data,
    )
