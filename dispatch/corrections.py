"""A site corrects a mistyped waybill number (运单号更正) of an order it picked up. The order keeps its state;
one event records the old and the new number (``waybill_corrected``), which the channel hears of through the
status callbacks like any event, and HQ sees among the corrections on its audit page.

Refused when the old number cannot be wrong any more: a pickup scan matched it (the parcel carries it); the
channel issued it (WeChat's number stays the same for an order); or a rule of a higher floor says so — the
rule book registers its own (the week's notice already issued, an audit judged the order) through
``correction_guard_add``, since this floor imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import scoping
from core.waybills import waybill_validate
from orders import workflow
from orders.events import event_record
from orders.exceptions import OrderError, WaybillTaken
from orders.models import EventKind, OnlineOrder, OrderState

#: channels whose waybill numbers they issue themselves and must never change
CHANNEL_ISSUED = {"wechat"}
_guards: list[Callable[[OnlineOrder], str | None]] = []


def correction_guard_add(guard: Callable[[OnlineOrder], str | None]) -> None:
    """A higher floor's rule: ``guard(order)`` answers why the waybill may no longer be corrected, or None."""
    if guard not in _guards:
        _guards.append(guard)


def correction_refusal(order: OnlineOrder) -> str | None:
    """Why this order's waybill number may not be corrected now (None: it may)."""
    if order.state != OrderState.PICKED_UP or not order.waybill_no:
        return _("Only the waybill number of a picked-up order can be corrected.")
    if order.channel.slug in CHANNEL_ISSUED:
        return _("The channel issued this waybill number and it must stay the same for the order.")
    if order.pickup_scan_at:
        return _("A pickup scan already matched waybill %(no)s: the parcel carries that number, so it stands.") % {
            "no": order.waybill_no
        }
    for guard in _guards:
        refusal = guard(order)
        if refusal:
            return refusal
    return None


@transaction.atomic
def order_waybill_correct(
    *, order_id: int, actor, waybill: str, reason: str, at: datetime | None = None
) -> OnlineOrder:
    at = at or timezone.now()
    order = workflow.lock(order_id)
    if scoping.role_of(actor) != scoping.Role.CLERK or not scoping.may_operate_site(actor, order.site_id):
        raise OrderError(_("Only the site that picked the order up corrects its waybill number."))
    refusal = correction_refusal(order)
    if refusal:
        raise OrderError(refusal, field="waybill_no")
    new = waybill_validate(waybill)
    old = order.waybill_no
    if new == old:
        raise OrderError(_("The new waybill number is the same as the old one."), field="waybill_no")
    reason = (reason or "").strip()
    if not reason:
        raise OrderError(_("Say how the mistake was found (e.g. the label shows another number)."), field="text")
    if OnlineOrder.objects.filter(waybill_no=new).exclude(pk=order.pk).exists():
        raise WaybillTaken(
            _("Waybill number %(no)s is already used by another order.") % {"no": new}, field="waybill_no"
        )
    order.waybill_no = new
    try:
        with transaction.atomic():
            workflow.save(order, ["waybill_no"])
    except IntegrityError:
        raise WaybillTaken(
            _("Waybill number %(no)s was just used for another order.") % {"no": new}, field="waybill_no"
        ) from None
    event_record(
        order=order,
        kind=EventKind.WAYBILL_CORRECTED,
        at=at,
        actor=actor,
        from_state=order.state,
        to_state=order.state,
        waybill_no=new,
        text=reason,
        data={"old": old, "new": new},
    )
    return order
