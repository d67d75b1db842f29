"""The courier's phone, read side: only the orders assigned to the signed-in courier."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from core import scoping
from orders.models import OnlineOrder, OrderState


def courier_open_orders(*, user) -> QuerySet:
    """The courier's assigned orders still waiting for pickup, the nearest deadline first."""
    if scoping.role_of(user) != scoping.Role.COURIER or not user.courier_id:
        return OnlineOrder.objects.none()
    return (
        OnlineOrder.objects.filter(courier_id=user.courier_id, state=OrderState.ACCEPTED)
        .select_related("channel")
        .order_by("pickup_due_at", "id")
    )


def courier_day_counts(*, user, at: datetime) -> dict:
    """Today's picked-up and failed orders of the courier (Beijing day)."""
    if scoping.role_of(user) != scoping.Role.COURIER or not user.courier_id:
        return {"done": 0, "failed": 0}
    start = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    mine = OnlineOrder.objects.filter(courier_id=user.courier_id)
    return {
        "done": mine.filter(state=OrderState.PICKED_UP, picked_up_at__gte=start).count(),
        "failed": mine.filter(state=OrderState.PICKUP_FAILED, failed_at__gte=start).count(),
    }


def courier_stops(*, user, at: datetime, limit: int = 200) -> list:
    """The courier's stops as the desk orders them: those that can still be saved first, the least time left on
    top; then the overdue ones, the most recently overdue first (they can still be picked up today)."""
    mine = courier_open_orders(user=user)
    savable = list(mine.filter(pickup_due_at__gte=at).order_by("pickup_due_at", "id")[:limit])
    late = list(mine.filter(pickup_due_at__lt=at).order_by("-pickup_due_at", "-id")[: max(limit - len(savable), 0)])
    return savable + late
