"""Reads of the order record, already scoped to the user (SPEC §1): clerks see the orders their site or its
contract areas hold, LCS and province managers their province's, HQ and national managers everything."""

from __future__ import annotations

from django.db.models import QuerySet

from core import scoping

from .events import HISTORY_MARGIN
from .imports import HQ_KINDS
from .models import ApiClient, ImportJob, OnlineOrder, OrderEvent, OrderState, OutboxMessage


def orders_for(*, user) -> QuerySet[OnlineOrder]:
    return OnlineOrder.objects.filter(scoping.unit_q(user)).select_related("channel", "site", "courier", "province")


def orders_cancelled(*, user) -> QuerySet[OnlineOrder]:
    """撤单处理: the cancelled orders of the clerk's site and its contract areas, the latest cancellation first (the
    id breaks ties, so pages and exports keep one order)."""
    return (
        OnlineOrder.objects.filter(site_id__in=scoping.clerk_site_ids(user), state=OrderState.CANCELLED)
        .select_related("channel", "site", "courier")
        .order_by("-cancelled_at", "-id")
    )


def waybill_order_ids(*, user, waybills) -> dict[str, int]:
    """The orders the user may see among these waybill numbers: waybill → order id (a work order, a scan names
    its parcel by waybill; the order's page holds its timeline)."""
    wanted = {w for w in waybills if w}
    if not wanted:
        return {}
    return dict(OnlineOrder.objects.filter(scoping.unit_q(user), waybill_no__in=wanted).values_list("waybill_no", "pk"))


def order_events(*, order: OnlineOrder) -> QuerySet[OrderEvent]:
    """The order's events, bounded below by its history's floor (``OnlineOrder.history_from`` less a day) so that the
    months before the order are pruned when the query is planned; unbounded for an order without a floor."""
    events = OrderEvent.objects.filter(order_id=order.pk)
    if order.history_from is not None:
        events = events.filter(at__gte=order.history_from - HISTORY_MARGIN)
    return events


def order_events_many(*, orders) -> QuerySet[OrderEvent]:
    """The events of several orders, bounded below by the lowest floor among them (unbounded if one has none)."""
    orders = list(orders)
    events = OrderEvent.objects.filter(order_id__in=[o.pk for o in orders])
    floors = [o.history_from for o in orders]
    if floors and None not in floors:
        events = events.filter(at__gte=min(floors) - HISTORY_MARGIN)
    return events


def order_timeline(*, order: OnlineOrder) -> QuerySet[OrderEvent]:
    return order_events(order=order).select_related("actor", "site", "to_site", "courier").order_by("at", "id")


def pending_count(*, site_ids: list[int]) -> int:
    """Orders waiting for the site's answer (the banner and the tab title); uses the partial index."""
    return OnlineOrder.objects.filter(site_id__in=site_ids, state=OrderState.PENDING).count()


def pickup_due_soon_count(*, site_ids: list[int], at, within) -> int:
    """Accepted orders whose pickup deadline comes within ``within`` (the header's live warning); uses the partial
    index of accepted orders by site and deadline."""
    return OnlineOrder.objects.filter(
        site_id__in=site_ids, state=OrderState.ACCEPTED, pickup_due_at__gt=at, pickup_due_at__lte=at + within
    ).count()


def callbacks_for(*, user) -> QuerySet[OutboxMessage]:
    """HQ's status callbacks (every channel's: the page is HQ's alone), the newest first and the id breaking ties."""
    return OutboxMessage.objects.select_related("client", "client__channel", "order").order_by("-created_at", "-id")


def import_jobs_for(*, user) -> QuerySet[ImportJob]:
    """HQ's file imports (every kind but accounts, which the people pages import), the newest first and the id
    breaking ties."""
    return (
        ImportJob.objects.filter(kind__in=HQ_KINDS)
        .select_related("created_by", "channel")
        .order_by("-created_at", "-id")
    )


def api_clients_for(*, user) -> QuerySet[ApiClient]:
    """HQ's API clients (the page is HQ's alone), by name with the id breaking ties."""
    return ApiClient.objects.select_related("channel").order_by("name", "id")
