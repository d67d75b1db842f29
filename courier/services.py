"""The courier's phone, write side: one-time sign-in codes, and the acts the phone sends (applied exactly once
on the id the phone made, answered plainly when the order changed meanwhile). Every change of an order goes
through ``dispatch.services`` (the desk's own services: the same events, with ``source: courier``); an order
without a waybill can take the next e-waybill number of the site's ranges (``inventory.services``). The courier's
other rooms (records, account, the desk's panel and pages): README.md, "The courier lives in five rooms"."""

from __future__ import annotations

import base64
import hashlib
import io
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from core import scoping
from core.clock import iso as clock_iso
from core.exceptions import DomainError
from core.models import Courier, User
from core.parsing import parse_moment
from dispatch import services as desk
from inventory.services import waybill_next
from orders.models import EventKind, FailReason, OnlineOrder, OrderEvent, OrderState
from orders.selectors import order_events
from people.services import courier_account_open

from .exceptions import ActError, SignInError
from .models import CourierAct, DoorPhoto, SignInCode

SIGNIN_MINUTES = 10
Kind, Outcome = CourierAct.Kind, CourierAct.Outcome
Basis = CourierAct.TimeBasis

#: SPEC §4: the phone's act time counts when the act reaches the server within this time of it …
WITNESS_MAX_DELAY = timedelta(hours=24)
#: … and the phone's clock is not ahead of the server's by more than this
WITNESS_MAX_AHEAD = timedelta(minutes=2)

#: the failure reasons a photo can show: a pickup failed for one of them needs a photo taken at the door
PHOTO_REASONS = frozenset({FailReason.PREMISES, FailReason.GOODS, FailReason.WEATHER})
PHOTO_MAX_BYTES = 300 * 1024
PHOTO_MAX_SIDE = 1600


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    secret: str
    user: User
    expires_at: datetime


@transaction.atomic
def signin_code_issue(*, actor, courier: Courier, at: datetime | None = None) -> IssuedCode:
    """A clerk of the courier's site hands the courier a sign-in code (the account is opened the first time).
    Earlier unused codes of that courier stop working: only the newest QR on the desk signs in."""
    at = at or timezone.now()
    user = courier_account_open(actor=actor, courier=courier, at=at)
    SignInCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=at).update(expires_at=at)
    secret = secrets.token_urlsafe(32)
    expires = at + timedelta(minutes=SIGNIN_MINUTES)
    SignInCode.objects.create(digest=_digest(secret), user=user, issued_by=actor, created_at=at, expires_at=expires)
    return IssuedCode(secret=secret, user=user, expires_at=expires)


def signin_code_peek(*, secret: str, at: datetime | None = None) -> SignInCode | None:
    """The code, if it can still sign in (for the confirmation page; nothing is used)."""
    at = at or timezone.now()
    return (
        SignInCode.objects.select_related("user", "user__courier", "user__site")
        .filter(digest=_digest(secret or ""), used_at__isnull=True, expires_at__gt=at)
        .first()
    )


@transaction.atomic
def signin_code_redeem(*, secret: str, at: datetime | None = None) -> User:
    """Use the code once: the courier's account, or an error saying what to do."""
    at = at or timezone.now()
    code = SignInCode.objects.select_for_update().select_related("user").filter(digest=_digest(secret or "")).first()
    if code is None:
        raise SignInError(_("This sign-in code is not valid. Ask the site's clerk for a new QR code."))
    if code.used_at is not None:
        raise SignInError(_("This sign-in code was already used. Ask the site's clerk for a new QR code."))
    if code.expires_at <= at:
        raise SignInError(
            _("This sign-in code has expired (codes are valid for 10 minutes). Ask the site's clerk for a new QR code.")
        )
    user = code.user
    if not user.is_active or scoping.role_of(user) != scoping.Role.COURIER or not user.courier.active:
        raise SignInError(_("This account is deactivated: contact your site."))
    code.used_at = at
    code.save(update_fields=["used_at"])
    return user


# ---------------------------------------------------------------- the acts the phone sends


@dataclass
class ActAnswer:
    client_id: str
    outcome: str
    message: str
    order_id: int | None = None
    state: str = ""
    replay: bool = False

    def as_json(self) -> dict:
        return {
            "id": self.client_id,
            "outcome": self.outcome,
            "message": self.message,
            "order": self.order_id,
            "state": self.state,
            "replay": self.replay,
        }


def _answer(row: CourierAct, *, replay: bool, state: str = "") -> ActAnswer:
    if not state and row.order_id:
        state = OnlineOrder.objects.filter(pk=row.order_id).values_list("state", flat=True).first() or ""
    return ActAnswer(
        client_id=str(row.client_id),
        outcome=row.outcome,
        message=row.message,
        order_id=row.order_id,
        state=state,
        replay=replay,
    )


def _local(raw) -> datetime | None:
    return parse_moment(raw) if raw else None


def _who(event: OrderEvent | None) -> str:
    if event is None:
        return _("someone")
    if event.actor_id:
        name = event.actor.first_name or event.actor.username
        if scoping.role_of(event.actor) == scoping.Role.COURIER:
            return _("courier %(name)s") % {"name": name}
        return _("%(name)s at the site") % {"name": name}
    return event.actor_label or _("a pickup scan")


def _conflict(order: OnlineOrder, user, error: DomainError) -> tuple[str, str]:
    """The plain answer when the order changed since the phone saw it; else the service's own refusal."""
    no = order.channel_order_id
    if order.state == OrderState.CANCELLED:
        return Outcome.CONFLICT, _(
            "The consumer cancelled order %(id)s meanwhile: no pickup is needed, nothing was changed."
        ) % {"id": no}
    if order.state == OrderState.PICKED_UP:
        event = (
            order_events(order=order)
            .filter(to_state=OrderState.PICKED_UP)
            .exclude(from_state=OrderState.PICKED_UP)
            .select_related("actor")
            .order_by("-at", "-id")
            .first()
        )
        mine = event is not None and event.actor_id == user.pk
        if mine:
            return Outcome.CONFLICT, _(
                "You had already picked up order %(id)s (waybill %(no)s): nothing was changed."
            ) % {"id": no, "no": order.waybill_no}
        return Outcome.CONFLICT, _(
            "Order %(id)s was already picked up by %(who)s at %(time)s (waybill %(no)s): "
            "nothing was changed; keep the parcel apart and call the site."
        ) % {
            "id": no,
            "who": _who(event),
            "no": order.waybill_no,
            "time": timezone.localtime(order.picked_up_at).strftime("%H:%M") if order.picked_up_at else "",
        }
    if order.courier_id != user.courier_id:
        return Outcome.CONFLICT, _("Order %(id)s was given to another courier meanwhile: nothing was changed.") % {
            "id": no
        }
    if order.state == OrderState.PICKUP_FAILED:
        return Outcome.CONFLICT, _("Order %(id)s was already marked as pickup failed: nothing was changed.") % {
            "id": no
        }
    if order.state != OrderState.ACCEPTED:
        return Outcome.CONFLICT, _(
            "Order %(id)s no longer waits for your pickup (now: %(state)s): nothing was changed."
        ) % {"id": no, "state": order.get_state_display()}
    return Outcome.REFUSED, str(error.message)


def _apply(
    kind: str, order: OnlineOrder, user, payload: dict, at: datetime, evidence: dict, id_doc: dict | None = None
) -> str:
    """Run the desk's service for the act at the time it counts; returns the success message. A pickup may
    carry the sender's identity check (实名收寄, ``id_doc``), recorded first (never kept in the act's row)."""
    no = order.channel_order_id
    if kind == Kind.CONFIRM and isinstance(id_doc, dict) and id_doc:
        desk.order_sender_id_record(
            order_id=order.pk,
            actor=user,
            doc_type=str(id_doc.get("type") or ""),
            number=str(id_doc.get("number") or ""),
            name=str(id_doc.get("name") or ""),
            at=at,
        )
    if kind == Kind.CONFIRM:
        waybill = str(payload.get("waybill") or "").strip()
        if not waybill and not order.waybill_no and payload.get("ewaybill"):
            waybill = waybill_next(site=order.site, at=at)
        done = desk.order_pickup_confirm(order_id=order.pk, actor=user, waybill=waybill, at=at, evidence=evidence)
        return _("Order %(id)s picked up with waybill %(no)s.") % {"id": no, "no": done.waybill_no}
    if kind == Kind.FAIL:
        desk.order_pickup_fail(
            order_id=order.pk,
            actor=user,
            reason=str(payload.get("reason") or ""),
            text=str(payload.get("text") or ""),
            at=at,
            evidence=evidence,
        )
        return _("Order %(id)s marked as pickup failed.") % {"id": no}
    start, end = _local(payload.get("window_start")), _local(payload.get("window_end"))
    if start is None or end is None:
        raise ActError(_("Give the new window's start and end."), field="window_end")
    done = desk.order_reappoint(
        order_id=order.pk,
        actor=user,
        window_start=start,
        window_end=end,
        text=str(payload.get("text") or ""),
        at=at,
        evidence=evidence,
    )
    return _("Order %(id)s re-appointed: pickup by %(end)s.") % {
        "id": no,
        "end": timezone.localtime(done.window_end).strftime("%Y-%m-%d %H:%M"),
    }


@dataclass(frozen=True)
class Witnessed:
    """When an act counts: the phone's act time brought onto the server's clock, or the time received."""

    at: datetime
    basis: str
    phone_at: datetime | None = None


def witnessed_time(
    *, phone_at: datetime | None, phone_now: datetime | None, received: datetime, assigned_at: datetime | None
) -> Witnessed:
    """The time an act of the phone counts at (SPEC §4 "What stands depends on what happened").

    The phone sends its clock's time of the act and, with each sync, its clock's time of sending: the difference
    between that and the time received is the phone's offset, and the act time is moved by it onto the server's
    clock (a phone set back by half an hour gains nothing). The act time is accepted when it reaches the server
    within 24 hours, when the phone's clock is not ahead of the server's by more than 2 minutes, and when it is not
    earlier than the order's assignment to the courier; it never counts later than it was received. Otherwise the
    act counts when it was received."""
    if phone_at is None:
        return Witnessed(at=received, basis=Basis.RECEIVED)
    clock = phone_now if phone_now is not None else phone_at
    if clock - received > WITNESS_MAX_AHEAD:
        return Witnessed(at=received, basis=Basis.AHEAD, phone_at=phone_at)
    offset = received - phone_now if phone_now is not None else timedelta(0)
    at = min(phone_at + offset, received)
    if received - at > WITNESS_MAX_DELAY:
        return Witnessed(at=received, basis=Basis.LATE, phone_at=phone_at)
    if assigned_at is not None and at < assigned_at:
        return Witnessed(at=received, basis=Basis.BEFORE_ASSIGNMENT, phone_at=phone_at)
    return Witnessed(at=at, basis=Basis.PHONE, phone_at=phone_at)


def _assigned_at(order: OnlineOrder, courier_id, received: datetime) -> datetime | None:
    """When the order was last given to this courier (before the act was received)."""
    return (
        order_events(order=order)
        .filter(kind=EventKind.COURIER, courier_id=courier_id, at__lte=received)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )


def _evidence(row: CourierAct, photos: list[int] | None = None) -> dict:
    """What the act's event keeps beside its time: when it was received, what the phone said, the photos, the
    coarse place and the call to the sender."""
    data = {"received_at": clock_iso(row.received_at), "time_basis": row.time_basis}
    if row.phone_at is not None:
        data["phone_at"] = clock_iso(row.phone_at)
    if photos:
        data["photos"] = photos
    if row.latitude is not None and row.longitude is not None:
        data["geo"] = {"lat": str(row.latitude), "lng": str(row.longitude), "accuracy_m": row.accuracy_m}
    if row.called_at is not None:
        data["called_at"] = clock_iso(row.called_at)
    return data


def _photo(raw) -> bytes | None:
    """The photo the phone sent (a ``data:image/jpeg;base64,…`` text), checked like any attachment: a real JPEG,
    at most 300 KB and 1600 px a side."""
    if not raw:
        return None
    text = str(raw)
    head, _sep, body = text.partition(",")
    if not head.startswith("data:image/jpeg;base64") or len(body) > PHOTO_MAX_BYTES * 4 // 3 + 8:
        raise ActError(_("The photo is not accepted (a JPEG of at most 300 KB): take it again."), field="photo")
    try:
        content = base64.b64decode(body, validate=True)
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            kind, (width, height) = image.format, image.size
    except (ValueError, OSError, Image.DecompressionBombError):
        raise ActError(
            _("The photo is not accepted (a JPEG of at most 300 KB): take it again."), field="photo"
        ) from None
    if kind != "JPEG" or len(content) > PHOTO_MAX_BYTES or max(width, height) > PHOTO_MAX_SIDE:
        raise ActError(_("The photo is not accepted (a JPEG of at most 300 KB): take it again."), field="photo")
    return content


def _place(raw) -> tuple[Decimal, Decimal, int] | None:
    """The phone's coarse place (about 100 m: three decimals) and its accuracy in metres, when it sent one."""
    if not isinstance(raw, dict):
        return None
    try:
        lat, lng = float(raw.get("lat")), float(raw.get("lng"))
        accuracy = int(min(max(float(raw.get("acc") or 0), 0), 100_000))
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat) or math.isnan(lng):
        return None
    return Decimal(f"{lat:.3f}"), Decimal(f"{lng:.3f}"), accuracy


def _called(raw, received: datetime) -> datetime | None:
    """The tap on 📞 before dialing, kept when it is a time of the last day (not after the act was received)."""
    moment = _local(raw)
    if moment is None or moment > received + WITNESS_MAX_AHEAD or moment < received - WITNESS_MAX_DELAY:
        return None
    return min(moment, received)


def _photo_store(row: CourierAct, order: OnlineOrder, content: bytes, at: datetime) -> DoorPhoto:
    with Image.open(io.BytesIO(content)) as image:
        width, height = image.size
    photo = DoorPhoto(act=row, order=order, width=width, height=height, size=len(content), created_at=at)
    photo.file.save(f"{row.client_id}.jpg", ContentFile(content), save=False)
    photo.save(force_insert=True)
    return photo


def _client_id(raw) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError):
        raise ActError(_("The act has no valid id: update the page.")) from None


@transaction.atomic
def courier_act_apply(
    *,
    user,
    client_id,
    kind: str,
    order_id,
    payload: dict | None = None,
    phone_at=None,
    phone_now=None,
    at: datetime | None = None,
) -> ActAnswer:
    """Apply one act of the phone exactly once. The id is claimed first (a unique row): the same id again, even
    at the same moment, waits for the first and gets its answer; nothing is done twice. ``at`` is when the
    server received it, ``phone_at`` the phone's time of the act and ``phone_now`` the phone's time when it sent
    it: the act counts at the witnessed time (``witnessed_time``), and its event keeps both."""
    at = at or timezone.now()
    if scoping.role_of(user) != scoping.Role.COURIER:
        raise ActError(_("Only a courier's phone sends these acts."))
    cid = _client_id(client_id)
    if kind not in Kind.values:
        raise ActError(_("Unknown act."))
    raw = payload or {}
    id_doc = raw.get("id_doc")  # personal data: passed on to its encrypted row, never stored here
    payload = {
        k: v
        for k, v in (payload or {}).items()
        if k in ("waybill", "ewaybill", "reason", "text", "window_start", "window_end")
    }
    try:
        pk = int(order_id)
    except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity (JSON allows it, int() does not)
        pk = 0
    order = OnlineOrder.objects.filter(pk=pk, courier_id=user.courier_id).first() if 0 < pk < 2**63 else None
    if order is None:  # an order that was never this courier's: named nothing (like a missing one)
        order = (
            OnlineOrder.objects.filter(pk=pk, events__courier_id=user.courier_id).distinct().first()
            if 0 < pk < 2**63
            else None
        )
    witnessed = witnessed_time(
        phone_at=_local(phone_at),
        phone_now=_local(phone_now),
        received=at,
        assigned_at=_assigned_at(order, user.courier_id, at) if order is not None else None,
    )
    place = _place(raw.get("geo"))
    row = CourierAct(
        client_id=cid,
        user=user,
        order=order,
        kind=kind,
        payload=payload,
        phone_at=witnessed.phone_at,
        phone_sent_at=_local(phone_now),
        received_at=at,
        counted_at=witnessed.at,
        time_basis=witnessed.basis,
        latitude=place[0] if place else None,
        longitude=place[1] if place else None,
        accuracy_m=place[2] if place else None,
        called_at=_called(raw.get("called_at"), at),
        outcome=Outcome.REFUSED,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        first = CourierAct.objects.get(client_id=cid)
        if first.user_id != user.pk:
            raise ActError(_("The act has no valid id: update the page.")) from None
        return _answer(first, replay=True)
    if order is None:
        row.message = _("No such order among your pickups.")
    else:
        stored = []
        try:
            with transaction.atomic():
                photo = _photo(raw.get("photo"))
                if kind == Kind.FAIL and payload.get("reason") in PHOTO_REASONS and photo is None:
                    raise ActError(
                        _("Take a photo that shows it (the audit looks at it), then record the failure again."),
                        field="photo",
                    )
                if photo is not None:
                    stored.append(_photo_store(row, order, photo, at))
                row.message = _apply(
                    kind, order, user, payload, witnessed.at, _evidence(row, [p.pk for p in stored]), id_doc
                )
            row.outcome = Outcome.APPLIED
        except DomainError as exc:
            for kept in stored:  # the row went with the transaction; its file goes too
                kept.file.delete(save=False)
            order.refresh_from_db()
            row.outcome, row.message = _conflict(order, user, exc)
    row.save(update_fields=["outcome", "message"])
    return _answer(row, replay=False)


def courier_acts_apply(*, user, acts: list, sent_at=None, at: datetime | None = None) -> list[ActAnswer]:
    """A batch from the phone's queue, in the order the courier did them; each on its own. ``sent_at`` is the
    phone's clock when it sent the batch (its offset from the server's clock moves each act's time)."""
    at = at or timezone.now()
    answers = []
    for act in acts[:200]:
        if not isinstance(act, dict):
            continue
        try:
            answers.append(
                courier_act_apply(
                    user=user,
                    client_id=act.get("id"),
                    kind=str(act.get("kind") or ""),
                    order_id=act.get("order"),
                    payload=act,
                    phone_at=act.get("done_at"),
                    phone_now=sent_at,
                    at=at,
                )
            )
        except ActError as exc:
            answers.append(
                ActAnswer(client_id=str(act.get("id") or ""), outcome=Outcome.REFUSED, message=str(exc.message))
            )
    return answers


def courier_acts_erase_personal(*, order_ids: list[int]) -> tuple[int, int]:
    """What the phone sent about these orders (a failure's details, the answer shown) emptied, and the photos at
    the door deleted (the files once the transaction commits; the row keeps that a photo was taken, its size and
    time), once the orders' personal data is erased (``retention``); the act's kind, times and outcome stay.
    Idempotent. Returns (acts, photos) changed."""
    ids = list(order_ids)
    acts = CourierAct.objects.filter(order_id__in=ids).exclude(payload={}, message="").update(payload={}, message="")
    photos = list(DoorPhoto.objects.filter(order_id__in=ids).exclude(file="").values_list("pk", "file"))
    DoorPhoto.objects.filter(pk__in=[pk for pk, _name in photos]).update(file="")
    storage = DoorPhoto._meta.get_field("file").storage
    names = [name for _pk, name in photos]
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return acts, len(photos)
