"""HQ's file imports (Excel .xlsx or CSV): orders, sites and tracking scans. A file is read and checked whole
first — every row, with a report of each problem in Chinese (row, column, what is wrong) — and nothing is
imported while any row is wrong. A clean file is imported by a Celery task in one transaction (all or nothing),
its progress counted in Redis for the page's progress bar."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dispatch import clock
from dispatch.models import District, Province, Site

from .models import Channel, ImportJob

MAX_ROWS = 50_000
PREVIEW_ROWS = 20

COLUMNS = {
    ImportJob.Kind.ORDERS: {
        "物流号": "channel_order_id", "寄件人": "sender_name", "寄件电话": "sender_phone", "寄件省": "sender_province",
        "寄件市": "sender_city", "寄件区县": "sender_district", "寄件地址": "sender_address", "收件人": "receiver_name",
        "收件电话": "receiver_phone", "收件地址": "receiver_address", "物品": "goods", "重量": "weight_kg",
        "业务类型": "business_type", "线上线下": "is_online", "运单号": "waybill_no", "订单时间": "order_time",
        "备注": "remark"},
    ImportJob.Kind.SITES: {
        "网点编码": "code", "网点名称": "name", "省份": "province", "区县代码": "district", "类型": "kind",
        "级别": "level", "上级网点编码": "parent", "电话": "phone", "邮箱": "email", "地址": "address", "启用": "active"},
    ImportJob.Kind.SCANS: {"运单号": "waybill_no", "扫描类型": "scan_type", "网点编码": "site_code",
                           "扫描时间": "scanned_at", "操作员": "operator"},
}
REQUIRED = {
    ImportJob.Kind.ORDERS: ["channel_order_id", "sender_name", "sender_phone", "sender_address"],
    ImportJob.Kind.SITES: ["code", "name", "province"],
    ImportJob.Kind.SCANS: ["waybill_no", "scan_type", "site_code", "scanned_at"],
}
LABEL = {kind: {v: k for k, v in cols.items()} for kind, cols in COLUMNS.items()}


class ImportFileError(ValueError):
    pass


def read_rows(name: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows of an .xlsx or .csv (UTF-8 or GBK) file, every cell as text."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:  # noqa: BLE001 - a broken file is the user's error, reported as such
            raise ImportFileError(f"无法读取 Excel 文件：{exc.__class__.__name__}") from None
        rows = [["" if c is None else (c.strftime("%Y-%m-%d %H:%M:%S") if isinstance(c, datetime) else str(c)).strip()
                 for c in row] for row in sheet.iter_rows(values_only=True)]
    elif name.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gbk"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError("CSV 文件编码无法识别（请用 UTF-8 或 GBK）")
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise ImportFileError("只接受 .xlsx 或 .csv 文件")
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ImportFileError("文件是空的")
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(f"一次最多导入 {MAX_ROWS:,} 行，请拆分文件")
    return rows[0], rows[1:]


def _local(raw: str) -> datetime | None:
    value = parse_datetime(raw.replace("/", "-")) if raw else None
    if value is None and raw:
        try:
            value = datetime.strptime(raw.replace("/", "-"), "%Y-%m-%d")
        except ValueError:
            return None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, clock.tz())
    return value


def validate(kind: str, header: list[str], rows: list[list[str]], *, channel: Channel | None = None) -> tuple[list[dict], list[dict]]:
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
            errors.append({"row": 1, "column": LABEL[kind][key], "message": f"缺少列「{LABEL[kind][key]}」"})
    if errors:
        return [], errors
    records = []
    seen: dict[str, int] = {}
    site_codes = set(Site.objects.values_list("code", flat=True)) if kind != ImportJob.Kind.ORDERS else set()
    file_codes = {r[index["code"]] for r in rows if len(r) > index["code"]} if kind == ImportJob.Kind.SITES else set()
    provinces = {p.code: p for p in Province.objects.all()} | {p.name: p for p in Province.objects.all()}
    for n, row in enumerate(rows, start=2):
        rec = {key: (row[i] if i < len(row) else "") for key, i in index.items()}
        problems = []
        for key in REQUIRED[kind]:
            if not rec.get(key):
                problems.append((key, "必填"))
        if kind == ImportJob.Kind.ORDERS:
            key = rec.get("channel_order_id", "")
            if key in seen:
                problems.append(("channel_order_id", f"与第 {seen[key]} 行重复"))
            seen.setdefault(key, n)
            if rec.get("weight_kg"):
                try:
                    rec["weight_kg"] = Decimal(rec["weight_kg"])
                except InvalidOperation:
                    problems.append(("weight_kg", "须为数字（千克）"))
            rec["business_type"] = {"在线下单": "online", "online": "online"}.get(rec.get("business_type", ""), "send")
            rec["is_online"] = rec.get("is_online", "") not in ("线下", "offline", "0")
            if rec.get("order_time"):
                parsed = _local(rec["order_time"])
                if parsed is None:
                    problems.append(("order_time", "时间格式应为 2026-11-23 10:30"))
                rec["order_time"] = parsed
            else:
                rec.pop("order_time", None)
            for key, limit in (("channel_order_id", 64), ("sender_name", 64), ("sender_phone", 32),
                               ("sender_address", 200), ("goods", 200), ("remark", 500)):
                if len(str(rec.get(key) or "")) > limit:
                    problems.append((key, f"不能超过 {limit} 个字"))
        elif kind == ImportJob.Kind.SITES:
            code = rec.get("code", "")
            if code in seen:
                problems.append(("code", f"与第 {seen[code]} 行重复"))
            seen.setdefault(code, n)
            province = provinces.get(rec.get("province", ""))
            if rec.get("province") and province is None:
                problems.append(("province", "省份不存在（填两位代码或全称）"))
            rec["province"] = province
            if rec.get("district"):
                district = District.objects.filter(adcode=rec["district"]).first()
                if district is None:
                    problems.append(("district", "区县代码不存在"))
                rec["district"] = district
            else:
                rec["district"] = None
            rec["kind"] = {"网点": "site", "分拨": "sorting", "直营点部": "direct", "": "site"}.get(rec.get("kind", ""))
            if rec["kind"] is None:
                problems.append(("kind", "类型须为 网点、分拨 或 直营点部"))
            rec["level"] = {"一级": 1, "二级": 2, "": 1, "1": 1, "2": 2}.get(rec.get("level", ""))
            if rec["level"] is None:
                problems.append(("level", "级别须为 一级 或 二级"))
            if rec.get("parent") and rec["parent"] not in site_codes | file_codes:
                problems.append(("parent", "上级网点编码不存在"))
            rec["active"] = rec.get("active", "") not in ("否", "停用", "0", "false")
            if len(code) > 16:
                problems.append(("code", "不能超过 16 个字符"))
        elif kind in VALIDATORS:
            pass  # checked together below, with one query per table
        else:
            parsed = _local(rec.get("scanned_at", ""))
            if rec.get("scanned_at") and parsed is None:
                problems.append(("scanned_at", "时间格式应为 2026-11-23 10:30"))
            rec["scanned_at"] = parsed
            if rec.get("scan_type") and rec["scan_type"] not in ("揽收", "发件", "到件", "派件", "签收"):
                problems.append(("scan_type", "须为 揽收、发件、到件、派件 或 签收"))
            if rec.get("site_code") and rec["site_code"] not in site_codes:
                problems.append(("site_code", "网点编码不存在"))
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
    job = ImportJob(kind=kind, channel=channel, name=upload.name[:200], created_by=actor, created_at=timezone.now())
    try:
        header, rows = read_rows(upload.name, content)
        records, errors = validate(kind, header, rows, channel=channel)
    except ImportFileError as exc:
        header, rows, records, errors = [], [], [], [{"row": 0, "column": "", "message": str(exc)}]
    if kind == ImportJob.Kind.ORDERS and channel is None:
        errors.insert(0, {"row": 0, "column": "", "message": "请选择订单的数据来源"})
    job.total = len(rows)
    job.errors = errors[:1000]
    job.status = ImportJob.Status.INVALID if errors else ImportJob.Status.READY
    job.preview = [header] + rows[:PREVIEW_ROWS] if header else []
    if len(errors) > 1000:
        job.summary = f"共 {len(errors):,} 处错误，只列出前 1,000 处"
    from django.core.files.base import ContentFile

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
    """Import a checked file in one transaction; any failure imports nothing and is reported."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.READY):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    header, rows = read_rows(job.name, job.file.open("rb").read())
    records, errors = validate(job.kind, header, rows, channel=job.channel)
    try:
        if errors:
            raise _Rejected(errors)
        with transaction.atomic():
            summary = _import(job, records)
    except _Rejected as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, errors=exc.errors[:1000],
                                                   finished_at=timezone.now(), summary="导入时发现错误，未导入任何数据")
    else:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE, done=len(records),
                                                   finished_at=timezone.now(), summary=summary)
    cache.delete(_progress_key(job.pk))
    return ImportJob.objects.get(pk=job.pk)


class _Rejected(Exception):
    def __init__(self, errors):
        super().__init__("rejected")
        self.errors = errors


def _import(job: ImportJob, records: list[dict]) -> str:
    key = _progress_key(job.pk)
    chunk = 1000
    if job.kind == ImportJob.Kind.ORDERS:
        from .intake import orders_intake

        created = existing = 0
        for start in range(0, len(records), chunk):
            part = records[start:start + chunk]
            results = orders_intake(channel=job.channel, items=part, actor_label=f"导入 {job.name}")
            bad = [r for r in results if r.status in ("conflict", "invalid")]
            if bad:
                raise _Rejected([{"row": start + r.index + 2, "column": LABEL[job.kind].get(r.field or "", r.field or ""),
                                  "message": r.message} for r in bad])
            created += sum(r.status == "created" for r in results)
            existing += sum(r.status == "existing" for r in results)
            cache.set(key, start + len(part), timeout=3600)
        return f"新建 {created:,} 个订单，{existing:,} 个已存在（内容相同）"
    if job.kind == ImportJob.Kind.SITES:
        created = updated = 0
        for n, rec in enumerate(records, start=1):
            defaults = {"name": rec["name"], "province": rec["province"], "district": rec["district"],
                        "kind": rec["kind"], "level": rec["level"], "phone": rec.get("phone", ""),
                        "email": rec.get("email", ""), "address": rec.get("address", ""), "active": rec["active"]}
            _site, was_created = Site.objects.update_or_create(code=rec["code"], defaults=defaults)
            created += was_created
            updated += not was_created
            if n % 200 == 0:
                cache.set(key, n, timeout=3600)
        parents = {rec["code"]: rec["parent"] for rec in records if rec.get("parent")}
        ids = dict(Site.objects.filter(code__in=set(parents) | set(parents.values())).values_list("code", "pk"))
        for site in Site.objects.filter(code__in=parents):
            site.parent_id = ids[parents[site.code]]
            site.save(update_fields=["parent"])  # a save, not update(): the site's history records the change
        return f"新建 {created:,} 个网点，更新 {updated:,} 个"
    return IMPORTERS[job.kind](job=job, records=records, progress_key=key)


#: importers other apps add for their kinds (logistics adds the tracking scans in its AppConfig.ready),
#: so this app never imports the apps that stand on it
IMPORTERS: dict = {}
#: and their checks: kind -> function(records) yielding (row number, column key, message) for every problem,
#: parsing the records in place (the first record is row 2)
VALIDATORS: dict = {}
