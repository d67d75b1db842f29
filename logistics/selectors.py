"""Reads of the tracking side, scoped to the viewer: whether a waybill is theirs to see, its timeline,
exceptions and hand-overs, the open exceptions of their sites, the partner carriers."""

from __future__ import annotations

from django.db.models import QuerySet

from core import scoping
from orders.models import OnlineOrder

from .models import Handover, PartnerCarrier, TrackingEvent, WaybillException

OPEN_EXCEPTION_ROWS = 100


def waybill_visible(*, user, waybill_no: str) -> bool:
    """A clerk sees waybills of its orders or scanned at its sites; an LCS its province's; HQ everything."""
    if scoping.is_national(user):
        return True
    orders = OnlineOrder.objects.filter(scoping.unit_q(user), waybill_no=waybill_no)
    events = TrackingEvent.objects.filter(scoping.site_ids_q(user), waybill_no=waybill_no)
    return orders.exists() or events.exists()


def open_exceptions(*, user) -> QuerySet[WaybillException]:
    """Exceptions not yet closed at the viewer's sites (the model's order), at most ``OPEN_EXCEPTION_ROWS``."""
    return (
        WaybillException.objects.filter(scoping.site_ids_q(user))
        .exclude(status=WaybillException.Status.CLOSED)
        .select_related("site")[:OPEN_EXCEPTION_ROWS]
    )


def waybill_events(*, waybill_no: str) -> QuerySet[TrackingEvent]:
    return TrackingEvent.objects.filter(waybill_no=waybill_no).select_related("site").order_by("scanned_at", "id")


def waybill_exceptions(*, waybill_no: str) -> QuerySet[WaybillException]:
    return WaybillException.objects.filter(waybill_no=waybill_no).prefetch_related("steps__actor")


def waybill_handovers(*, waybill_no: str) -> QuerySet[Handover]:
    return Handover.objects.filter(waybill_no=waybill_no).select_related("carrier", "actor")


def carriers(*, active_only: bool = False) -> QuerySet[PartnerCarrier]:
    """The partner carriers, one list for the whole network (every role reads it, HQ keeps it), by code; the id
    breaks ties."""
    qs = PartnerCarrier.objects.order_by("code", "id")
    return qs.filter(active=True) if active_only else qs
