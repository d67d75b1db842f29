"""The site's operations on orders (网点接单, 网点揽件, 撤单处理), HQ's dispatch (分件) and reopening, and the
pickup scans. This module stands on ``orders``: it changes orders only through ``orders.workflow`` and
``orders.events``, one use case per function, atomic, the row locked, the event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, scoping
from core.exceptions import DomainError
from core.models import Courier, Site
from core.waybills import waybill_validate
from orders import workflow
from orders.events import (
    clock_snapshot,
    event_build,
    event_record,
    event_save,
    events_record,
)
from orders.exceptions import OrderError, OrderOutOfScope, WaybillTaken
from orders.models import (
    EventKind,
    FailReason,
    OnlineOrder,
    OrderState,
    PickupBinding,
    PickupSource,
)
from orders.selectors import order_events
from orders.sender_id import sender_id_required, sender_id_store
from orders.services import stint_begin

from .models import SiteActivity

S = OrderState


@dataclass
class BatchResult:
    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def _was_here(order: OnlineOrder, actor) -> bool:
    """The order was once at one of the clerk's sites (it has been transferred away since)."""
    return order_events(order=order).filter(to_site_id__in=scoping.clerk_site_ids(actor)).exists()


def _is_courier(actor) -> bool:
    return actor is not None and scoping.role_of(actor) == scoping.Role.COURIER


def _guard_courier(order: OnlineOrder, actor) -> None:
    """A courier acts (pickup confirm, pickup fail, re-appointment) only on the orders assigned to them."""
    if not actor.courier_id or order.courier_id != actor.courier_id:
        raise OrderOutOfScope(_("Order %(order)s is not assigned to you.") % {"order": order.channel_order_id})


def _courier_data(actor, evidence: dict | None = None) -> dict:
    """What an act done on the courier's phone adds to its event (``source: courier``), with what the phone
    witnessed (``evidence``: the time received beside the time it counts at, the photo, the place, the call)."""
    return {"source": "courier", **(evidence or {})} if _is_courier(actor) else {}


def _guard_site(order: OnlineOrder, actor, *, courier_may: bool = False) -> None:
    if _is_courier(actor):
        if not courier_may:
            raise OrderOutOfScope()
        _guard_courier(order, actor)
        return
    if not scoping.may_operate_site(actor, order.site_id):
        if scoping.role_of(actor) == scoping.Role.CLERK:
            if not _was_here(order, actor):  # another site's order: answered like a missing one, naming nothing
                raise OrderOutOfScope(_("No such order at your site."))
            raise OrderOutOfScope(
                _("Order %(order)s is no longer at your site (it was transferred); nothing was changed.")
                % {"order": order.channel_order_id}
            )
        raise OrderOutOfScope()


def _due_data(order: OnlineOrder, at: datetime, due) -> dict:
    return {"due_at": clock.iso(due), "late": clock.is_late(at, due)}


def _reason(reason: str, text: str) -> tuple[str, str]:
    if reason not in FailReason.values:
        raise OrderError(_("Choose a reason from the list."), field="reason")
    text = (text or "").strip()
    if not text:
        raise OrderError(_("Describe what happened: the audit reads it."), field="text")
    return reason, text


@transaction.atomic
def order_accept(*, order_id: int, actor, at: datetime | None = None, expect: str | None = S.PENDING) -> OnlineOrder:
    """接单成功."""
    at = at or timezone.now()
    order = workflow.lock(order_id)
    _guard_site(order, actor)
    to_state = workflow.check(order, "accept", expect=expect)
    event_record(
        order=order,
        kind=EventKind.ACCEPTED,
        at=at,
        actor=actor,
        from_state=order.state,
        to_state=to_state,
        data=_due_data(order, at, order.accept_due_at),
    )
    order.state, order.accepted_at = to_state, at
    workflow.save(order, ["state", "accepted_at", "updated_at"])
    return order


@transaction.atomic
def orders_accept_batch(*, order_ids, actor, at: datetime | None = None) -> BatchResult:
    """批量接单成功 of the selected orders: one locking SELECT, one UPDATE and one INSERT of events however many
    are selected. Orders no longer pending, or not at the clerk's site, are reported, not changed."""
    at = at or timezone.now()
    ids = sorted({int(pk) for pk in order_ids})
    result = BatchResult()
    orders = workflow.lock_many(ids)
    found = {o.pk for o in orders}
    result.refused += [(pk, _("No such order at your site.")) for pk in ids if pk not in found]
    accepted = []
    for order in orders:
        if not scoping.may_operate_site(actor, order.site_id):
            # an order that was never at the actor's sites is answered like a missing one, naming nothing
            result.refused.append(
                (
                    order.pk,
                    _("Order %(order)s is no longer at your site.") % {"order": order.channel_order_id}
                    if _was_here(order, actor)
                    else _("No such order at your site."),
                )
            )
        elif order.state != S.PENDING:
            result.refused.append(
                (
                    order.pk,
                    _("Order %(order)s is “%(state)s”: it cannot accept.")
                    % {"order": order.channel_order_id, "state": order.get_state_display()},
                )
            )
        else:
            accepted.append(order)
    if accepted:
        workflow.update_many(
            [o.pk for o in accepted], only_state=S.PENDING, state=S.ACCEPTED, accepted_at=at, updated_at=at
        )
        events_record(
            event_build(
                order=o,
                kind=EventKind.ACCEPTED,
                at=at,
                actor=actor,
                from_state=S.PENDING,
                to_state=S.ACCEPTED,
                data={**_due_data(o, at, o.accept_due_at), "batch": True},
            )
            for o in accepted
        )
        result.done = [o.pk for o in accepted]
    return result


def _transfer_target(to_site: Site, order: OnlineOrder, actor=None) -> None:
    if actor is not None and scoping.role_of(actor) == scoping.Role.CLERK and to_site.pk == actor.site_id:
        raise OrderError(
            _("%(site)s is your own site: transfer to another site or to the data center.") % {"site": to_site.name},
            field="to_site",
        )
    if to_site.pk == order.site_id:
        raise OrderError(_("The order is already at %(site)s.") % {"site": to_site.name}, field="to_site")
    if not to_site.active:
        raise OrderError(
            _("%(site)s is not active: choose another site or the data center.") % {"site": to_site.name},
            field="to_site",
        )
    if not to_site.is_data_center and to_site.kind != Site.Kind.SITE:
        raise OrderError(
            _("%(site)s does not pick up parcels: choose a site or the data center.") % {"site": to_site.name},
            field="to_site",
        )


@transaction.atomic
def order_transfer(
    *, order_id: int, actor, to_site: Site, text: str = "", at: datetime | None = None, expect: str | None = None
) -> OnlineOrder:
    """转单 from PENDING or ACCEPTED to another site or the data center; the receiving site gets its own
    30 minutes from now."""
    at = at or timezone.now()
    order = workflow.lock(order_id)
    _guard_site(order, actor)
    workflow.check(order, "transfer", expect=expect)
    _transfer_target(to_site, order, actor)
    from_site, from_state = order.site, order.state
    due = order.accept_due_at
    event = event_build(
        order=order,
        kind=EventKind.TRANSFERRED,
        at=at,
        actor=actor,
        site=from_site,
        from_state=from_state,
        to_state=S.PENDING,
        to_site=to_site,
        text=text,
        data=_due_data(order, at, due if from_state == S.PENDING else order.pickup_due_at),
    )
    if clock.binds_on_hand_over(accepted=from_state == S.ACCEPTED, at=at, accept_due_at=due):
        # it stays responsible for a pickup deadline that passes before the receiver's accept deadline or while
        # the order waits in the data center
        order.pickup_owner, order.pickup_owner_stint = from_site, event.stint
    stint_begin(order, site=to_site, at=at)
    workflow.save(order)
    event.data["accept_due_at"] = clock.iso(order.accept_due_at)
    event_save(event)
    return order


def _fail(
    *,
    order_id: int,
    actor,
    reason: str,
    text: str,
    at: datetime | None,
    expect: str | None,
    action: str,
    kind: str,
    due_field: str,
    evidence: dict | None = None,
) -> OnlineOrder:
    at = at or timezone.now()
    reason, text = _reason(reason, text)
    order = workflow.lock(order_id)
    _guard_site(order, actor, courier_may=action == "pickup_fail")
    to_state = workflow.check(order, action, expect=expect)
    event_record(
        order=order,
        kind=kind,
        at=at,
        actor=actor,
        from_state=order.state,
        to_state=to_state,
        reason=reason,
        text=text,
        courier=order.courier,
        data={**_due_data(order, at, getattr(order, due_field)), **_courier_data(actor, evidence)},
    )
    order.state, order.failed_at, order.fail_reason, order.fail_text = to_state, at, reason, text
    workflow.save(order, ["state", "failed_at", "fail_reason", "fail_text", "updated_at"])
    return order


@transaction.atomic
def order_accept_fail(
    *, order_id: int, actor, reason: str, text: str, at: datetime | None = None, expect: str | None = S.PENDING
) -> OnlineOrder:
    """接单失败 with a true reason (final for the site)."""
    return _fail(
        order_id=order_id,
        actor=actor,
        reason=reason,
        text=text,
        at=at,
        expect=expect,
        action="accept_fail",
        kind=EventKind.ACCEPT_FAILED,
        due_field="accept_due_at",
    )


@transaction.atomic
def order_courier_assign(*, order_id: int, actor, courier: Courier, at: datetime | None = None) -> OnlineOrder:
    """Assign or reassign the courier of an accepted order."""
    at = at or timezone.now()
    order = workflow.lock(order_id)
    _guard_site(order, actor)
    workflow.check(order, "courier")
    if not courier.active or courier.site_id != order.site_id:
        raise OrderError(
            _("%(name)s is not an active courier of %(site)s.") % {"name": courier.name, "site": order.site.name},
            field="courier",
        )
    if courier.pk == order.courier_id:
        raise OrderError(_("%(name)s is already assigned.") % {"name": courier.name}, field="courier")
    event_record(
        order=order,
        kind=EventKind.COURIER,
        at=at,
        actor=actor,
        from_state=order.state,
        to_state=order.state,
        courier=courier,
        data={"previous_courier": order.courier_id} if order.courier_id else {},
    )
    order.courier = courier
    workflow.save(order, ["courier", "updated_at"])
    return order


def _waybill_free(waybill: str, order: OnlineOrder) -> None:
    other = (
        OnlineOrder.objects.filter(waybill_no=waybill)
        .exclude(pk=order.pk)
        .values_list("channel_order_id", flat=True)
        .first()
    )
    if other:
        raise WaybillTaken(
            _("Waybill number %(no)s is already used by order %(other)s: check the label and enter the number again.")
            % {"no": waybill, "other": other},
            field="waybill_no",
        )


def _pickup(
    order: OnlineOrder,
    *,
    actor,
    waybill: str,
    at: datetime,
    source: str,
    actor_label: str = "",
    kind: str = EventKind.PICKED_UP,
    evidence: dict | None = None,
) -> None:
    to_state = workflow.check(order, "pickup_confirm")
    event_record(
        order=order,
        kind=kind,
        at=at,
        actor=actor,
        actor_label=actor_label,
        from_state=order.state,
        to_state=to_state,
        waybill_no=waybill,
        courier=order.courier,
        data={**_due_data(order, at, order.pickup_due_at), "source": source, **_courier_data(actor, evidence)},
    )
    order.state, order.picked_up_at, order.pickup_source, order.waybill_no = to_state, at, source, waybill
    try:
        with transaction.atomic():
            workflow.save(order, ["state", "picked_up_at", "pickup_source", "waybill_no", "updated_at"])
    except IntegrityError:
        raise WaybillTaken(
            _("Waybill number %(no)s was just used for another order: enter the number again.") % {"no": waybill},
            field="waybill_no",
        ) from None


@transaction.atomic
def order_pickup_confirm(
    *,
    order_id: int,
    actor,
    waybill: str = "",
    at: datetime | None = None,
    expect: str | None = S.ACCEPTED,
    evidence: dict | None = None,
) -> OnlineOrder:
    """揽件确认 with the waybill number (an order that already carries the customer's waybill may omit it)."""
    at = at or timezone.now()
    order = workflow.lock(order_id)
    _guard_site(order, actor, courier_may=True)
    workflow.check(order, "pickup_confirm", expect=expect)
    waybill = (waybill or "").strip() or (order.waybill_no or "")
    waybill = waybill_validate(waybill)
    _waybill_free(waybill, order)
    if sender_id_required(order, at=at):
        raise OrderError(
            _(
                "Order %(order)s needs the sender's identity check (实名收寄) before the pickup: record the "
                "sender's document first."
            )
            % {"order": order.channel_order_id},
            field="id_number",
        )
    _pickup(order, actor=actor, waybill=waybill, at=at, source=PickupSource.CONFIRM, evidence=evidence)
    return order


@transaction.atomic
def order_sender_id_record(
    *, order_id: int, actor, doc_type: str, number: str, name: str, at: datetime | None = None
) -> OnlineOrder:
    """实名收寄: the courier at the door (their own orders) or the site's clerk records the sender's identity
    document of an order waiting for pickup (``orders.sender_id``)."""
    at = at or timezone.now()
    order = workflow.lock(order_id)
    _guard_site(order, actor, courier_may=True)
    workflow.check(order, "pickup_confirm")
    sender_id_store(order=order, actor=actor, doc_type=doc_type, number=number, name=name, at=at)
    return order


def orders_pickup_confirm_batch(*, items: list[tuple[int, str]], actor, at: datetime | None = None) -> BatchResult:
    """Batch 揽件确认: each (order, waybill) on its own; the good ones are confirmed, each bad one is reported
    with its reason and left as it was."""
    at = at or timezone.now()
    result = BatchResult()
    seen: dict[str, int] = {}
    for order_id, waybill in items:
        waybill = (waybill or "").strip()
        if waybill and waybill in seen:
            result.refused.append(
                (order_id, _("Waybill number %(no)s is entered twice in this batch.") % {"no": waybill})
            )
            continue
        try:
            order_pickup_confirm(order_id=order_id, actor=actor, waybill=waybill, at=at)
        except DomainError as exc:
            result.refused.append((order_id, str(exc.message)))
        except OnlineOrder.DoesNotExist:
            result.refused.append((order_id, _("No such order at your site.")))
        else:
            result.done.append(order_id)
            if waybill:
                seen[waybill] = order_id
    return result


@transaction.atomic
def order_pickup_fail(
    *,
    order_id: int,
    actor,
    reason: str,
    text: str,
    at: datetime | None = None,
    expect: str | None = S.ACCEPTED,
    evidence: dict | None = None,
) -> OnlineOrder:
    """揽收失败 with a true reason (final for the site; the channel is told)."""
    return _fail(
        order_id=order_id,
        actor=actor,
        reason=reason,
        text=text,
        at=at,
        expect=expect,
        action="pickup_fail",
        kind=EventKind.PICKUP_FAILED,
        due_field="pickup_due_at",
        evidence=evidence,
    )


@transaction.atomic
def order_reappoint(
    *,
    order_id: int,
    actor,
    window_start: datetime,
    window_end: datetime,
    text: str,
    at: datetime | None = None,
    evidence: dict | None = None,
) -> OnlineOrder:
    """A new pickup window agreed with the consumer: the pickup deadline moves to its end (an event the
    audit can judge false)."""
    at = at or timezone.now()
    order = workflow.lock(order_id)
    _guard_site(order, actor, courier_may=True)
    workflow.check(order, "reappoint")
    text = (text or "").strip()
    if not text:
        raise OrderError(_("Say what was agreed with the consumer, and how (call, message)."), field="text")
    if not window_start or not window_end or window_end <= window_start:
        raise OrderError(_("The new window must end after it starts."), field="window_end")
    if window_end <= at:
        raise OrderError(_("The new window must end in the future."), field="window_end")
    if window_end > at + clock.WINDOW_AHEAD:
        # a later visit is a new order: a window months away would switch the pickup clock off
        raise OrderError(
            _("The new window must end within %(days)d days.") % {"days": clock.WINDOW_AHEAD.days}, field="window_end"
        )
    old_due, old_window_end = order.pickup_due_at, order.window_end
    order.window_start, order.window_end = window_start, window_end
    new_due = clock.pickup_deadline(order)  # the new window's end (never less than 16 hours from the clock start)
    event_record(
        order=order,
        kind=EventKind.REAPPOINTED,
        at=at,
        actor=actor,
        from_state=order.state,
        to_state=order.state,
        text=text,
        data={
            "window_start": clock.iso(window_start),
            "window_end": clock.iso(window_end),
            "previous_due_at": clock.iso(old_due),
            "previous_window_end": clock.iso(old_window_end),
            "due_at": clock.iso(new_due),
            "late": clock.is_late(at, old_due),
            **_courier_data(actor, evidence),
        },
    )
    order.pickup_due_at = new_due
    workflow.save(order, ["window_start", "window_end", "pickup_due_at", "updated_at"])
    return order


@transaction.atomic
def order_waybill_remind(*, order_id: int, actor, at: datetime | None = None) -> OnlineOrder:
    """ "Remind the customer" to supply the waybill of an 在线下单 order (recorded; the channel API delivers it)."""
    at = at or timezone.now()
    order = workflow.lock(order_id)
    _guard_site(order, actor)
    workflow.check(order, "remind_waybill")
    if not order.awaiting_waybill:
        raise OrderError(_("Only an online order (在线下单) without a waybill number awaits one."))
    event_record(
        order=order, kind=EventKind.WAYBILL_REMINDER, at=at, actor=actor, from_state=order.state, to_state=order.state
    )
    order.waybill_reminded_at = at
    workflow.save(order, ["waybill_reminded_at", "updated_at"])
    return order


@transaction.atomic
def orders_cancel_handle(*, order_ids, actor, at: datetime | None = None) -> BatchResult:
    """撤单处理: the site acknowledges cancelled orders (未做 → 已做); set-based."""
    at = at or timezone.now()
    ids = sorted({int(pk) for pk in order_ids})
    orders = workflow.lock_many(ids)
    result = BatchResult()
    todo = []
    for order in orders:
        if not scoping.may_operate_site(actor, order.site_id):
            result.refused.append((order.pk, _("No such order at your site.")))
        elif order.state != S.CANCELLED or order.cancel_handled_at is not None:
            result.refused.append(
                (order.pk, _("Order %(order)s has no open cancellation.") % {"order": order.channel_order_id})
            )
        else:
            todo.append(order)
    result.refused += [(pk, _("No such order at your site.")) for pk in ids if pk not in {o.pk for o in orders}]
    if todo:
        workflow.update_many([o.pk for o in todo], cancel_handled_at=at, updated_at=at)
        events_record(
            event_build(
                order=o, kind=EventKind.CANCEL_HANDLED, at=at, actor=actor, from_state=S.CANCELLED, to_state=S.CANCELLED
            )
            for o in todo
        )
        result.done = [o.pk for o in todo]
    return result


def _require_hq(actor) -> None:
    if scoping.role_of(actor) != scoping.Role.HQ:
        raise OrderOutOfScope(_("Only the HQ e-commerce team may do this."))


@transaction.atomic
def orders_dispatch(*, order_ids, actor, to_site: Site, at: datetime | None = None, text: str = "") -> BatchResult:
    """分件: HQ sends orders waiting in the data center to a site; the site's accept clock starts at the
    dispatch time."""
    at = at or timezone.now()
    _require_hq(actor)
    if to_site.is_data_center:
        raise OrderError(_("Choose a site, not the data center."), field="to_site")
    orders = workflow.lock_many(order_ids)
    result = BatchResult()
    events, bindings = [], []
    for order in orders:
        if order.state != S.PENDING or not order.site.is_data_center:
            result.refused.append(
                (
                    order.pk,
                    _("Order %(order)s is no longer waiting in the data center.") % {"order": order.channel_order_id},
                )
            )
            continue
        try:
            _transfer_target(to_site, order)
        except OrderError as exc:
            result.refused.append((order.pk, str(exc.message)))
            continue
        from_site, before, before_stint = order.site, clock_snapshot(order), order.stint
        if order.pickup_owner_id:
            # the deadline that bound the site which handed the order on still binds it, as if 分件 had not happened
            bindings.append(
                PickupBinding(
                    order=order,
                    site_id=order.pickup_owner_id,
                    stint=order.pickup_owner_stint,
                    clock_start=clock.pickup_clock_start(order),
                    window_end=order.window_end,
                    due_at=order.pickup_due_at,
                    created_at=at,
                )
            )
        stint_begin(order, site=to_site, at=at, restart_pickup=True)
        order.dispatched_at = at
        workflow.save(order)
        events.append(
            event_build(
                order=order,
                kind=EventKind.DISPATCHED,
                at=at,
                actor=actor,
                site=from_site,
                from_state=S.PENDING,
                to_state=S.PENDING,
                to_site=to_site,
                text=text,
                clock=before,
                stint=before_stint,
                data={
                    "accept_due_at": clock.iso(order.accept_due_at),
                    "waited_minutes": round((at - order.order_time).total_seconds() / 60),
                },
            )
        )
        result.done.append(order.pk)
    workflow.pickup_bindings_record(bindings)
    events_record(events)
    return result


@transaction.atomic
def order_reopen(*, order_id: int, actor, to_site: Site, text: str, at: datetime | None = None) -> OnlineOrder:
    """HQ reopens a failed order (the audit found the reason false): PENDING at a site, clocks restarted."""
    at = at or timezone.now()
    _require_hq(actor)
    text = (text or "").strip()
    if not text:
        raise OrderError(_("Say why the order is reopened."), field="text")
    order = workflow.lock(order_id)
    workflow.check(order, "reopen")
    if not to_site.active or (to_site.kind != Site.Kind.SITE and not to_site.is_data_center):
        raise OrderError(_("Choose an active site."), field="to_site")
    from_site, from_state, before, before_stint = order.site, order.state, clock_snapshot(order), order.stint
    stint_begin(order, site=to_site, at=at, restart_pickup=True)
    order.failed_at, order.fail_reason, order.fail_text = None, "", ""
    workflow.save(order)
    event_record(
        order=order,
        kind=EventKind.REOPENED,
        at=at,
        actor=actor,
        site=from_site,
        from_state=from_state,
        to_state=S.PENDING,
        to_site=to_site,
        text=text,
        clock=before,
        stint=before_stint,
        data={"accept_due_at": clock.iso(order.accept_due_at)},
    )
    return order


@dataclass
class ScanResult:
    waybill: str
    order_id: int | None
    completed: bool


@transaction.atomic
def pickup_scan_record(*, waybill: str, scanned_at: datetime, site_code: str = "", operator: str = "") -> ScanResult:
    """A 揽收 scan for ``waybill``: records the first scan time on its order, and completes an ACCEPTED order
    (source: scan). A scan for no known order changes nothing here (the tracking feed keeps it)."""
    waybill = (waybill or "").strip()
    pk = OnlineOrder.objects.filter(waybill_no=waybill).values_list("pk", flat=True).first()
    if pk is None:
        return ScanResult(waybill=waybill, order_id=None, completed=False)
    order = workflow.lock(pk)
    completed = False
    label = " ".join(p for p in (site_code, operator) if p) or _("pickup scan")
    if order.state == S.ACCEPTED:
        _pickup(
            order,
            actor=None,
            actor_label=label,
            waybill=waybill,
            at=scanned_at,
            source=PickupSource.SCAN,
            kind=EventKind.SCANNED,
        )
        completed = True
    elif order.pickup_scan_at is None:
        event_record(
            order=order,
            kind=EventKind.SCANNED,
            at=scanned_at,
            actor_label=label,
            from_state=order.state,
            to_state=order.state,
            waybill_no=waybill,
            data={"site": site_code},
        )
    if order.pickup_scan_at is None or scanned_at < order.pickup_scan_at:
        order.pickup_scan_at = scanned_at
        workflow.save(order, ["pickup_scan_at", "updated_at"])
    return ScanResult(waybill=waybill, order_id=order.pk, completed=completed)


# ---------------------------------------------------------------- the workbench's refresh record

REFRESH_EVERY_SECONDS = 60
#: the minute this process last passed each site's gate: the rest of the minute asks nothing, not even Redis
_noted: dict[int, int] = {}


def site_refresh_note(*, site_id: int, user=None, at=None) -> bool:
    """The workbench's polling as the site's "last refresh", written at most once a minute: a cache gate per
    site and minute (most polls stop there, no SQL), then a conditional UPDATE that writes only when the
    record is a minute old or missing. Answers whether it wrote."""
    at = at or timezone.now()
    minute = int(at.timestamp()) // REFRESH_EVERY_SECONDS
    if _noted.get(site_id) == minute:
        return False
    if len(_noted) > 50_000:
        _noted.clear()
    _noted[site_id] = minute
    if not cache.add(f"q9:site-refresh:{site_id}:{minute}", 1, timeout=2 * REFRESH_EVERY_SECONDS):
        return False
    updated = SiteActivity.objects.filter(
        site_id=site_id, last_refresh_at__lte=at - timedelta(seconds=REFRESH_EVERY_SECONDS)
    ).update(last_refresh_at=at, last_refresh_by=user)
    if updated:
        return True
    _row, created = SiteActivity.objects.get_or_create(
        site_id=site_id, defaults={"last_refresh_at": at, "last_refresh_by": user}
    )
    return created
