"""The import kit's kind "orders" (``core.imports``): a channel's orders from a file, checked cell by cell, then
taken in through the bulk intake (``orders.intake``) with their clocks started on receipt when their order time is
earlier. Registered in ``OrdersConfig.ready()``."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, jobs
from core.exceptions import DomainError
from core.imports import Importer, Problem, Refused, repeats
from core.parsing import parse_moment
from core.waybills import waybill_validate

from .intake import orders_intake
from .models import OnlineOrder
from .services import channel_order_id_check, order_time_check

PHONE_RE = re.compile(
    r"^(\+?86[- ]?)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|[2-9]\d{6,7}|400-?\d{3}-?\d{4}|95\d{3,6})$", re.ASCII
)
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
}
EXAMPLE = {
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
    "order_time": "2026-11-23 10:30",
}
CHUNK = 1000


def _phones(rec: dict) -> list[Problem]:
    message = _("not a phone number (a mobile of 11 digits or a landline such as 0571-88886666)")
    return [
        (key, message)
        for key in ("sender_phone", "receiver_phone")
        if rec.get(key) and not PHONE_RE.match(rec[key].replace(" ", ""))
    ]


def _weight(rec: dict) -> list[Problem]:
    if not rec.get("weight_kg"):
        rec.pop("weight_kg", None)
        return []
    try:
        weight = Decimal(rec["weight_kg"])
        if not weight.is_finite() or not Decimal(0) <= weight < Decimal(1_000_000):
            raise InvalidOperation
    except InvalidOperation:
        return [("weight_kg", _("must be a number of kilograms from 0 to 999,999"))]
    rec["weight_kg"] = weight.quantize(Decimal("0.01"))
    return []


def _choices(rec: dict) -> list[Problem]:
    problems = []
    business = BUSINESS_TYPES.get(rec.get("business_type", ""))
    if business is None:
        problems.append(("business_type", _("must be 我要寄快递 or 在线下单")))
    rec["business_type"] = business or "send"
    online = ONLINE_VALUES.get(rec.get("is_online", "").lower())
    if online is None:
        problems.append(("is_online", _("must be 线上 or 线下")))
    rec["is_online"] = online is not False
    return problems


def _waybill(rec: dict) -> list[Problem]:
    if not rec.get("waybill_no"):
        rec.pop("waybill_no", None)
        return []
    try:
        rec["waybill_no"] = waybill_validate(rec["waybill_no"])
    except DomainError as exc:
        return [("waybill_no", str(exc.message))]
    return []


def _order_time(rec: dict, now) -> list[Problem]:
    if not rec.get("order_time"):
        rec.pop("order_time", None)
        return []
    parsed = parse_moment(rec["order_time"], date_only=True)
    rec["order_time"] = parsed
    if parsed is None:
        return [("order_time", _("the time must read like 2026-11-23 10:30 (a year from 2000 to 2100)"))]
    try:
        order_time_check(parsed, now)
    except DomainError as exc:
        return [("order_time", str(exc.message))]
    return []


def _order_id(rec: dict, channel) -> list[Problem]:
    key = rec.get("channel_order_id", "")
    if not key or channel is None:
        return []
    try:
        channel_order_id_check(channel=channel, channel_order_id=key)
    except DomainError as exc:
        return [("channel_order_id", str(exc.message))]
    return []


def _row(rec: dict, context: dict) -> list[Problem]:
    return [
        *_order_id(rec, context.get("channel")),
        *_phones(rec),
        *_weight(rec),
        *_choices(rec),
        *_waybill(rec),
        *_order_time(rec, context["now"]),
    ]


def _prepare(records: list[dict], context: dict) -> None:
    context.setdefault("now", timezone.now())


def _run(job, records: list[dict], progress) -> str:
    created = existing = 0
    for start in range(0, len(records), CHUNK):
        part = records[start : start + CHUNK]
        results = orders_intake(
            channel=job.channel, items=part, actor_label=f"导入 {job.name}", clocks_from_receipt=True
        )
        bad = [r for r in results if r.status in ("conflict", "invalid")]
        if bad:
            labels = ORDERS.labels
            raise Refused(
                [
                    {
                        "row": start + r.index + 2,
                        "column": labels.get(r.field or "", r.field or ""),
                        "message": r.message,
                    }
                    for r in bad
                ]
            )
        created += sum(r.status == "created" for r in results)
        existing += sum(r.status == "existing" for r in results)
        progress(start + len(part))
    _recount_days(records)
    return _("%(created)s orders created, %(existing)s already there (same content).") % {
        "created": f"{created:,}",
        "existing": f"{existing:,}",
    }


def _recount_days(records: list[dict]) -> None:
    """The order days of an import older than yesterday are counted again (``orders.stats``; beat keeps today and
    yesterday), by a job sent once the import has committed."""
    yesterday = timezone.localdate(timezone.now(), clock.tz()) - timedelta(days=1)
    days = {timezone.localtime(r["order_time"], clock.tz()).date() for r in records if r.get("order_time")}
    older = sorted(day for day in days if day < yesterday)
    if older:
        jobs.publish_on_commit("orders.tasks.day_counts_days", [d.isoformat() for d in older])


ORDERS = Importer(
    kind="orders",
    columns=COLUMNS,
    required=("channel_order_id", "sender_name", "sender_phone", "sender_address"),
    limits={f.name: f.max_length for f in OnlineOrder._meta.concrete_fields if getattr(f, "max_length", None)},
    prepare=_prepare,
    row=_row,
    rows=lambda records, context: repeats(records, "channel_order_id"),
    run=_run,
    example=EXAMPLE,
)
