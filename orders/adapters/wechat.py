"""微信物流 (WeChat logistics, provider side): its field names in, its path codes out; the same OrderID always
yields the same waybill (assigned at intake, returned again for a repeat).

In: ``OrderID``, ``Sender`` / ``Receiver`` {``Name``, ``Mobile``, ``Province``, ``City``, ``Area``, ``Address``},
``Cargo`` {``Weight``, ``DetailList`` [{``Name``, ``Count``}]}, ``ExpectTime`` / ``ExpectEndTime`` (Unix seconds).
Out: 100001 picked up, 100002 pickup failed, 100003 courier assigned, 400001 cancelled."""

from __future__ import annotations

from datetime import datetime

from core import clock

from ..exceptions import AdapterError
from ..models import EventKind

CODES = {
    EventKind.COURIER: 100003,
    EventKind.ACCEPTED: 100003,
    EventKind.PICKED_UP: 100001,
    EventKind.SCANNED: 100001,
    EventKind.PICKUP_FAILED: 100002,
    EventKind.ACCEPT_FAILED: 100002,
    EventKind.CANCELLED: 400001,
}


def _party(payload: dict, key: str, required: bool) -> dict:
    party = payload.get(key) or {}
    if not isinstance(party, dict):
        raise AdapterError(key, f"{key} 须为对象")
    if required:
        for field in ("Name", "Mobile", "Address"):
            if not str(party.get(field) or "").strip():
                raise AdapterError(f"{key}.{field}", f"缺少 {key}.{field}")
    return party


def _when(value, field: str):
    if value in (None, ""):
        return None
    try:
        stamp = int(value)
        if not 946684800 <= stamp <= 4102444800:  # 2000 … 2100
            raise ValueError
    except (TypeError, ValueError):
        raise AdapterError(field, f"{field} 须为 Unix 秒数") from None
    return datetime.fromtimestamp(stamp, clock.tz())


def parse(payload: dict, *, now=None) -> dict:
    if not str(payload.get("OrderID") or "").strip():
        raise AdapterError("OrderID", "缺少 OrderID")
    sender, receiver = _party(payload, "Sender", True), _party(payload, "Receiver", False)
    cargo = payload.get("Cargo") or {}
    if not isinstance(cargo, dict):
        raise AdapterError("Cargo", "Cargo 须为对象")
    details = cargo.get("DetailList") or []
    goods = "、".join(f"{d.get('Name', '')}×{d.get('Count', 1)}" for d in details if isinstance(d, dict))
    data = {
        "channel_order_id": str(payload["OrderID"]).strip()[:64],
        "business_type": "send",
        "sender_name": str(sender.get("Name"))[:64],
        "sender_phone": str(sender.get("Mobile"))[:32],
        "sender_province": str(sender.get("Province") or "")[:32],
        "sender_city": str(sender.get("City") or "")[:32],
        "sender_district": str(sender.get("Area") or "")[:32],
        "sender_address": str(sender.get("Address"))[:200],
        "receiver_name": str(receiver.get("Name") or "")[:64],
        "receiver_phone": str(receiver.get("Mobile") or "")[:32],
        "receiver_province": str(receiver.get("Province") or "")[:32],
        "receiver_city": str(receiver.get("City") or "")[:32],
        "receiver_district": str(receiver.get("Area") or "")[:32],
        "receiver_address": str(receiver.get("Address") or "")[:200],
        "goods": goods[:200],
        "window_start": _when(payload.get("ExpectTime"), "ExpectTime"),
        "window_end": _when(payload.get("ExpectEndTime"), "ExpectEndTime"),
    }
    if cargo.get("Weight") not in (None, ""):
        data["weight_kg"] = cargo.get("Weight")
    return data


def callback(event, order) -> dict | None:
    code = CODES.get(event.kind)
    if code is None or (event.kind == EventKind.SCANNED and event.to_state != "PICKED_UP"):
        return None
    courier = event.courier or order.courier
    if code == 100003 and courier is None:
        return None  # accepted without a courier yet: WeChat hears of it when one is assigned
    item = {"action_time": int(event.at.timestamp()), "action_type": code, "action_msg": event.get_kind_display()}
    if courier is not None and code == 100003:
        item["action_msg"] = f"{courier.name} {courier.phone}"
    return {
        "OrderID": order.channel_order_id,
        "WayBillId": order.waybill_no or event.waybill_no or "",
        "Actions": [item],
    }
