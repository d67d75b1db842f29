"""Q9's own JSON: the intake fields as they are, and one callback per state change."""

from __future__ import annotations

from ..models import EventKind

CALLBACK_KINDS = {
    EventKind.ACCEPTED,
    EventKind.COURIER,
    EventKind.PICKED_UP,
    EventKind.SCANNED,
    EventKind.ACCEPT_FAILED,
    EventKind.PICKUP_FAILED,
    EventKind.CANCELLED,
    EventKind.WAYBILL_REMINDER,
    EventKind.TRANSFERRED,
    EventKind.REOPENED,
    EventKind.WAYBILL_CORRECTED,
}


def _iso(value):
    return value.isoformat() if value else None


def callback(event, order) -> dict | None:
    if event.kind not in CALLBACK_KINDS:
        return None
    if event.kind == EventKind.SCANNED and event.to_state != "PICKED_UP":
        return None
    courier = event.courier or order.courier
    return {
        "event": event.kind,
        "channel_order_id": order.channel_order_id,
        "state": event.to_state or order.state,
        "waybill_no": event.waybill_no or order.waybill_no or None,
        "reason": event.reason or None,
        "text": event.text or None,
        "courier": {"name": courier.name, "phone": courier.phone} if courier else None,
        "at": _iso(event.at),
    }
