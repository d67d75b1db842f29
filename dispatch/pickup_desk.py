"""网点揽件 as a scanner desk: what one scan in the scan box means (the list itself is ``selectors.pickup_orders``
with ``filters.PickupFilter``). A scan is read as, in this order:

1. the 物流号 of an accepted order of the clerk's site: an order that already carries its waybill number is
   confirmed with it; one without is *armed* (the next scan is its waybill number) and any order armed before
   is disarmed;
2. the waybill number an accepted order already carries: that order is confirmed (and the armed one disarmed);
3. with an order armed for less than ``ARM_SECONDS``: the waybill number for that order (the format and
   uniqueness rules of ``order_pickup_confirm`` apply); the 物流号 of any other order is never taken for a
   waybill. A refusal is reported by that row and *disarms* the order: after a bad scan, an unrelated parcel's
   number scanned next can never confirm it;
4. anything else: nothing found, said next to the scan box (and nothing stays armed).

The desk also disarms on Esc and shows the armed order (its 物流号 and sender) next to the scan box.

Every write goes through ``services.order_pickup_confirm``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import scoping
from core.exceptions import DomainError
from orders.models import OnlineOrder, OrderState

from . import services

SOON_SECONDS = 7200  # 即将超时: two hours or less left
ARM_SECONDS = 30  # an armed order waits this long for its waybill number

DUE_CHOICES = [
    ("soon", gettext_lazy("Due within 2 hours")),
    ("later", gettext_lazy("More than 2 hours left")),
    ("late", gettext_lazy("Overdue")),
]


def pickup_open_orders(*, user) -> QuerySet:
    """The accepted orders of the clerk's site and its contract areas."""
    return OnlineOrder.objects.filter(
        site_id__in=scoping.clerk_site_ids(user), state=OrderState.ACCEPTED
    ).select_related("channel", "site", "courier")


@dataclass
class ScanOutcome:
    """What one scan did: ``status`` is ``confirmed``, ``armed``, ``refused`` or ``not_found``."""

    status: str
    message: str
    order: OnlineOrder | None = None
    armed_id: int | None = None
    armed_at: datetime | None = None


def _confirm(order: OnlineOrder, *, user, waybill: str, at: datetime) -> ScanOutcome:
    try:
        done = services.order_pickup_confirm(order_id=order.pk, actor=user, waybill=waybill, at=at)
    except DomainError as exc:
        return ScanOutcome("refused", str(exc.message), order)  # disarmed: the next scan starts afresh
    return ScanOutcome(
        "confirmed",
        _("Order %(id)s picked up with waybill %(no)s.") % {"id": done.channel_order_id, "no": done.waybill_no},
        done,
    )


def pickup_scan(
    *, user, code: str, armed_id: int | None = None, armed_at: datetime | None = None, at: datetime | None = None
) -> ScanOutcome:
    """One scan at the desk (see the module's docstring). ``armed_at`` is when the order was armed (an order
    armed without it, or ``ARM_SECONDS`` ago or longer, is not armed any more)."""
    at = at or timezone.now()
    if armed_at is None or not timedelta(0) <= at - armed_at < timedelta(seconds=ARM_SECONDS):
        armed_id = None
    code = (code or "").strip()
    if not code:
        return ScanOutcome("not_found", _("The scan was empty: scan a waybill or a logistics number."))
    open_orders = pickup_open_orders(user=user)
    order = open_orders.filter(channel_order_id=code).first()
    if order is not None:
        if order.waybill_no:
            return _confirm(order, user=user, waybill=order.waybill_no, at=at)
        return ScanOutcome(
            "armed",
            _("Order %(id)s found: now scan its waybill number.") % {"id": order.channel_order_id},
            order,
            armed_id=order.pk,
            armed_at=at,
        )
    order = open_orders.filter(waybill_no=code).first()
    if order is not None:
        return _confirm(order, user=user, waybill=code, at=at)
    armed = open_orders.filter(pk=armed_id).first() if armed_id else None
    if armed is not None:
        other = OnlineOrder.objects.filter(channel_order_id=code).exclude(pk=armed.pk).exists()
        if other:  # another order's 物流号 (picked up, of another site…) is no waybill: refused, disarmed
            return ScanOutcome(
                "refused",
                _(
                    "%(code)s is the logistics number of another order, not a waybill number: nothing was "
                    "changed. Scan order %(id)s's logistics number again, then its waybill."
                )
                % {"code": code[:40], "id": armed.channel_order_id},
                armed,
            )
        return _confirm(armed, user=user, waybill=code, at=at)
    return ScanOutcome(
        "not_found",
        _(
            "No order waiting for pickup at your site has the logistics or waybill "
            "number %(code)s. Scan the order's logistics number first, then its "
            "waybill."
        )
        % {"code": code[:40]},
    )
