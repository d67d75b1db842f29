"""Every month-partitioned table in one place (``core.partitions``): beat creates the coming months of each and
archives the months past the horizon; ``manage.py archive_restore`` brings a month back; the references kept
without a database foreign key are checked for rows that went missing."""

from __future__ import annotations

import logging
from datetime import date, datetime

from complaints.partitions import RESULT_ATTEMPTS
from core.partitions import (
    ArchiveError,
    Partitioned,
    manifest_read,
    months_ensure,
    orphans,
    partition_restore,
    partitions_archive_old,
)
from logistics.partitions import SCANS
from orders.partitions import CALLBACK_ATTEMPTS, EVENTS

log = logging.getLogger(__name__)

#: name (for ``archive_restore --table``) → the partitioned table
TABLES: dict[str, Partitioned] = {
    "scans": SCANS,
    "events": EVENTS,
    "callback_attempts": CALLBACK_ATTEMPTS,
    "result_attempts": RESULT_ATTEMPTS,
}


def partitions_maintain(*, at: datetime | None = None) -> dict:
    """Each table's coming months created, its months past the horizon archived, the loose references checked
    (a reference that lost its row is logged: nothing in it is personal)."""
    done = {}
    for name, spec in TABLES.items():
        created = months_ensure(spec, at=at)
        archived = partitions_archive_old(spec, at=at)
        done[name] = {"created": [f"{m:%Y-%m}" for m in created], "archived": [a.get("month") for a in archived]}
    missing = {ref: n for ref, n in orphans().items() if n}
    if missing:
        log.warning("references without their row: %s", missing)
    done["orphans"] = missing
    return done


def month_restore(*, month: date, tables: list[str] | None = None) -> dict[str, int]:
    """The month's archives of ``tables`` (default: every table that has one) attached again, each verified."""
    names = tables or [name for name, spec in TABLES.items() if manifest_read(spec, month) is not None]
    if not names:
        raise ArchiveError(f"no archive of {month:%Y-%m} in the archive storage")
    return {name: partition_restore(TABLES[name], month) for name in names}
