"""网点揽件's live panel: per courier of the clerk's sites, what is assigned (still open), picked up and failed
today, and the open orders due within 2 hours that the courier has not touched (no act of theirs on the phone
since the order was assigned to them) — those are flagged to the clerk. Three grouped queries, however many
couriers. The courier's other rooms (records, account, phone, pages): README.md, "The courier lives in five rooms"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from core import scoping
from core.models import Courier
from orders.models import EventKind, OnlineOrder, OrderEvent, OrderState

from .pickup_desk import SOON_SECONDS


@dataclass
class CourierRow:
    courier: Courier
    assigned: int = 0
    done: int = 0
    failed: int = 0
    has_account: bool = False
    flagged: list = field(default_factory=list)


RECENT_MINUTES = 10


def recently_closed(*, user, at: datetime | None = None) -> list[OnlineOrder]:
    """Orders of the clerk's sites picked up or failed in the last minutes (by a courier's phone, another clerk or
    a scan): the desk marks their rows, which it loaded while they were still open."""
    at = at or timezone.now()
    since = at - timedelta(minutes=RECENT_MINUTES)
    return list(
        OnlineOrder.objects.filter(site_id__in=scoping.clerk_site_ids(user))
        .filter(
            Q(state=OrderState.PICKED_UP, picked_up_at__gte=since)
            | Q(state=OrderState.PICKUP_FAILED, failed_at__gte=since)
        )
        .select_related("courier")
        .only("pk", "channel_order_id", "state", "waybill_no", "courier__name")
        .order_by("-id")[:200]
    )


def courier_panel(*, user, at: datetime | None = None) -> list[CourierRow]:
    at = at or timezone.now()
    site_ids = scoping.clerk_site_ids(user)
    day_start = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    couriers = list(
        Courier.objects.filter(site_id__in=site_ids, active=True)
        .annotate(with_account=Exists(Courier.objects.filter(pk=OuterRef("pk"), account__is_active=True)))
        .order_by("site_id", "name")
    )
    rows = {c.pk: CourierRow(courier=c, has_account=c.with_account) for c in couriers}
    if not rows:
        return []
    counts = (
        OnlineOrder.objects.filter(site_id__in=site_ids, courier_id__in=rows)
        .filter(
            Q(state=OrderState.ACCEPTED)
            | Q(state=OrderState.PICKED_UP, picked_up_at__gte=day_start)
            | Q(state=OrderState.PICKUP_FAILED, failed_at__gte=day_start)
        )
        .values("courier_id")
        .annotate(
            assigned=Count("pk", filter=Q(state=OrderState.ACCEPTED)),
            done=Count("pk", filter=Q(state=OrderState.PICKED_UP)),
            failed=Count("pk", filter=Q(state=OrderState.PICKUP_FAILED)),
        )
    )
    for c in counts:
        row = rows[c["courier_id"]]
        row.assigned, row.done, row.failed = c["assigned"], c["done"], c["failed"]
    # touched: any act of the courier's phone on the order since its latest assignment
    assigned_at = (
        OrderEvent.objects.filter(order_id=OuterRef(OuterRef("pk")), kind=EventKind.COURIER)
        .order_by("-at")
        .values("at")[:1]
    )
    touched = OrderEvent.objects.filter(order_id=OuterRef("pk"), data__source="courier", at__gte=assigned_at)
    flagged = (
        OnlineOrder.objects.filter(
            site_id__in=site_ids,
            state=OrderState.ACCEPTED,
            courier_id__in=rows,
            pickup_due_at__lte=at + timedelta(seconds=SOON_SECONDS),
        )
        .filter(~Exists(touched))
        .order_by("pickup_due_at", "id")
        .only("pk", "channel_order_id", "courier_id", "pickup_due_at", "sender_address")[:200]
    )
    for order in flagged:
        rows[order.courier_id].flagged.append(order)
    return list(rows.values())
