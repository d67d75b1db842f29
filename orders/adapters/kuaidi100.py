"""快递100 商家寄件 (merchant pickup): its field names in, its status codes out.

In: ``orderId`` (our 物流号), ``sendManName``, ``sendManMobile``, ``sendManPrintAddr`` (one full-address string: the
district is parsed from it), ``recManName``, ``recManMobile``, ``recManPrintAddr``, ``cargo``, ``weight``, ``remark``,
``dayType`` (今天/明天/后天), ``pickupStartTime`` / ``pickupEndTime`` (HH:mm), ``callBackUrl``.
Out: 0 下单成功 (the order is taken in), 1 已接单 (courier name and phone), 9 用户取消 (the channel cancelled),
10 已取件, 99 快递公司取消 (our accept or pickup failed), 610 下单失败 (HQ cancelled an order the network cannot
serve). Callbacks go to the order's own ``callBackUrl`` when it sent one (checked: ``orders.callback_urls``)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django.utils import timezone

from core import clock

from ..callback_urls import callback_url_check
from ..exceptions import AdapterError, CallbackUrlRefused
from ..models import EventKind

DAYS = {"今天": 0, "明天": 1, "后天": 2}
CODES = {
    EventKind.CREATED: (0, "下单成功"),
    EventKind.ACCEPTED: (1, "已接单"),
    EventKind.COURIER: (1, "已接单"),
    EventKind.PICKED_UP: (10, "已取件"),
    EventKind.SCANNED: (10, "已取件"),
    EventKind.ACCEPT_FAILED: (99, "快递公司取消"),
    EventKind.PICKUP_FAILED: (99, "快递公司取消"),
    EventKind.CANCELLED: (9, "用户取消"),
    # a corrected waybill number: 已取件 again, with the right number
    EventKind.WAYBILL_CORRECTED: (10, "已取件"),
}


def _hhmm(value: str, field: str) -> time:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value or "", re.ASCII):
        raise AdapterError(field, f"{field} 须为 HH:mm")
    h, m = value.split(":")
    return time(int(h), int(m))


def parse(payload: dict, *, now: datetime | None = None) -> dict:
    """Intake data from a Kuaidi100 order; raises ``AdapterError`` naming the field."""
    now = timezone.localtime(now or timezone.now(), clock.tz())
    for field in ("orderId", "sendManName", "sendManMobile", "sendManPrintAddr"):
        if not str(payload.get(field) or "").strip():
            raise AdapterError(field, f"缺少 {field}")
    data = {
        "channel_order_id": str(payload["orderId"]).strip()[:64],
        "sender_name": str(payload["sendManName"]).strip()[:64],
        "sender_phone": str(payload["sendManMobile"]).strip()[:32],
        "sender_address": str(payload["sendManPrintAddr"]).strip()[:200],
        "receiver_name": str(payload.get("recManName") or "")[:64],
        "receiver_phone": str(payload.get("recManMobile") or "")[:32],
        "receiver_address": str(payload.get("recManPrintAddr") or "")[:200],
        "goods": str(payload.get("cargo") or "")[:200],
        "remark": str(payload.get("remark") or "")[:500],
        "business_type": "send",
    }
    if str(payload.get("callBackUrl") or "").strip():
        try:
            callback_url_check(str(payload["callBackUrl"]))
        except CallbackUrlRefused as exc:
            raise AdapterError("callBackUrl", str(exc.message)) from None
    if payload.get("weight") not in (None, ""):
        data["weight_kg"] = payload.get("weight")
    if payload.get("pickupStartTime") or payload.get("pickupEndTime"):
        day_type = payload.get("dayType") or "今天"
        if day_type not in DAYS:
            raise AdapterError("dayType", "dayType 须为 今天、明天 或 后天")
        day = now.date() + timedelta(days=DAYS[day_type])
        start = _hhmm(payload.get("pickupStartTime"), "pickupStartTime")
        end = _hhmm(payload.get("pickupEndTime"), "pickupEndTime")
        data["window_start"] = datetime.combine(day, start, clock.tz())
        data["window_end"] = datetime.combine(day, end, clock.tz())
    return data


#: a cancellation by a person (HQ, for an order nobody can serve) rather than by the channel itself
PLACEMENT_FAILED = (610, "下单失败")


def callback(event, order) -> dict | None:
    code = CODES.get(event.kind)
    if event.kind == EventKind.CANCELLED and event.actor_id is not None:
        code = PLACEMENT_FAILED
    if code is None or (event.kind == EventKind.SCANNED and event.to_state != "PICKED_UP"):
        return None
    courier = event.courier or order.courier
    data = {
        "orderId": order.channel_order_id,
        "status": code[0],
        "message": code[1],
        "kuaidinum": event.waybill_no or order.waybill_no or "",
        "updateTime": event.at.isoformat(),
    }
    if code[0] == 1:
        data["courierName"] = courier.name if courier else ""
        data["courierMobile"] = courier.phone if courier else ""
    return {"kuaidicom": "bex", "status": str(code[0]), "message": code[1], "data": data}
