"""HQ's file imports (Excel .xlsx or CSV): orders, sites and tracking scans. A file is read and checked whole
first — every row, with a report of each problem in Chinese (row, column, what is wrong) — and nothing is
imported while any row is wrong. A clean file is imported by a Celery task in one transaction (all or nothing),
its progress counted in Redis for the page's progress bar.

Limits: the file is read as a stream with its limits checked before anything is loaded (size,
an xlsx's unpacked size and declared rows, at most 50,000 rows, 60 columns, 2,000 characters a cell, no NUL
in a CSV); every cell is validated (the text policy, column lengths, dates 2000–2100, phones, weights,
enumerations, waybill numbers) into the per-row report; a job that fails for any reason says so and can be
retried; a redelivered task after a worker died re-runs the import (nothing of the dead run was committed)
and a duplicate delivery while it runs does nothing; a template file per kind can be downloaded."""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from core import clock, jobs
from core.exceptions import DomainError
from core.models import District, Province, Site
from core.parsing import parse_moment
from core.services import site_parents_set, site_upsert
from core.textpolicy import control_char
from core.validators import attachment_name
from core.waybills import waybill_validate

from .exceptions import ImportFileError
from .intake import orders_intake
from .models import Channel, ImportJob, OnlineOrder
from .services import channel_order_id_check, order_time_check

logger = logging.getLogger(__name__)

MAX_ROWS = 50_000
PREVIEW_ROWS = 20
MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # an xlsx is a zip: a small file can unpack to gigabytes
MAX_COLUMNS = 60
CELL_MAX = 2000  # characters read of a cell; longer ones are reported, never stored
PHONE_RE = re.compile(
    r"^(\+?86[- ]?)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|[2-9]\d{6,7}|400-?\d{3}-?\d{4}|95\d{3,6})$", re.ASCII
)
# Python's csv refuses a field over 128 KB with an error; the file's own limit (20 MB) bounds a field instead, and
# a long cell is then reported in its row like any other (cells are cut to CELL_MAX + 1 characters when read)
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))
BUSINESS_TYPES = {
    "": "send",
    "我要寄快递": "send",
    "寄件": "send",
    "send": "send",
    "在线下单": "online",
    "online": "online",
}
ONLINE_VALUES = {"": True, "线上": True, "online": True, "1": True, "线下": False, "offline": False, "0": False}

COLUMNS = {
    ImportJob.Kind.ORDERS: {
        "物流号": "channel_order_id",
        "寄件人": "sender_name",
        "寄件电话": "sender_phone",
        "寄件省": "sender_province",
        "寄件市": "sender_city",
        "寄件区县": "sender_district",
        "寄件地址": "sender_address",
        "收件人": "receiver_name",
        "收件电话": "receiver_phone",
        "收件地址": "receiver_address",
        "物品": "goods",
        "重量": "weight_kg",
        "业务类型": "business_type",
        "线上线下": "is_online",
        "运单号": "waybill_no",
        "订单时间": "order_time",
        "备注": "remark",
    },
    ImportJob.Kind.SITES: {
        "网点编码": "code",
        "网点名称": "name",
        "省份": "province",
        "区县代码": "district",
        "类型": "kind",
        "级别": "level",
        "上级网点编码": "parent",
        "电话": "phone",
        "邮箱": "email",
        "地址": "address",
        "启用": "active",
    },
    ImportJob.Kind.SCANS: {
        "运单号": "waybill_no",
        "扫描类型": "scan_type",
        "网点编码": "site_code",
        "扫描时间": "scanned_at",
        "操作员": "operator",
    },
}
REQUIRED = {
    ImportJob.Kind.ORDERS: ["channel_order_id", "sender_name", "sender_phone", "sender_address"],
    ImportJob.Kind.SITES: ["code", "name", "province"],
    ImportJob.Kind.SCANS: ["waybill_no", "scan_type", "site_code", "scanned_at"],
}
LABEL = {kind: {v: k for k, v in cols.items()} for kind, cols in COLUMNS.items()}
#: the example row of the template of a kind registered by another app (its field: value)
EXAMPLES: dict[str, dict] = {}


def _too_many_rows() -> ImportFileError:
    return ImportFileError(_("At most %(n)s rows can be imported at once: split the file.") % {"n": f"{MAX_ROWS:,}"})


def _cell(value) -> str:
    if value is None:
        return ""
    text = value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else str(value)
    return text[: CELL_MAX + 1].strip()


def _unreadable_xlsx(exc: Exception) -> ImportFileError:
    logger.info("an uploaded workbook could not be read: %r", exc)
    return ImportFileError(
        _(
            "The Excel file cannot be read: it is damaged or not a workbook. Open it in Excel or "
            "WPS and save it again as .xlsx."
        )
    )


def _xlsx_rows(content: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFileError(_("The Excel file cannot be read (it is not an .xlsx workbook).")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _("The Excel file unpacks to more than %(mb)d MB: split it.") % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        declared = sheet.max_row  # the sheet's own <dimension>, read without loading the rows
    except Exception as exc:  # noqa: BLE001 - a broken file is the user's error, reported as such
        raise _unreadable_xlsx(exc) from None
    if declared and declared > MAX_ROWS * 2:
        raise _too_many_rows()
    try:
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_cell(c) for c in row]
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _unreadable_xlsx(exc) from None


def _csv_rows(content: bytes):
    if b"\x00" in content:
        raise ImportFileError(_("The CSV file contains NUL bytes: save it again as CSV (UTF-8)."))
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file's encoding is not recognised (use UTF-8 or GBK)."))
    reader = csv.reader(io.StringIO(text))
    try:
        for row in reader:
            yield [c[: CELL_MAX + 1].strip() for c in row[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(n)d of the CSV file cannot be read (%(error)s).") % {"n": reader.line_num, "error": str(exc)[:80]}
        ) from None


def read_rows(name: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows of an .xlsx or .csv (UTF-8 or GBK) file, every cell as text, read as a stream: the
    limits stop the reading, nothing past them is loaded."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 20 MB: split it."))
    lower = name.lower()
    if lower.endswith(".xlsx"):
        stream = _xlsx_rows(content)
    elif lower.endswith(".csv"):
        stream = _csv_rows(content)
    else:
        raise ImportFileError(_("Only .xlsx or .csv files are accepted."))
    rows: list[list[str]] = []
    blank = 0
    for row in stream:
        if not any(row):
            blank += 1
            if blank > MAX_ROWS:  # a sheet of empty rows is read no further
                raise _too_many_rows()
            continue
        rows.append(row)
        if len(rows) - 1 > MAX_ROWS:
            raise _too_many_rows()
    if not rows:
        raise ImportFileError(_("The file is empty."))
    return rows[0], rows[1:]


def _local(raw: str) -> datetime | None:
    """A time from a cell (2026-11-23 10:30, 2026/11/23, 2026-11-23) in Beijing time, 2000–2100; None if not."""
    return parse_moment(raw, date_only=True)


def _lengths(model) -> dict[str, int]:
    return {f.name: f.max_length for f in model._meta.concrete_fields if getattr(f, "max_length", None)}


#: the tracking scans' columns (logistics.TrackingEvent; this app does not import the apps standing on it)
SCAN_LIMITS = {"waybill_no": 32, "scan_type": 4, "site_code": 16, "operator": 64}


def _length_limits(kind: str) -> dict[str, int]:
    model = {ImportJob.Kind.ORDERS: OnlineOrder, ImportJob.Kind.SITES: Site}.get(kind)
    return _lengths(model) if model is not None else SCAN_LIMITS


def _cell_problems(kind: str, rec: dict, limits: dict[str, int]) -> list[tuple[str, str]]:
    """The text policy on every cell: no control character, no longer than its column (or 2,000 characters)."""
    problems = []
    for key, value in rec.items():
        if not isinstance(value, str):
            continue
        bad = control_char(value)
        if bad:
            problems.append((key, _("contains a control character (%(char)s)") % {"char": bad}))
            continue
        limit = limits.get(key, CELL_MAX)
        if len(value) > limit:
            problems.append((key, _("at most %(n)d characters") % {"n": limit}))
    return problems


def validate(
    kind: str, header: list[str], rows: list[list[str]], *, channel: Channel | None = None
) -> tuple[list[dict], list[dict]]:
    """Parsed records and the problems, each {row, column, message} (row numbers as in the file)."""
    columns = COLUMNS[kind]
    errors: list[dict] = []
    index = {}
    for i, name in enumerate(header):
        key = columns.get(name.strip()) or (name.strip() if name.strip() in columns.values() else None)
        if key:
            index[key] = i
    for key in REQUIRED[kind]:
        if key not in index:
            errors.append(
                {
                    "row": 1,
                    "column": LABEL[kind][key],
                    "message": _("Column “%(name)s” is missing") % {"name": LABEL[kind][key]},
                }
            )
    if errors:
        return [], errors
    records = []
    seen: dict[str, int] = {}
    limits = _length_limits(kind)
    site_codes = set(Site.objects.values_list("code", flat=True)) if kind != ImportJob.Kind.ORDERS else set()
    file_codes = {r[index["code"]] for r in rows if len(r) > index["code"]} if kind == ImportJob.Kind.SITES else set()
    provinces = {p.code: p for p in Province.objects.all()} | {p.name: p for p in Province.objects.all()}
    districts: dict[str, District | None] = {}
    required = _("required")
    bad_time = _("the time must read like 2026-11-23 10:30 (a year from 2000 to 2100)")
    for n, row in enumerate(rows, start=2):
        rec = {key: (row[i] if i < len(row) else "") for key, i in index.items()}
        problems = _cell_problems(kind, rec, limits)
        for key in REQUIRED[kind]:
            if not rec.get(key):
                problems.append((key, required))
        if kind == ImportJob.Kind.ORDERS:
            key = rec.get("channel_order_id", "")
            if key in seen:
                problems.append(("channel_order_id", _("repeats row %(n)d") % {"n": seen[key]}))
            seen.setdefault(key, n)
            if key and channel is not None:
                try:
                    channel_order_id_check(channel=channel, channel_order_id=key)
                except DomainError as exc:
                    problems.append(("channel_order_id", str(exc.message)))
            for phone_key in ("sender_phone", "receiver_phone"):
                phone = rec.get(phone_key, "")
                if phone and not PHONE_RE.match(phone.replace(" ", "")):
                    problems.append(
                        (phone_key, _("not a phone number (a mobile of 11 digits or a landline such as 0571-88886666)"))
                    )
            if rec.get("weight_kg"):
                try:
                    weight = Decimal(rec["weight_kg"])
                    if not weight.is_finite() or not Decimal(0) <= weight < Decimal(1_000_000):
                        raise InvalidOperation
                    rec["weight_kg"] = weight.quantize(Decimal("0.01"))
                except InvalidOperation:
                    problems.append(("weight_kg", _("must be a number of kilograms from 0 to 999,999")))
            else:
                rec.pop("weight_kg", None)
            business = BUSINESS_TYPES.get(rec.get("business_type", ""))
            if business is None:
                problems.append(("business_type", _("must be 我要寄快递 or 在线下单")))
            rec["business_type"] = business or "send"
            online = ONLINE_VALUES.get(rec.get("is_online", "").lower())
            if online is None:
                problems.append(("is_online", _("must be 线上 or 线下")))
            rec["is_online"] = online is not False
            if rec.get("waybill_no"):
                try:
                    rec["waybill_no"] = waybill_validate(rec["waybill_no"])
                except DomainError as exc:
                    problems.append(("waybill_no", str(exc.message)))
            else:
                rec.pop("waybill_no", None)
            if rec.get("order_time"):
                parsed = _local(rec["order_time"])
                if parsed is None:
                    problems.append(("order_time", bad_time))
                else:
                    try:
                        order_time_check(parsed, timezone.now())
                    except DomainError as exc:
                        problems.append(("order_time", str(exc.message)))
                rec["order_time"] = parsed
            else:
                rec.pop("order_time", None)
        elif kind == ImportJob.Kind.SITES:
            code = rec.get("code", "")
            if code in seen:
                problems.append(("code", _("repeats row %(n)d") % {"n": seen[code]}))
            seen.setdefault(code, n)
            province = provinces.get(rec.get("province", ""))
            if rec.get("province") and province is None:
                problems.append(("province", _("no such province (give its two-digit code or full name)")))
            rec["province"] = province
            if rec.get("district"):
                if rec["district"] not in districts:
                    districts[rec["district"]] = District.objects.filter(adcode=rec["district"][:12]).first()
                if districts[rec["district"]] is None:
                    problems.append(("district", _("no such district code")))
                rec["district"] = districts[rec["district"]]
            else:
                rec["district"] = None
            rec["kind"] = {"网点": "site", "分拨": "sorting", "直营点部": "direct", "": "site"}.get(rec.get("kind", ""))
            if rec["kind"] is None:
                problems.append(("kind", _("the kind must be 网点, 分拨 or 直营点部")))
            rec["level"] = {"一级": 1, "二级": 2, "": 1, "1": 1, "2": 2}.get(rec.get("level", ""))
            if rec["level"] is None:
                problems.append(("level", _("the level must be 一级 or 二级")))
            if rec.get("parent") and rec["parent"] not in site_codes | file_codes:
                problems.append(("parent", _("no such parent site code")))
            active = {
                "": True,
                "是": True,
                "启用": True,
                "1": True,
                "true": True,
                "否": False,
                "停用": False,
                "0": False,
                "false": False,
            }.get(rec.get("active", "").lower())
            if active is None:
                problems.append(("active", _("must be 是 or 否")))
            rec["active"] = active is not False
            if len(code) > 16:
                problems.append(("code", _("at most 16 characters")))
        elif kind in VALIDATORS:
            pass  # checked together below, with one query per table
        else:
            parsed = _local(rec.get("scanned_at", ""))
            if rec.get("scanned_at") and parsed is None:
                problems.append(("scanned_at", bad_time))
            elif parsed is not None and parsed > timezone.now() + clock.SKEW:
                problems.append(("scanned_at", _("The scan time is in the future.")))
            rec["scanned_at"] = parsed
            if rec.get("waybill_no"):
                try:
                    rec["waybill_no"] = waybill_validate(rec["waybill_no"])
                except DomainError as exc:
                    problems.append(("waybill_no", str(exc.message)))
            if rec.get("scan_type") and rec["scan_type"] not in ("揽收", "发件", "到件", "派件", "签收"):
                problems.append(("scan_type", _("must be 揽收, 发件, 到件, 派件 or 签收")))
            if rec.get("site_code") and rec["site_code"] not in site_codes:
                problems.append(("site_code", _("no such site code")))
        for key, message in problems:
            errors.append({"row": n, "column": LABEL[kind].get(key, key), "message": message})
        records.append(rec)
    if kind in VALIDATORS:
        for n, key, message in VALIDATORS[kind](records):
            errors.append({"row": n, "column": LABEL[kind].get(key, key), "message": message})
    return records, errors


def job_create(*, kind: str, upload, actor, channel: Channel | None = None) -> ImportJob:
    """Read and check the whole file; the job is READY (with a preview) or INVALID (with the report)."""
    content = upload.read()
    channel = channel if kind == ImportJob.Kind.ORDERS else None  # only orders come from a channel
    job = ImportJob(
        kind=kind, channel=channel, name=attachment_name(upload.name), created_by=actor, created_at=timezone.now()
    )
    try:
        header, rows = read_rows(upload.name, content)
        records, errors = validate(kind, header, rows, channel=channel)
    except ImportFileError as exc:
        header, rows, _records, errors = [], [], [], [{"row": 0, "column": "", "message": str(exc)}]
    if not rows and not errors:
        errors.append({"row": 0, "column": "", "message": _("The file has its header row but no data rows.")})
    if kind == ImportJob.Kind.ORDERS and channel is None:
        errors.insert(0, {"row": 0, "column": "", "message": _("Choose where the orders come from (the channel).")})
    job.total = len(rows)
    job.errors = errors[:1000]
    job.status = ImportJob.Status.INVALID if errors else ImportJob.Status.READY
    job.preview = [header] + rows[:PREVIEW_ROWS] if header else []
    if len(errors) > 1000:
        job.summary = _("%(n)s problems; the first 1,000 are listed.") % {"n": f"{len(errors):,}"}

    job.file.save(upload.name, ContentFile(content), save=False)
    job.save()
    return job


def _progress_key(job_id: int) -> str:
    return f"q9:import:{job_id}:done"


def progress(job: ImportJob) -> int:
    if job.status in (ImportJob.Status.DONE,):
        return job.total
    return int(cache.get(_progress_key(job.pk)) or 0)


def job_run(*, job_id: int) -> ImportJob:
    """Import a checked file in one transaction; any failure imports nothing and is reported (FAILED, with its
    reason), never a job left "running". The job's row is locked for the run: a duplicate delivery of the task
    while it runs does nothing; a delivery after a worker died (its transaction rolled back, its lock gone)
    runs the import again from the start."""
    runnable = (ImportJob.Status.QUEUED, ImportJob.Status.READY, ImportJob.Status.RUNNING)
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in runnable:
        return job
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    job = ImportJob.objects.select_for_update(nowait=True).get(pk=job_id, status__in=runnable)
            except (ImportJob.DoesNotExist, DatabaseError):
                raise _Busy from None  # another delivery is running it (or it ended meanwhile)
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
            header, rows = read_rows(job.name, job.file.open("rb").read())
            records, errors = validate(job.kind, header, rows, channel=job.channel)
            if errors:
                raise _Rejected(errors)
            with transaction.atomic():
                summary = _import(job, records)
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.DONE, done=len(records), finished_at=timezone.now(), summary=summary
            )
            if job.kind == ImportJob.Kind.ORDERS:
                _recount_days(records)
    except _Busy:
        return ImportJob.objects.get(pk=job_id)
    except _Rejected as exc:
        _failed(job_id, exc.errors, _("Errors were found while importing: nothing was imported."))
    except ImportFileError as exc:
        _failed(
            job_id,
            [{"row": 0, "column": "", "message": str(exc)}],
            _("The file could not be read: nothing was imported."),
        )
    except Exception:  # noqa: BLE001 - whatever broke, the job says so and can be retried
        logger.exception("import %s failed", job_id)
        _failed(
            job_id,
            [
                {
                    "row": 0,
                    "column": "",
                    "message": _(
                        "An unexpected error stopped import %(n)s; the "
                        "technical team finds it in the log by this number."
                    )
                    % {"n": job_id},
                }
            ],
            _("The import failed: nothing was imported. Retry it, or report it if it fails again."),
        )
    cache.delete(_progress_key(job_id))
    return ImportJob.objects.get(pk=job_id)


def _recount_days(records: list[dict]) -> None:
    """The order days of an import older than yesterday are counted again (``orders.stats``; beat keeps today and
    yesterday), by a job sent once the import has committed."""
    yesterday = timezone.localdate(timezone.now(), clock.tz()) - timedelta(days=1)
    days = sorted(
        {
            day
            for day in (timezone.localtime(r["order_time"], clock.tz()).date() for r in records if r.get("order_time"))
            if day < yesterday
        }
    )
    if days:
        jobs.publish_on_commit("orders.tasks.day_counts_days", [d.isoformat() for d in days])


def _failed(job_id: int, errors: list[dict], summary: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED, errors=errors[:1000], finished_at=timezone.now(), summary=summary[:300]
    )


def job_start(*, job_id: int) -> bool:
    """A checked job into the queue. False, and the job back to "ready", when the task queue cannot take it (a
    short timeout: a stopped or frozen broker never holds the page)."""
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.READY).update(status=ImportJob.Status.QUEUED)
    if jobs.publish("orders.tasks.import_run", job_id):
        return True
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(status=ImportJob.Status.READY)
    return False


def job_retry(*, job_id: int) -> bool:
    """A failed job back in the queue (its file is checked again when it runs); False if it was not failed."""
    return bool(
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.FAILED).update(
            status=ImportJob.Status.QUEUED, errors=[], summary="", finished_at=None, done=0
        )
    )


def template_rows(kind: str) -> tuple[list[str], list[list]]:
    """The header of a kind's file and one example row (the template HQ downloads)."""
    examples = {
        ImportJob.Kind.ORDERS: {
            "channel_order_id": "LP0000000001",
            "sender_name": "张三",
            "sender_phone": "13812345678",
            "sender_province": "浙江省",
            "sender_city": "杭州市",
            "sender_district": "西湖区",
            "sender_address": "文三路90号",
            "receiver_name": "李四",
            "receiver_phone": "13998765432",
            "receiver_address": "北京市朝阳区建国路1号",
            "goods": "衣服",
            "weight_kg": "1.5",
            "business_type": "我要寄快递",
            "is_online": "线上",
            "waybill_no": "",
            "order_time": "2026-11-23 10:30",
            "remark": "",
        },
        ImportJob.Kind.SITES: {
            "code": "33010699",
            "name": "西湖新网点",
            "province": "浙江省",
            "district": "330106",
            "kind": "网点",
            "level": "一级",
            "parent": "",
            "phone": "0571-88886666",
            "email": "",
            "address": "文三路100号",
            "active": "是",
        },
        ImportJob.Kind.SCANS: {
            "waybill_no": "300000000001",
            "scan_type": "揽收",
            "site_code": "33010601",
            "scanned_at": "2026-11-23 14:00",
            "operator": "王五",
        },
    }
    examples = examples.get(kind) or EXAMPLES.get(kind, {})
    header = list(COLUMNS[kind])
    return header, [[examples.get(COLUMNS[kind][h], "") for h in header]]


class _Busy(Exception):
    pass


class _Rejected(Exception):
    def __init__(self, errors):
        super().__init__("rejected")
        self.errors = errors


def _import(job: ImportJob, records: list[dict]) -> str:
    key = _progress_key(job.pk)
    chunk = 1000
    if job.kind == ImportJob.Kind.ORDERS:
        created = existing = 0
        for start in range(0, len(records), chunk):
            part = records[start : start + chunk]
            results = orders_intake(
                channel=job.channel, items=part, actor_label=f"导入 {job.name}", clocks_from_receipt=True
            )
            bad = [r for r in results if r.status in ("conflict", "invalid")]
            if bad:
                raise _Rejected(
                    [
                        {
                            "row": start + r.index + 2,
                            "column": LABEL[job.kind].get(r.field or "", r.field or ""),
                            "message": r.message,
                        }
                        for r in bad
                    ]
                )
            created += sum(r.status == "created" for r in results)
            existing += sum(r.status == "existing" for r in results)
            cache.set(key, start + len(part), timeout=3600)
        return _("%(created)s orders created, %(existing)s already there (same content).") % {
            "created": f"{created:,}",
            "existing": f"{existing:,}",
        }
    if job.kind == ImportJob.Kind.SITES:
        created = updated = 0
        for n, rec in enumerate(records, start=1):
            defaults = {
                "name": rec["name"],
                "province": rec["province"],
                "district": rec["district"],
                "kind": rec["kind"],
                "level": rec["level"],
                "phone": rec.get("phone", ""),
                "email": rec.get("email", ""),
                "address": rec.get("address", ""),
                "active": rec["active"],
            }
            _site, was_created = site_upsert(code=rec["code"], defaults=defaults)
            created += was_created
            updated += not was_created
            if n % 200 == 0:
                cache.set(key, n, timeout=3600)
        parents = {rec["code"]: rec["parent"] for rec in records if rec.get("parent")}
        site_parents_set(parents)
        return _("%(created)s sites created, %(updated)s updated.") % {
            "created": f"{created:,}",
            "updated": f"{updated:,}",
        }
    return IMPORTERS[job.kind](job=job, records=records, progress_key=key)


#: importers other apps add for their kinds (logistics adds the tracking scans in its AppConfig.ready),
#: so this app never imports the apps that stand on it
IMPORTERS: dict = {}
#: and their checks: kind -> function(records) yielding (row number, column key, message) for every problem,
#: parsing the records in place (the first record is row 2)
VALIDATORS: dict = {}
