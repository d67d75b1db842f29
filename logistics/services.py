"""The tracking feed: scan events stored once (a unique key per waybill, type, site and time), whatever the
order of arrival; the 揽收 scans go on to the order lifecycle's pickup-scan service."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from dispatch.models import Site
from dispatch.operations import pickup_scan_record

from .models import ScanType


@dataclass
class ScanResult:
    stored: int
    repeats: int
    completed_orders: int


@transaction.atomic
def scans_ingest(*, scans: list[dict], source: str = "api", at: datetime | None = None) -> ScanResult:
    """Store scans (dicts of waybill_no, scan_type, site_code, scanned_at, operator) in one statement; each new
    揽收 scan records its order's pickup scan (and completes an accepted order)."""
    at = at or timezone.now()
    if not scans:
        return ScanResult(0, 0, 0)
    sites = dict(Site.objects.filter(code__in={s["site_code"] for s in scans}).values_list("code", "pk"))
    cols = list(zip(*[(s["waybill_no"], s["scan_type"], s["site_code"], sites.get(s["site_code"]), s["scanned_at"],
                       s.get("operator") or "", at, source) for s in scans]))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO logistics_trackingevent (waybill_no, scan_type, site_code, site_id, scanned_at, operator, "
            "received_at, source) SELECT * FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::bigint[], "
            "%s::timestamptz[], %s::varchar[], %s::timestamptz[], %s::varchar[]) "
            "ON CONFLICT ON CONSTRAINT tracking_once DO NOTHING RETURNING waybill_no, scan_type, site_code, scanned_at, operator",
            [list(c) for c in cols])
        new = cursor.fetchall()
    completed = 0
    for waybill, scan_type, site_code, scanned_at, operator in sorted(new, key=lambda r: r[3]):
        if scan_type == ScanType.PICKUP:
            completed += pickup_scan_record(waybill=waybill, scanned_at=scanned_at, site_code=site_code,
                                            operator=operator).completed
    return ScanResult(stored=len(new), repeats=len(scans) - len(new), completed_orders=completed)
