"""The channel API (SPEC §7) under /api/: push one order or up to 1,000, push a change before pickup, cancel (撤单),
read an order's status and timeline; the Kuaidi100 and WeChat adapters on the same intake. Every request is
signed (``orders.signing``); a channel sees and touches only its own orders."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.params import P, PathEx
from ninja.responses import NinjaJSONEncoder
from ninja.security import APIKeyHeader
from pydantic import BaseModel

from core import ratelimit
from core.apikit import (
    CONTROLS,
    ERRORS,
    HTTP_URL,
    Body,
    ChannelOrderId,
    ErrorBody,
    Flag,
    HhMm,
    Int,
    Kilograms,
    Moment,
    Text,
    error,
    waybill_text,
)

from . import selectors, services
from .adapters import kuaidi100, wechat
from .exceptions import AdapterError, ClientKindError
from .intake import ItemResult, orders_intake
from .models import ApiClient, EventKind, OnlineOrder, OrderState, OutboxMessage
from .outbox import outbox_for_events
from .signing import verify

# a channel order id in the path: 1–64 characters, no "/" and no control character
ORDER_ID = P(
    min_length=1, max_length=64, pattern=f"^[^/{CONTROLS}]+$", description="渠道物流号 / the channel's order id"
)
OrderId = PathEx[str, ORDER_ID]


class SignedClient(APIKeyHeader):
    """HMAC-signed requests: X-Api-Key, X-Timestamp, X-Signature (see ``core.signing`` and ``orders.signing.verify``)."""

    param_name = "X-Api-Key"

    def authenticate(self, request, key):
        client = verify(request)
        ratelimit.take(client_id=client.pk)  # a bulk push takes one token per order: push_orders takes the rest
        request.api_client = client
        return client


signed = SignedClient()


class Party(Body):
    name: Text(64) = ""
    phone: Text(32) = ""
    province: Text(32) = ""
    city: Text(32) = ""
    district: Text(32) = ""
    address: Text(200) = ""


class Sender(Party):
    name: Text(64, 1)
    phone: Text(32, 1)
    address: Text(200, 1)


WINDOW_END = Annotated[
    Moment, Field(description="预约时段结束，须晚于 window_start / the window's end, after window_start")
]


class OrderIn(Body):
    """一个订单。window_end 须晚于 window_start 且在 7 天之内（否则 422，field=window_end）；order_time 不得晚于服务器时间
    10 分钟以上（否则 422，field=order_time）/ window_end must be after window_start and within 7 days; order_time at
    most 10 minutes ahead of the server's clock."""

    channel_order_id: ChannelOrderId
    waybill_no: waybill_text() | None = None
    business_type: Literal["send", "online"] = "send"
    is_online: Flag = True
    sender: Sender
    receiver: Party = Party()
    goods: Text(200) = ""
    weight_kg: Kilograms = None
    window_start: Moment = None
    window_end: WINDOW_END = None
    remark: Text(500) = ""
    order_time: Moment = None

    def to_data(self) -> dict:
        return order_data(self.model_dump())


def order_data(raw: dict) -> dict:
    """The intake service's fields from a validated order (a plain dict: attribute access on schemas is slow)."""
    data = {
        k: raw.get(k)
        for k in (
            "channel_order_id",
            "waybill_no",
            "business_type",
            "is_online",
            "goods",
            "weight_kg",
            "window_start",
            "window_end",
            "remark",
            "order_time",
        )
    }
    for role in ("sender", "receiver"):
        party = raw.get(role) or {}
        for field in ("name", "phone", "province", "city", "district", "address"):
            data[f"{role}_{field}"] = party.get(field, "")
    return data


# The bulk body is read with plain pydantic models: pydantic-core validates a thousand nested items without
# ninja's per-object getter and root validators, which cost more than the intake itself. The same
# fields, limits and text policy as OrderIn/Party; a plain model takes only a JSON object where it expects one
# (a list or a string in its place is a 422 naming the field), as ``Body`` ensures for the others.
class BulkParty(BaseModel):
    name: Text(64) = ""
    phone: Text(32) = ""
    province: Text(32) = ""
    city: Text(32) = ""
    district: Text(32) = ""
    address: Text(200) = ""


class BulkItem(BaseModel):
    """An order of a bulk request: the fields of OrderIn; what the schema leaves open (an empty name, say) is
    answered for that item alone, so one bad order never costs its neighbours."""

    channel_order_id: Text(64)
    waybill_no: Text(32) | None = None
    business_type: Literal["send", "online"] = "send"
    is_online: Flag = True
    sender: BulkParty
    receiver: BulkParty = BulkParty()
    goods: Text(200) = ""
    weight_kg: Kilograms = None
    window_start: Moment = None
    window_end: WINDOW_END = None
    remark: Text(500) = ""
    order_time: Moment = None


class BulkIn(BaseModel):
    orders: Annotated[list[BulkItem], Field(min_length=1, max_length=1000)]


class ChangeIn(Body):
    """修改。window_end 须晚于 window_start，新的 window_end 须在 7 天之内；只改给出的字段；goods、remark 为 null 与空串
    相同，即清空该项，weight_kg、window_start、window_end 为 null 也是清空；sender、receiver 为 null 或不给即不改；
    结果与现状相同的修改答 422 nothing_changed / window_end must be after window_start, a new window_end within 7
    days; only the fields given change; null for goods or remark is the empty text (clears it), null for weight_kg or
    a window clears it; sender or receiver null or absent: unchanged; a change that changes nothing is a 422."""

    sender: Party | None = None
    receiver: Party | None = None
    goods: Text(200) | None = None
    weight_kg: Kilograms = None
    window_start: Moment = None
    window_end: WINDOW_END = None
    remark: Text(500) | None = None


class CancelIn(Body):
    reason: Text(500) = ""


class Unit(Schema):
    code: str
    name: str


class CourierOut(Schema):
    name: str
    phone: str


class EventOut(Schema):
    kind: str
    label: str
    at: datetime
    site: str
    from_state: str
    to_state: str
    reason: str
    text: str
    waybill_no: str


class OrderOut(Schema):
    channel_order_id: str
    state: str
    state_label: str
    site: Unit | None = None
    waybill_no: str | None = None
    courier: CourierOut | None = None
    order_time: datetime
    accept_due_at: datetime | None = None
    pickup_due_at: datetime
    picked_up_at: datetime | None = None
    cancelled_at: datetime | None = None
    created: bool = False


class OrderDetailOut(OrderOut):
    events: list[EventOut]


class ItemOut(Schema):
    index: int
    status: Literal["created", "existing", "conflict", "invalid"]
    order: OrderOut | None = None
    error: ErrorBody | None = None


class BulkOut(Schema):
    created: int
    existing: int
    conflicts: int
    invalid: int
    results: list[ItemOut]


def _same(value):
    return value


def order_out(order: OnlineOrder, *, created: bool = False, state_label: str | None = None, moment=_same) -> dict:
    """The answer's order; ``moment`` may turn its times into their JSON text on the way (the bulk answer)."""
    return {
        "channel_order_id": order.channel_order_id,
        "state": order.state,
        "state_label": state_label if state_label is not None else order.get_state_display(),
        "site": None if order.site.is_data_center else {"code": order.site.code, "name": order.site.name},
        "waybill_no": order.waybill_no,
        "order_time": moment(order.order_time),
        "accept_due_at": moment(order.accept_due_at),
        "courier": {"name": order.courier.name, "phone": order.courier.phone} if order.courier_id else None,
        "pickup_due_at": moment(order.pickup_due_at),
        "picked_up_at": moment(order.picked_up_at),
        "cancelled_at": moment(order.cancelled_at),
        "created": created,
    }


def _moments():
    """A time's JSON text as ninja writes it (``NinjaJSONEncoder``), each distinct time formatted once: the orders
    of one bulk push share their order time and, per province, their deadlines. Kept by instant and zone: equal
    instants in two zones (a repeat read back in UTC, a new order in +08:00) keep their own texts."""
    encoder, seen = NinjaJSONEncoder(), {}

    def moment(value):
        if value is None:
            return None
        key = (value, value.tzinfo)
        text = seen.get(key)
        if text is None:
            text = seen[key] = encoder.default(value)
        return text

    return moment


def client_kind_required(request, kind: str) -> ApiClient:
    """The signed client, if it is of the kind this endpoint serves; otherwise a 403 that says which kind it is
    (a scanner's key pushing orders is a configuration mistake, not a missing order)."""
    client: ApiClient = request.api_client
    if client.kind != kind:
        raise ClientKindError(
            _("This endpoint serves clients of the kind “%(kind)s”; this client is “%(own)s”.")
            % {"kind": ApiClient.Kind(kind).label, "own": client.get_kind_display()}
        )
    return client


def _channel(request):
    client = client_kind_required(request, ApiClient.Kind.CHANNEL)
    if client.channel_id is None:
        raise Http404
    return client.channel


def _own(request, channel_order_id: str) -> OnlineOrder:
    order = (
        OnlineOrder.objects.select_related("site", "courier", "channel")
        .filter(channel=_channel(request), channel_order_id=channel_order_id)
        .first()
    )
    if order is None:
        raise Http404
    return order


def _single(request, data: dict, *, prepare=None):
    """One order through the bulk intake: 201 created, 200 a repeat, 409 a conflict, 422 invalid."""
    channel = _channel(request)
    result: ItemResult = orders_intake(channel=channel, items=[data], actor_label=request.api_client.name)[0]
    if result.status in ("created", "existing"):
        order = result.order
        if prepare is not None:
            order = prepare(order)
        return (201 if result.status == "created" else 200), order_out(order, created=result.status == "created")
    return (409 if result.status == "conflict" else 422), error(
        result.code or "invalid", result.message, field=result.field
    )


router = Router(auth=signed, tags=["orders"])


@router.post("/orders", response={200: OrderOut, 201: OrderOut, **ERRORS}, summary="Push one order")
def push_order(request, payload: OrderIn):
    """推送一个订单。同一渠道、同一物流号重复推送返回同一订单（200）；内容不同则为冲突（409）。"""
    return _single(request, payload.to_data())


@router.post("/orders/bulk", response={200: BulkOut, **ERRORS}, summary="Push up to 1,000 orders")
def push_orders(request, payload: BulkIn):
    """批量推送（最多 1,000 个），逐条返回结果：created / existing / conflict / invalid。"""
    ratelimit.take(client_id=request.api_client.pk, cost=len(payload.orders) - 1)
    results = orders_intake(
        channel=_channel(request),
        items=[order_data(o) for o in payload.model_dump()["orders"]],
        actor_label=request.api_client.name,
    )
    labels = {state: str(label) for state, label in OrderState.choices}  # translated once, not per order
    moment = _moments()
    items = []
    for r in results:
        item = {"index": r.index, "status": r.status, "order": None, "error": None}
        if r.order is not None:
            item["order"] = order_out(
                r.order, created=r.status == "created", state_label=labels[r.order.state], moment=moment
            )
        if r.status in ("conflict", "invalid"):
            item["error"] = error(r.code or "invalid", r.message, field=r.field)["error"]
        items.append(item)
    count = {s: sum(1 for r in results if r.status == s) for s in ("created", "existing", "conflict", "invalid")}
    body = {
        "created": count["created"],
        "existing": count["existing"],
        "conflicts": count["conflict"],
        "invalid": count["invalid"],
        "results": items,
    }
    # BulkOut documents this answer; it is built to that shape here and written as ninja writes JSON, without
    # validating a thousand items again on the way out
    return HttpResponse(json.dumps(body, cls=NinjaJSONEncoder), content_type="application/json; charset=utf-8")


@router.get("/orders/{channel_order_id}", response={200: OrderDetailOut, **ERRORS}, summary="Status and timeline")
def order_status(request, channel_order_id: OrderId):
    order = _own(request, channel_order_id)
    events = [
        {
            "kind": e.kind,
            "label": e.get_kind_display(),
            "at": e.at,
            "site": e.site.name,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "reason": e.reason,
            "text": e.text,
            "waybill_no": e.waybill_no,
        }
        for e in selectors.order_timeline(order=order)
    ]
    return 200, {**order_out(order), "events": events}


@router.post("/orders/{channel_order_id}/change", response={200: OrderOut, **ERRORS}, summary="Change before pickup")
def change_order(request, channel_order_id: OrderId, payload: ChangeIn):
    """修改地址、电话、预约时段等（揽收前）；区县变化时重新分配网点。"""
    order = _own(request, channel_order_id)
    changes = {}
    for role in ("sender", "receiver"):
        party = getattr(payload, role)
        if party is not None:
            for field, value in party.model_dump(exclude_unset=True).items():
                changes[f"{role}_{field}"] = value
    for field in ("goods", "weight_kg", "window_start", "window_end", "remark"):
        if field in payload.model_fields_set:
            changes[field] = getattr(payload, field)
    order = services.order_change(order_id=order.pk, changes=changes, actor_label=request.api_client.name)
    return 200, order_out(OnlineOrder.objects.select_related("site", "courier").get(pk=order.pk))


@router.post("/orders/{channel_order_id}/cancel", response={200: OrderOut, **ERRORS}, summary="Cancel (撤单)")
def cancel_order(request, channel_order_id: OrderId, payload: CancelIn):
    order = _own(request, channel_order_id)
    services.order_cancel(order_id=order.pk, actor_label=request.api_client.name, text=payload.reason)
    return 200, order_out(OnlineOrder.objects.select_related("site", "courier").get(pk=order.pk))


# ---------------------------------------------------------------- adapters

CallbackUrl = Text(
    300,
    pattern=HTTP_URL,
    description="http(s) 回传地址，可为空；主机解析到私有、环回、链路本地、组播或保留地址的答 422 callback_url_refused"
    " / an http(s) address or empty; one whose host resolves to a private, loopback, link-local, multicast or reserved"
    " address is answered 422 callback_url_refused",
)


class Kd100OrderIn(Body):
    """快递100 下单。pickupStartTime 与 pickupEndTime 同时给出（或都为空），结束晚于开始（否则 422）/ both pickup times
    or neither, the end after the start."""

    orderId: ChannelOrderId  # noqa: N815 - Kuaidi100's published names
    sendManName: Text(64, 1)  # noqa: N815
    sendManMobile: Text(32, 1)  # noqa: N815
    sendManPrintAddr: Text(200, 1)  # noqa: N815
    recManName: Text(64) = ""  # noqa: N815
    recManMobile: Text(32) = ""  # noqa: N815
    recManPrintAddr: Text(200) = ""  # noqa: N815
    cargo: Text(200) = ""
    weight: Kilograms = None
    remark: Text(500) = ""
    dayType: Literal["今天", "明天", "后天"] = "今天"  # noqa: N815
    pickupStartTime: HhMm = ""  # noqa: N815
    pickupEndTime: HhMm = ""  # noqa: N815
    callBackUrl: CallbackUrl = ""  # noqa: N815


class Kd100Out(Schema):
    result: bool
    returnCode: str  # noqa: N815
    message: str
    data: dict


class Kd100CancelIn(Body):
    orderId: Text(64, 1)  # noqa: N815
    cancelMsg: Text(200) = ""  # noqa: N815


def _adapter_parse(module, payload: dict):
    try:
        return module.parse(payload), None
    except AdapterError as exc:
        return None, error("invalid", exc.message, field=exc.field, message_en=f"Field {exc.field} is not valid.")


def _kd100_placed(order: OnlineOrder, url: str) -> None:
    """A new Kuaidi100 order: its own callback address (checked by the adapter) and the 0 下单成功 callback."""
    if url:
        services.order_callback_url_record(order=order, url=url)
    created = [e for e in order.events.all() if e.kind == EventKind.CREATED]
    if created and not OutboxMessage.objects.filter(event__in=created).exists():
        outbox_for_events(created)


@router.post(
    "/kuaidi100/orders",
    response={200: Kd100Out, **ERRORS},
    tags=["kuaidi100"],
    summary="Kuaidi100 merchant pickup order",
)
def kd100_order(request, payload: Kd100OrderIn):
    data, problem = _adapter_parse(kuaidi100, payload.model_dump())
    if problem:
        return 422, problem
    with transaction.atomic():
        status, body = _single(request, data)
        if status == 201:
            _kd100_placed(
                OnlineOrder.objects.get(channel=_channel(request), channel_order_id=body["channel_order_id"]),
                payload.callBackUrl.strip(),
            )
    if status >= 400:
        return status, body
    return 200, {
        "result": True,
        "returnCode": "200",
        "message": "下单成功",
        "data": {"orderId": body["channel_order_id"], "status": 0, "kuaidinum": body["waybill_no"] or ""},
    }


@router.post("/kuaidi100/cancel", response={200: Kd100Out, **ERRORS}, tags=["kuaidi100"], summary="Kuaidi100 cancel")
def kd100_cancel(request, payload: Kd100CancelIn):
    order = _own(request, payload.orderId)
    services.order_cancel(order_id=order.pk, actor_label=request.api_client.name, text=payload.cancelMsg)
    return 200, {
        "result": True,
        "returnCode": "200",
        "message": "取消成功",
        "data": {"orderId": order.channel_order_id, "status": 9},
    }


class WxParty(Body):
    Name: Text(64) = ""
    Mobile: Text(32) = ""
    Province: Text(32) = ""
    City: Text(32) = ""
    Area: Text(32) = ""
    Address: Text(200) = ""


class WxSender(WxParty):
    Name: Text(64, 1)
    Mobile: Text(32, 1)
    Address: Text(200, 1)


class WxItem(Body):
    Name: Text(60) = ""
    Count: Int(0, 100000) = 1


class WxCargo(Body):
    Weight: Kilograms = None
    DetailList: Annotated[list[WxItem], Field(max_length=50)] = []


UnixTime = Int(946684800, 4102444800)  # 2000 … 2100


class WxOrderIn(Body):
    """微信物流下单。ExpectEndTime 须晚于 ExpectTime 且在 7 天之内（否则 422）/ ExpectEndTime must be after ExpectTime
    and within 7 days."""

    OrderID: ChannelOrderId
    Sender: WxSender
    Receiver: WxParty = WxParty()
    Cargo: WxCargo = WxCargo()
    ExpectTime: UnixTime | None = None
    ExpectEndTime: UnixTime | None = None


class WxOut(Schema):
    ErrCode: int
    ErrMsg: str
    OrderID: str
    WayBillId: str


class WxCancelIn(Body):
    OrderID: Text(64, 1)


def _wechat_waybill(order: OnlineOrder) -> OnlineOrder:
    """WeChat needs the waybill at once, and the same one for the same OrderID: one number per order, from a
    sequence (8 followed by eleven digits), given on the first intake and returned by every repeat."""
    if order.waybill_no:
        return order
    services.wechat_waybill_assign(order_id=order.pk)
    return OnlineOrder.objects.select_related("site", "courier").get(pk=order.pk)


@router.post("/wechat/orders", response={200: WxOut, **ERRORS}, tags=["wechat"], summary="WeChat logistics order")
def wx_order(request, payload: WxOrderIn):
    data, problem = _adapter_parse(wechat, payload.model_dump())
    if problem:
        return 422, problem
    status, body = _single(request, data, prepare=_wechat_waybill)
    if status >= 400:
        return status, body
    return 200, {"ErrCode": 0, "ErrMsg": "ok", "OrderID": body["channel_order_id"], "WayBillId": body["waybill_no"]}


@router.post("/wechat/cancel", response={200: WxOut, **ERRORS}, tags=["wechat"], summary="WeChat cancel")
def wx_cancel(request, payload: WxCancelIn):
    order = _own(request, payload.OrderID)
    services.order_cancel(order_id=order.pk, actor_label=request.api_client.name)
    return 200, {"ErrCode": 0, "ErrMsg": "ok", "OrderID": order.channel_order_id, "WayBillId": order.waybill_no or ""}
