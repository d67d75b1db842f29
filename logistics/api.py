"""The tracking feed's bulk endpoint: scan events from the scanning system (SPEC §6, §7)."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Router, Schema

from core.apikit import ERRORS, Body, RequiredMoment, Text
from orders.api import client_kind_required, signed
from orders.models import ApiClient

from .services import scans_ingest

router = Router(auth=signed, tags=["tracking"])


class ScanIn(Body):
    waybill_no: Text(32, 1)
    scan_type: Literal["揽收", "发件", "到件", "派件", "签收"]
    site_code: Text(16, 1)
    scanned_at: RequiredMoment
    operator: Text(64) = ""


class ScansIn(Body):
    scans: Annotated[list[ScanIn], Field(min_length=1, max_length=5000)]


class ScanRejected(Schema):
    index: int = Field(description="在本批中的位置（从 0 起） / the scan's position in the batch, from 0")
    field: str
    message: str = Field(description="中文原因 / why, in Chinese")


class ScansOut(Schema):
    stored: int
    repeats: int
    completed_orders: int
    rejected: list[ScanRejected] = Field(
        description="未存储的扫描及原因；其余已存储 / scans not stored, and why; the others are stored"
    )


@router.post("/tracking/scans", response={200: ScansOut, **ERRORS}, summary="Scan events in bulk")
def push_scans(request, payload: ScansIn):
    """扫描事件批量推送（揽收/发件/到件/派件/签收），重复推送只存一次；揽收扫描完成对应订单。"""
    client_kind_required(request, ApiClient.Kind.SCANNER)
    result = scans_ingest(scans=[s.model_dump() for s in payload.scans])
    return 200, {
        "stored": result.stored,
        "repeats": result.repeats,
        "completed_orders": result.completed_orders,
        "rejected": [{"index": i, "field": name, "message": message} for i, name, message in result.rejected],
    }
