"""The CRM interface: Cainiao work orders pushed in, signed like the channel API, idempotent on the id."""

from datetime import datetime
from typing import Literal

from ninja import Router, Schema

from core.apikit import ERRORS, Body, Int, Moment, Text
from orders.api import client_kind_required, signed
from orders.models import ApiClient

from .services import work_order_receive

router = Router(auth=signed, tags=["work orders"])


class WorkOrderIn(Body):
    wo_id: Text(64, 1)
    type: Literal[
        "where", "locker", "pickup_point", "false_sign", "delay", "damage", "loss", "attitude", "privacy", "other"
    ]
    source: Literal["guoguo", "pc", "taobao"]
    waybill_no: Text(32, 1)
    consumer_name: Text(64) = ""
    consumer_phone: Text(32) = ""
    description: Text(2000, 1)
    raised_at: Moment = None
    limit_hours: Int(1, 720) | None = None


class WorkOrderOut(Schema):
    wo_id: str
    state: str
    unit: str | None = None
    due_at: datetime
    created: bool


@router.post(
    "/crm/work-orders", response={200: WorkOrderOut, 201: WorkOrderOut, **ERRORS}, summary="Cainiao work order"
)
def push_work_order(request, payload: WorkOrderIn):
    """菜鸟工单推送（CRM）：同一工单号重复推送返回同一工单，内容不同为冲突。"""
    client_kind_required(request, ApiClient.Kind.CRM)
    wo, created = work_order_receive(data=payload.model_dump())  # a refusal: config.api answers by its class
    return (201 if created else 200), {
        "wo_id": wo.wo_id,
        "state": wo.state,
        "unit": wo.unit.code if wo.unit else None,
        "due_at": wo.due_at,
        "created": created,
    }
