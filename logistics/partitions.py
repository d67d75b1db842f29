"""The tracking feed's month partitions (``core.partitions``): scans are the feed's append-only rows, read by
waybill; months are created ahead by beat and archived past the horizon."""

from __future__ import annotations

from datetime import date, datetime

from core.partitions import Partitioned, months_ensure, partition_restore, partitions_archive_old

from .models import TrackingEvent

SCANS = Partitioned(table=TrackingEvent._meta.db_table, column="scanned_at")


def scan_months_maintain(*, at: datetime | None = None) -> dict:
    """The coming months created, the months past the horizon archived (detached, written, dropped)."""
    created = months_ensure(SCANS, at=at)
    archived = partitions_archive_old(SCANS, at=at)
    return {"created": [f"{m:%Y-%m}" for m in created], "archived": [a.get("month") for a in archived]}


def scan_month_restore(*, month: date) -> int:
    return partition_restore(SCANS, month)
