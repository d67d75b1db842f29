"""Writes on the order record from outside the site: intake (a channel, HQ's hand entry), the channel's
changes and cancellations, a site's corrections, and the start of a site's stint. One function per use case;
each is atomic, locks the order it changes and writes its event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, routing
from core.idempotent import insert_once
from core.models import District, Site
from core.signing import new_key, new_secret
from core.textpolicy import CONTROL_RE, text_check, text_problem
from core.waybills import waybill_validate

from . import workflow
from .callback_urls import callback_url_check
from .events import clock_snapshot, deadlines_moved_record, event_record
from .exceptions import ContentConflict, OrderError, WaybillTaken
from .models import (
    ApiClient,
    BusinessType,
    Channel,
    EventKind,
    OnlineOrder,
    OrderCallbackUrl,
    OrderState,
    PickupBinding,
)

#: fields a channel (or HQ's hand entry) supplies
INPUT_FIELDS = (
    "channel_order_id",
    "waybill_no",
    "business_type",
    "is_online",
    "sender_name",
    "sender_phone",
    "sender_province",
    "sender_city",
    "sender_district",
    "sender_address",
    "receiver_name",
    "receiver_phone",
    "receiver_province",
    "receiver_city",
    "receiver_district",
    "receiver_address",
    "goods",
    "weight_kg",
    "window_start",
    "window_end",
    "remark",
    "order_time",
)
#: fields a change (channel) or a correction (site, confirmed with the consumer) may touch before pickup
CHANGE_FIELDS = (
    "sender_name",
    "sender_phone",
    "sender_province",
    "sender_city",
    "sender_district",
    "sender_address",
    "receiver_name",
    "receiver_phone",
    "receiver_province",
    "receiver_city",
    "receiver_district",
    "receiver_address",
    "goods",
    "weight_kg",
    "window_start",
    "window_end",
    "remark",
)
ADDRESS_FIELDS = ("sender_province", "sender_city", "sender_district", "sender_address")
REQUIRED = ("channel_order_id", "sender_name", "sender_phone", "sender_address")


_TEXT_FIELDS = {f.name: f for f in OnlineOrder._meta.concrete_fields if f.get_internal_type() == "CharField"}
_MAX_LENGTHS = {name: f.max_length for name, f in _TEXT_FIELDS.items() if f.max_length}
_UNLIMITED = float("inf")
_BUSINESS_TYPES = frozenset(BusinessType.values)


@dataclass
class Intake:
    order: OnlineOrder
    created: bool


def _clean(data: dict) -> dict:
    """Normalise and check intake/change data; raises ``OrderError`` naming the field."""
    out = {}
    suspect = False
    for key, value in data.items():
        if value is None and key in _TEXT_FIELDS and not _TEXT_FIELDS[key].null:
            value = ""  # null for a text: no text (a change with "remark": null clears the remark)
        if value is not None and not isinstance(value, str) and key in _TEXT_FIELDS:
            value = str(
                value
            )  # a number in a text column (a phone from a spreadsheet) is its text, as the ORM stores it
        if isinstance(value, str):
            value = value.strip()
            if len(value) > _MAX_LENGTHS.get(key, _UNLIMITED):
                suspect = True
        out[key] = value
    # the text policy (core.textpolicy): no control character, no longer than the column. One search over all the
    # texts (bulk intake: 20 of them an order); only a breach looks field by field, to name the first one broken
    if suspect or CONTROL_RE.search("\n".join(v for v in out.values() if isinstance(v, str))):
        for key, value in out.items():
            field = _TEXT_FIELDS.get(key)
            max_length = field.max_length if field else None
            if text_problem(value, max_length=max_length) is not None:
                text_check(value, field=key, max_length=max_length, label=str(field.verbose_name) if field else key)
    if "weight_kg" in out and out["weight_kg"] not in (None, ""):
        try:
            out["weight_kg"] = Decimal(str(out["weight_kg"])).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise OrderError(_("Weight must be a number of kilograms."), field="weight_kg") from None
        if out["weight_kg"] < 0 or out["weight_kg"] >= Decimal("1000000"):
            raise OrderError(_("Weight must be between 0 and 999,999 kg."), field="weight_kg")
    elif "weight_kg" in out:
        out["weight_kg"] = None
    for key in ("window_start", "window_end", "order_time"):
        if key in out and out[key] is not None and not isinstance(out[key], datetime):
            raise OrderError(_("Not a valid time."), field=key)
        if key in out and out[key] is not None and timezone.is_naive(out[key]):
            out[key] = timezone.make_aware(out[key], clock.tz())
    if out.get("business_type") and out["business_type"] not in _BUSINESS_TYPES:
        raise OrderError(_("Unknown business type."), field="business_type")
    if "waybill_no" in out:
        out["waybill_no"] = out["waybill_no"] or None
    return out


def order_time_check(order_time: datetime | None, at: datetime) -> None:
    """An order time later than now (beyond a channel's clock skew) would keep the order's clocks from ever
    running: refused."""
    if order_time is not None and order_time > at + clock.SKEW:
        raise OrderError(
            _("The order time %(t)s is in the future.")
            % {"t": timezone.localtime(order_time, clock.tz()).strftime("%Y-%m-%d %H:%M")},
            field="order_time",
        )


def _check_window(start, end, at: datetime | None) -> None:
    """A window ends after it starts; a window being set (``at``: when) ends within ``clock.WINDOW_AHEAD``."""
    if start and end and end <= start:
        raise OrderError(_("The pickup window must end after it starts."), field="window_end")
    if end and at is not None and end > at + clock.WINDOW_AHEAD:
        raise OrderError(
            _("The pickup window must end within %(days)d days.") % {"days": clock.WINDOW_AHEAD.days},
            field="window_end",
        )


def _province_of(site: Site, adcode: str):
    if site.is_data_center and adcode:
        district = District.objects.filter(adcode=adcode).select_related("province").first()
        if district:
            return district.province
    return site.province


def stint_begin(
    order: OnlineOrder, *, site: Site, at: datetime, adcode: str | None = None, restart_pickup: bool = False
) -> None:
    """The order reaches ``site`` at ``at``: a new stint with the site's own accept clock (none at the data
    center, where the waiting time is HQ's). With ``restart_pickup`` (HQ's dispatch and reopening) the pickup
    clock also starts again from ``at``, so a site is never late for time the order spent with HQ; whoever was
    bound by the old pickup deadline is released from the order's current deadline (a 分件 keeps it bound
    through a ``PickupBinding``, see ``dispatch.services.orders_dispatch``)."""
    order.site = site
    order.province = _province_of(site, adcode if adcode is not None else order.sender_adcode)
    order.stint = (order.stint or 0) + 1
    order.stint_started_at = at
    order.state = OrderState.PENDING
    order.accept_due_at = clock.accept_deadline(order)
    order.courier = None
    order.accepted_at = None
    if restart_pickup:
        order.pickup_started_at = at
        order.pickup_owner, order.pickup_owner_stint = None, None
        order.pickup_due_at = clock.pickup_deadline(order)


def _same_content(order: OnlineOrder, data: dict) -> list[str]:
    """The fields where a repeated intake differs from the stored order."""
    differ = []
    for key, value in data.items():
        if key in ("channel_order_id",):
            continue
        stored = getattr(order, key)
        if key == "waybill_no":
            stored = stored or None
        if stored != value and not (stored in ("", None) and value in ("", None)):
            differ.append(key)
    return differ


def channel_order_id_check(*, channel: Channel, channel_order_id: str) -> None:
    """A channel with an order-id prefix rule (触宝: ``CT_H_``) sends only ids that start with it. No id holds a
    "/": the API addresses an order by its id in the path, where a "/" (even sent as %2F) splits it."""
    if "/" in channel_order_id:
        raise OrderError(
            _("An order id must not contain “/”: the channel could not query or cancel it."), field="channel_order_id"
        )
    prefix = channel.order_id_prefix
    if prefix and not channel_order_id.startswith(prefix):
        raise OrderError(
            _("Order ids of %(channel)s start with %(prefix)s.") % {"channel": channel.name, "prefix": prefix},
            field="channel_order_id",
        )


def order_create(
    *, channel: Channel, data: dict, at: datetime | None = None, actor=None, actor_label: str = ""
) -> Intake:
    """Take in one order: route it, start its clocks, record it. Idempotent on (channel, channel order id):
    a repeat with the same content returns the stored order; a repeat that differs is a conflict."""
    at = at or timezone.now()
    data = _clean({k: v for k, v in data.items() if k in INPUT_FIELDS})
    for key in REQUIRED:
        if not data.get(key):
            raise OrderError(_("This field is required."), field=key)
    if not data.get("order_time"):
        # "now" for a new order; a repeat without an order time is compared on the rest (identical
        # retries arriving together are the same order, never a conflict on a stamped time)
        data.pop("order_time", None)
    order_time_check(data.get("order_time"), at)
    _check_window(data.get("window_start"), data.get("window_end"), at)
    existing = OnlineOrder.objects.filter(channel=channel, channel_order_id=data["channel_order_id"]).first()
    if existing is not None:
        differ = _same_content(existing, data)
        if differ:
            raise ContentConflict(
                _("Order %(id)s was already received with other content (%(fields)s); send a change instead.")
                % {"id": data["channel_order_id"], "fields": ", ".join(differ)},
                field=differ[0],
            )
        return Intake(order=existing, created=False)
    channel_order_id_check(channel=channel, channel_order_id=data["channel_order_id"])
    compared = dict(data)
    data["order_time"] = data.get("order_time") or at
    if data.get("waybill_no"):
        data["waybill_no"] = waybill_validate(data["waybill_no"])
    route = routing.route_address(
        province=data.get("sender_province", ""),
        city=data.get("sender_city", ""),
        district=data.get("sender_district", ""),
        address=data["sender_address"],
    )
    order = OnlineOrder(channel=channel, **data)
    order.sender_adcode = route.adcode
    order.route_reason = route.reason
    order.stint = 0
    stint_begin(order, site=route.site, at=clock.accept_clock_start(order.order_time, at), adcode=route.adcode)
    order.pickup_due_at = clock.pickup_deadline(order)
    order.history_from = at  # its first event (below) is at ``at``

    def same_order():
        # looked up first: an identical copy with a waybill number breaks both unique keys, and it is still the order
        return OnlineOrder.objects.filter(channel=channel, channel_order_id=data["channel_order_id"]).first()

    try:
        order, created = insert_once(lambda: order.save(force_insert=True) or order, same_order)
    except IntegrityError as exc:
        if "order_waybill_unique" in str(exc):
            raise WaybillTaken(
                _("Waybill number %(no)s is already used by another order.") % {"no": data["waybill_no"]},
                field="waybill_no",
            ) from None
        raise
    if not created:
        # another request created the same order a moment ago: answer as the repeat it is
        differ = _same_content(order, compared)
        if differ:
            raise ContentConflict(
                _("Order %(id)s was already received with other content (%(fields)s); send a change instead.")
                % {"id": data["channel_order_id"], "fields": ", ".join(differ)},
                field=differ[0],
            )
        return Intake(order=order, created=False)
    event_record(
        order=order,
        kind=EventKind.ENTERED if actor else EventKind.CREATED,
        at=at,
        actor=actor,
        actor_label=actor_label or channel.name,
        to_state=OrderState.PENDING,
        to_site=route.site,
        text=route.reason,
        data={
            "adcode": route.adcode,
            "accept_due_at": clock.iso(order.accept_due_at),
            "pickup_due_at": clock.iso(order.pickup_due_at),
            # the consumer's window as it arrived: the rule book replays the history from it (penalties.judge)
            **({"window_end": clock.iso(order.window_end)} if order.window_end else {}),
        },
    )
    return Intake(order=order, created=True)


def _jsonable(value):
    if isinstance(value, datetime):
        return clock.iso(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def order_change(
    *,
    order_id: int,
    changes: dict,
    at: datetime | None = None,
    actor=None,
    actor_label: str = "",
    corrected: bool = False,
    note: str = "",
) -> OnlineOrder:
    """A change before pickup: by the channel (``corrected=False``) or a site's correction of details the
    consumer confirmed by phone (``corrected=True``). A new sender district re-routes the order (its own
    event); a new window moves the pickup deadline."""
    at = at or timezone.now()
    order = workflow.lock(order_id)
    workflow.check(order, "correct" if corrected else "change")
    before, before_stint = clock_snapshot(order), order.stint
    changes = _clean({k: v for k, v in changes.items() if k in CHANGE_FIELDS})
    diff = {}
    for key, value in changes.items():
        old = getattr(order, key)
        if old != value and not (old in ("", None) and value in ("", None)):
            diff[key] = [_jsonable(old), _jsonable(value)]
            setattr(order, key, value)
    if not diff:
        raise OrderError(_("Nothing was changed."))
    for key in ("sender_name", "sender_phone", "sender_address"):
        if not getattr(order, key):
            raise OrderError(_("This field is required."), field=key)
    _check_window(order.window_start, order.window_end, at if "window_end" in diff else None)
    if "window_end" in diff and order.window_end is not None and order.window_end <= at:
        # a window that has already ended cannot be asked for: the consumer's visit is over (SPEC §4)
        raise OrderError(
            _("The new pickup window has already ended: choose a window that ends later."), field="window_end"
        )
    if "window_end" in diff:
        order.pickup_due_at = clock.pickup_deadline(order)  # from the same clock start (order time or HQ's restart)
    kind = EventKind.CORRECTED if corrected else EventKind.CHANGED
    event_record(
        order=order,
        kind=kind,
        at=at,
        actor=actor,
        actor_label=actor_label,
        from_state=order.state,
        to_state=order.state,
        text=note,
        data={"changes": diff},
        clock=before,
    )
    if any(key in diff for key in ADDRESS_FIELDS):
        route = routing.route_address(
            province=order.sender_province,
            city=order.sender_city,
            district=order.sender_district,
            address=order.sender_address,
        )
        if route.adcode != order.sender_adcode:
            old_site, old_state = order.site, order.state
            order.sender_adcode = route.adcode
            order.route_reason = route.reason
            if route.site.pk != order.site_id:
                stint_begin(order, site=route.site, at=at, adcode=route.adcode)
                event_record(
                    order=order,
                    kind=EventKind.REROUTED,
                    at=at,
                    actor=actor,
                    actor_label=actor_label,
                    site=old_site,
                    from_state=old_state,
                    to_state=OrderState.PENDING,
                    to_site=route.site,
                    clock=before,
                    stint=before_stint,
                    text=route.reason,
                    data={"adcode": route.adcode, "accept_due_at": clock.iso(order.accept_due_at)},
                )
                order.stint_started_at = at
    order.save()
    return order


@transaction.atomic
def order_cancel(
    *, order_id: int, at: datetime | None = None, actor=None, actor_label: str = "", text: str = ""
) -> OnlineOrder:
    """The channel cancels (撤单) before pickup: every clock stops; the site must acknowledge it."""
    at = at or timezone.now()
    order = workflow.lock(order_id)
    to_state = workflow.check(order, "cancel")
    from_state = order.state
    order.state = to_state
    order.cancelled_at = at
    order.cancel_handled_at = None
    order.save(update_fields=["state", "cancelled_at", "cancel_handled_at", "updated_at"])
    event_record(
        order=order,
        kind=EventKind.CANCELLED,
        at=at,
        actor=actor,
        actor_label=actor_label,
        from_state=from_state,
        to_state=to_state,
        text=text,
    )
    return order


#: the channels of the deck (migration 0002 creates the same rows)
STANDARD_CHANNELS = [
    ("taobao", "LP", "淘宝", ""),
    ("kuaidi100", "KD", "快递100", ""),
    ("wechat", "wx", "百世微信", ""),
    ("website", "wx", "百世快递官网", ""),
    ("crm", "IS", "CRM", ""),
    ("chubao", "CT_H_", "触宝APP", "CT_H_"),
    ("alipay", "ali", "支付宝服务", ""),
    ("hq", "HQ", "总部追加", "HQ"),
]


def channels_ensure() -> dict[str, Channel]:
    """The standard channels (created if an emptied database lacks them), by identifier."""
    for slug, code, name, prefix in STANDARD_CHANNELS:
        Channel.objects.get_or_create(slug=slug, defaults={"code": code, "name": name, "order_id_prefix": prefix})
    return {c.slug: c for c in Channel.objects.all()}


# ---------------------------------------------------------------- API clients (HQ)


def _client_callback_url(url: str) -> str:
    """A client's callback address as HQ typed it: empty, or an http(s) URL to a place callbacks may go
    (``orders.callback_urls``)."""
    url = (url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise OrderError(_("The callback URL is not a valid http(s) address."), field="callback_url") from None
        callback_url_check(url, field="callback_url")
    return url


def _client(client_id: int) -> ApiClient:
    client = ApiClient.objects.filter(pk=client_id).first()
    if client is None:
        raise OrderError(_("No such client."), field="client")
    return client


def api_client_create(
    *, name: str, kind: str, channel: Channel | None, adapter: str, callback_url: str = "", actor=None
) -> tuple[ApiClient, str]:
    """A new client; returns it and its secret, which is shown once."""
    callback_url = _client_callback_url(callback_url)
    if not (name or "").strip():
        raise OrderError(_("Give the client a name."), field="name")
    if kind not in ApiClient.Kind.values:
        raise OrderError(_("Choose what the client is from the list."), field="kind")
    if adapter not in ApiClient.Adapter.values:
        raise OrderError(_("Choose the client's message format from the list."), field="adapter")
    if kind == ApiClient.Kind.CHANNEL and channel is None:
        raise OrderError(_("A channel's client needs its channel."), field="channel")
    secret = new_secret()
    client = ApiClient.objects.create(
        name=name.strip(),
        kind=kind,
        channel=channel if kind == ApiClient.Kind.CHANNEL else None,
        adapter=adapter,
        key=new_key(),
        secret=secret,
        callback_url=callback_url,
        secret_rotated_at=timezone.now(),
    )
    return client, secret


def api_client_rotate(*, client_id: int, actor=None) -> tuple[ApiClient, str]:
    client = _client(client_id)
    client.secret, client.secret_rotated_at = new_secret(), timezone.now()
    client.save(update_fields=["secret", "secret_rotated_at"])
    return client, client.secret


def api_client_update(*, client_id: int, callback_url: str, active: bool, actor=None) -> ApiClient:
    callback_url = _client_callback_url(callback_url)
    client = _client(client_id)
    client.callback_url, client.active = callback_url, active
    client.save(update_fields=["callback_url", "active"])
    return client


def closure_deadlines_shift(*, day, province=None, at: datetime, actor=None, reason: str = "") -> int:
    """A confirmed (or undone) closure day stops (or restarts) the clocks: every open deadline after the day's
    start is recomputed from its own clock start with the new calendar, whenever HQ confirms it (SPEC §4: a
    closure confirmed after the day gives what confirming it before would have). The data center's orders keep their accept clock (it has none) but not their pickup clock;
    HQ's dispatch bindings move like the orders' own deadlines while their order is open. Set-based: the new
    deadlines are computed per order, then written in one UPDATE per table with one "deadline moved" event per
    order (taken before the move). Call inside the caller's transaction. Returns the deadlines moved."""
    start, end = clock.day_bounds(day)
    open_states = [OrderState.PENDING, OrderState.ACCEPTED]
    all_open = OnlineOrder.objects.filter(state__in=open_states).select_related("site__province", "province")
    if province is not None:
        all_open = all_open.filter(province=province)
    moves: dict[int, dict] = {}
    for order in (
        all_open.exclude(site__is_data_center=True)
        .filter(accept_due_at__gt=start, stint_started_at__lt=end, state=OrderState.PENDING)
        .iterator(chunk_size=500)
    ):
        new = clock.accept_deadline(order)
        if new != order.accept_due_at:
            moves.setdefault(order.pk, {})["accept_due_at"] = new
    for order in all_open.filter(pickup_due_at__gt=start).iterator(chunk_size=500):
        new = clock.pickup_deadline(order)
        if new != order.pickup_due_at:
            moves.setdefault(order.pk, {})["pickup_due_at"] = new
    bindings = PickupBinding.objects.filter(due_at__gt=start, order__state__in=open_states).select_related(
        "order__province"
    )
    if province is not None:
        bindings = bindings.filter(order__province=province)
    binding_moves: dict[int, datetime] = {}
    for binding in bindings.iterator(chunk_size=500):
        new = clock.pickup_due(binding.clock_start, binding.window_end, province=binding.order.province)
        if new != binding.due_at:
            binding_moves[binding.pk] = new
            moves.setdefault(binding.order_id, {})["binding_due_at"] = new
    if not moves:
        return 0
    deadlines_moved_record(
        moves, at=at, actor=actor, day=day, text=_("Closure day %(day)s: %(reason)s") % {"day": day, "reason": reason}
    )
    order_ids = [i for i, m in moves.items() if "accept_due_at" in m or "pickup_due_at" in m]
    with connection.cursor() as cursor:
        if order_ids:
            cursor.execute(
                "UPDATE orders_onlineorder o SET accept_due_at = coalesce(m.accept_due, o.accept_due_at), "
                "pickup_due_at = coalesce(m.pickup_due, o.pickup_due_at), updated_at = %s "
                "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS m(id, accept_due, pickup_due) "
                "WHERE o.id = m.id",
                [
                    at,
                    order_ids,
                    [moves[i].get("accept_due_at") for i in order_ids],
                    [moves[i].get("pickup_due_at") for i in order_ids],
                ],
            )
        if binding_moves:
            cursor.execute(
                "UPDATE orders_pickupbinding b SET due_at = m.due FROM unnest(%s::bigint[], %s::timestamptz[]) "
                "AS m(id, due) WHERE b.id = m.id",
                [list(binding_moves), list(binding_moves.values())],
            )
    return sum(("accept_due_at" in m) + ("pickup_due_at" in m) for m in moves.values()) + len(binding_moves)


def wechat_waybill_assign(*, order_id: int, at: datetime | None = None) -> OnlineOrder:
    """WeChat needs the waybill at once, and the same one for the same OrderID: one number per order from a
    sequence (8 followed by eleven digits), given on the first intake, recorded as an event, kept for every repeat."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = OnlineOrder.objects.select_for_update(of=("self",)).get(pk=order_id)
        if locked.waybill_no:
            return locked
        before = clock_snapshot(locked)
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('orders_wechat_waybill_seq')")
            locked.waybill_no = f"8{cursor.fetchone()[0]:011d}"
        locked.updated_at = at
        locked.save(update_fields=["waybill_no", "updated_at"])
        event_record(
            order=locked,
            kind=EventKind.WAYBILL_ASSIGNED,
            at=at,
            actor_label="wechat",
            waybill_no=locked.waybill_no,
            clock=before,
        )
    return locked


def order_callback_url_record(*, order: OnlineOrder, url: str) -> None:
    """A Kuaidi100 order's own callback address (checked by the adapter before)."""
    OrderCallbackUrl.objects.create(order=order, url=url)
