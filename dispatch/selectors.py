"""Reads of the site's desk that are not about one order: sites whose workbench went silent, and the data
center's 分件 queue as HQ reads it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Case, Exists, F, OuterRef, QuerySet, Value, When
from django.utils.translation import gettext as _

from core import clock, scoping
from core.models import Courier, District, Province, Site, User
from orders.models import EventKind, OnlineOrder, OrderEvent, OrderState

from .models import SiteActivity

SILENT_MINUTES = 20


def silent_sites(*, user: User, at: datetime) -> QuerySet[Site]:
    """Active pickup sites in the user's scope, in provinces now inside service hours, whose workbench has not
    been refreshed for 20 minutes (or ever)."""
    return _silent(scoping.visible_sites(user), scoping.visible_provinces(user), at).order_by("province__code", "code")


def silent_sites_everywhere(*, at: datetime) -> QuerySet[Site]:
    """The same across the whole network (the operators' metrics and alerts)."""
    return _silent(Site.objects.all(), Province.objects.all(), at)


def _silent(sites: QuerySet[Site], provinces, at: datetime) -> QuerySet[Site]:
    open_provinces = [p.pk for p in provinces if clock.in_service_hours(p, at)]
    cutoff = at - timedelta(minutes=SILENT_MINUTES)
    recent = SiteActivity.objects.filter(site=OuterRef("pk"), last_refresh_at__gte=cutoff)
    return (
        sites.filter(active=True, kind=Site.Kind.SITE, is_data_center=False, province_id__in=open_provinces)
        .exclude(Exists(recent))
        .select_related("province", "activity")
    )


def data_center_queue(*, user: User) -> QuerySet[OnlineOrder]:
    """HQ's 分件 queue: the orders waiting at the data center for HQ to send them to a site, the longest-waiting
    order first (order time; ``id`` breaks ties, so that paging never repeats or skips a row)."""
    return (
        OnlineOrder.objects.filter(scoping.unit_q(user), site__is_data_center=True, state=OrderState.PENDING)
        .select_related("channel")
        .order_by("order_time", "id")
    )


def data_center_rows(orders, *, at: datetime) -> list[OnlineOrder]:
    """The 分件 queue's orders with what HQ decides on, in three queries whatever the page's length: ``place`` (the
    sender's city and district: the order's own words, else its district code's names), ``waited`` (minutes since
    the order reached the data center) and ``why`` (why no site took it: the routing note, else the words of the
    transfer or failed accept that sent it there)."""
    orders = list(orders)
    codes = {o.sender_adcode for o in orders if o.sender_adcode and not (o.sender_city and o.sender_district)}
    districts = {d.adcode: d for d in District.objects.filter(adcode__in=codes).select_related("city")}
    arrivals = {}
    for e in (
        OrderEvent.objects.filter(
            order_id__in=[o.pk for o in orders],
            kind__in=[
                EventKind.CREATED,
                EventKind.ENTERED,
                EventKind.TRANSFERRED,
                EventKind.ACCEPT_FAILED,
                EventKind.REROUTED,
            ],
            to_site__is_data_center=True,
        )
        .select_related("site")
        .order_by("order_id", "at", "id")
    ):
        arrivals[e.order_id] = e  # the latest one: the queue holds the order since then
    for o in orders:
        district = districts.get(o.sender_adcode)
        city = o.sender_city or (district.city.name if district else "")
        if city == "市辖区":
            city = ""
        o.place = " ".join(p for p in (city, o.sender_district or (district.name if district else "")) if p) or "—"
        arrival = arrivals.get(o.pk)
        since = arrival.at if arrival else o.created_at
        o.waited = max(int((at - since).total_seconds() // 60), 0)
        if o.route_reason:
            o.why = o.route_reason
        elif arrival is not None and arrival.kind not in (EventKind.CREATED, EventKind.ENTERED):
            o.why = _("%(site)s sent it here: %(text)s") % {
                "site": arrival.site.name,
                "text": arrival.text or arrival.get_reason_display() or arrival.get_kind_display(),
            }
        else:
            o.why = _("No site serves this address.")
    return orders


def site_couriers(*, user) -> QuerySet[Courier]:
    """The clerk's couriers (their site's and its contract areas'), active first, as 业务员管理 lists them."""
    return (
        Courier.objects.filter(site_id__in=scoping.clerk_site_ids(user))
        .select_related("site")
        .order_by("-active", "site_id", "name")
    )


def pending_orders(*, user: User) -> QuerySet[OnlineOrder]:
    """网点接单's queue: the orders waiting for the answer of the clerk's site (and its contract areas), the most
    urgent first (the earliest accept deadline; ``id`` breaks ties, so that paging never repeats or skips a row).
    Served by the partial index of pending orders by site and deadline."""
    return (
        OnlineOrder.objects.filter(site_id__in=scoping.clerk_site_ids(user), state=OrderState.PENDING)
        .select_related("channel", "site")
        .order_by("accept_due_at", "id")
    )


def pickup_orders(*, user: User, at: datetime) -> QuerySet[OnlineOrder]:
    """网点揽件's list: the accepted orders of the clerk's site (and its contract areas). Those still savable come
    first, the one with least time left on top; then the overdue ones, the most recently overdue first (they can
    still be picked up today, the fine is already due); ``id`` breaks ties. ``late`` says which part a row is in."""
    savable_due = Case(When(pickup_due_at__gte=at, then=F("pickup_due_at")))
    return (
        OnlineOrder.objects.filter(site_id__in=scoping.clerk_site_ids(user), state=OrderState.ACCEPTED)
        .select_related("channel", "site", "courier")
        .annotate(late=Case(When(pickup_due_at__lt=at, then=Value(True)), default=Value(False)))
        .order_by("late", savable_due.asc(nulls_last=True), F("pickup_due_at").desc(), "id")
    )
