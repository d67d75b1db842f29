"""The import kit's kind "scans" (``core.imports``): tracking scans from a file, stored through the tracking feed
(``logistics.services.scans_ingest``: each scan once, a 揽收 records its order's pickup). Registered in
``LogisticsConfig.ready()``."""

from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core.exceptions import DomainError
from core.imports import Importer, Problem, Refused
from core.models import Site
from core.parsing import parse_moment
from core.waybills import waybill_validate

from .models import TrackingEvent
from .services import scans_ingest

SCAN_TYPES = ("揽收", "发件", "到件", "派件", "签收")


def _prepare(records: list[dict], context: dict) -> None:
    codes = {r.get("site_code", "") for r in records}
    context["site_codes"] = set(Site.objects.filter(code__in=codes).values_list("code", flat=True))
    context.setdefault("now", timezone.now())


def _scanned_at(rec: dict, now) -> list[Problem]:
    raw = rec.get("scanned_at", "")
    parsed = parse_moment(raw, date_only=True)
    rec["scanned_at"] = parsed
    if raw and parsed is None:
        return [("scanned_at", _("the time must read like 2026-11-23 10:30 (a year from 2000 to 2100)"))]
    if parsed is not None and parsed > now + clock.SKEW:
        return [("scanned_at", _("The scan time is in the future."))]
    return []


def _row(rec: dict, context: dict) -> list[Problem]:
    problems = _scanned_at(rec, context["now"])
    if rec.get("waybill_no"):
        try:
            rec["waybill_no"] = waybill_validate(rec["waybill_no"])
        except DomainError as exc:
            problems.append(("waybill_no", str(exc.message)))
    if rec.get("scan_type") and rec["scan_type"] not in SCAN_TYPES:
        problems.append(("scan_type", _("must be 揽收, 发件, 到件, 派件 or 签收")))
    if rec.get("site_code") and rec["site_code"] not in context["site_codes"]:
        problems.append(("site_code", _("no such site code")))
    return problems


def _run(job, records: list[dict], progress) -> str:
    stored = completed = 0
    for start in range(0, len(records), 1000):
        result = scans_ingest(scans=records[start : start + 1000], source="import")
        if result.rejected:  # the check before the import refuses what the feed refuses: all or nothing still
            raise Refused([{"row": 0, "column": "", "message": str(r)} for r in result.rejected[:1000]])
        stored += result.stored
        completed += result.completed_orders
        progress(min(start + 1000, len(records)))
    return _("%(stored)s scans stored (repeats skipped), %(completed)s pickups completed.") % {
        "stored": f"{stored:,}",
        "completed": f"{completed:,}",
    }


SCANS = Importer(
    kind="scans",
    columns={
        "运单号": "waybill_no",
        "扫描类型": "scan_type",
        "网点编码": "site_code",
        "扫描时间": "scanned_at",
        "操作员": "operator",
    },
    required=("waybill_no", "scan_type", "site_code", "scanned_at"),
    limits={f.name: f.max_length for f in TrackingEvent._meta.concrete_fields if getattr(f, "max_length", None)},
    prepare=_prepare,
    row=_row,
    run=_run,
    example={
        "waybill_no": "300000000001",
        "scan_type": "揽收",
        "site_code": "33010601",
        "scanned_at": "2026-11-23 14:00",
        "operator": "王五",
    },
)
