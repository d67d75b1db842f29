"""Tracking scans are partitioned by Beijing month: a scan of any month is stored (a DEFAULT partition takes a month
nobody created), beat creates months ahead and moves what the default partition held into its month, a month past
the horizon is archived (detached, COPY'd to a gzip'd file with a manifest of rows and SHA-256, dropped) and
``archive_restore`` brings it back after checking the checksum."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.partitions import archive_paths, manifest_read, months_attached
from logistics.models import TrackingEvent
from logistics.partitions import SCANS, scan_months_maintain
from logistics.services import scans_ingest

from ..conftest import FIXED_NOW

SH = ZoneInfo("Asia/Shanghai")


def _scans(when: datetime, n: int, prefix: str = "7700") -> list[dict]:
    return [
        {
            "waybill_no": f"{prefix}{i:08d}",
            "scan_type": "PU",
            "site_code": "33010601",
            "scanned_at": when,
            "operator": "x",
        }
        for i in range(n)
    ]


def _where(when: datetime) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tableoid::regclass::text FROM logistics_trackingevent WHERE scanned_at = %s", [when]
        )
        return ",".join(r[0] for r in cursor.fetchall())


def test_the_scan_table_is_partitioned_and_every_month_is_written(net):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'logistics_trackingevent'")
        assert cursor.fetchone()[0] == "p"
    old = datetime(2025, 3, 5, 10, tzinfo=SH)  # no partition of its own: the default one takes it
    assert scans_ingest(scans=_scans(old, 3), at=FIXED_NOW).stored == 3
    assert scans_ingest(scans=_scans(old, 3), at=FIXED_NOW).stored == 0  # once, across partitions too
    assert _where(old) == "logistics_trackingevent_default"

    created = scan_months_maintain(at=FIXED_NOW)["created"]

    assert "2025-03" in created and _where(old) == "logistics_trackingevent_p2025_03"  # moved out of the default
    assert {date(2026, 11, 1), date(2027, 2, 1)} <= set(months_attached(SCANS))  # this month and three ahead
    assert TrackingEvent.objects.filter(scanned_at=old).count() == 3
    assert scan_months_maintain(at=FIXED_NOW)["created"] == []  # twice: nothing more


def test_a_month_past_the_horizon_is_archived_and_comes_back_verified(net, settings, tmp_path):
    settings.PARTITION_ARCHIVE_DIR = str(tmp_path)
    old = datetime(2024, 6, 10, 9, tzinfo=SH)  # 29 months before the fixed clock's November 2026
    kept = datetime(2025, 1, 10, 9, tzinfo=SH)  # 22 months before: inside the 25-month horizon
    scans_ingest(scans=_scans(old, 5) + _scans(kept, 2, prefix="7701"), at=FIXED_NOW)

    result = scan_months_maintain(at=FIXED_NOW)

    assert result["archived"] == ["2024-06"]
    assert TrackingEvent.objects.filter(scanned_at=old).count() == 0
    assert TrackingEvent.objects.filter(scanned_at=kept).count() == 2
    data, manifest = archive_paths(SCANS, date(2024, 6, 1))
    record = manifest_read(SCANS, date(2024, 6, 1))
    assert (tmp_path / data).exists() and json.loads((tmp_path / manifest).read_text()) == record
    assert record["rows"] == 5 and record["month"] == "2024-06" and len(record["sha256"]) == 64

    call_command("archive_restore", "--month", "2024-06")

    assert TrackingEvent.objects.filter(scanned_at=old).count() == 5
    assert date(2024, 6, 1) in months_attached(SCANS)


def test_a_damaged_archive_is_refused(net, settings, tmp_path):
    settings.PARTITION_ARCHIVE_DIR = str(tmp_path)
    old = datetime(2024, 5, 10, 9, tzinfo=SH)
    scans_ingest(scans=_scans(old, 4), at=FIXED_NOW)
    scan_months_maintain(at=FIXED_NOW)
    data = tmp_path / archive_paths(SCANS, date(2024, 5, 1))[0]
    data.write_bytes(data.read_bytes()[:-3] + b"xyz")
    with pytest.raises(CommandError, match="checksum"):
        call_command("archive_restore", "--month", "2024-05")
    assert TrackingEvent.objects.filter(scanned_at=old).count() == 0
    with pytest.raises(CommandError, match="not a month"):
        call_command("archive_restore", "--month", "2024-13")
