"""The filters of the desk lists (``core.filters.ListFilter``): 网点接单, 网点揽件 and HQ's 分件 queue. Small on
purpose: the pages are queues, the most urgent first; a filter only narrows them."""

from __future__ import annotations

from datetime import datetime, timedelta

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import ListFilter
from core.parsing import parse_id
from orders.models import Channel

from .pickup_desk import DUE_CHOICES, SOON_SECONDS


class DeskFilter(ListFilter):
    """What both desk lists filter by: the order's number (物流号 or 运单号, an exact match on an indexed column),
    its channel and, for a clerk with contract areas, the site."""

    q = django_filters.CharFilter(label=_("Logistics no. / waybill no."), method="filter_q")
    channel = django_filters.ModelChoiceFilter(
        label=_("Channel"), queryset=Channel.objects.order_by("name"), empty_label=_("All")
    )
    site = django_filters.CharFilter(label=_("Site code"), method="filter_site")

    site_filters = ("site",)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(channel_order_id=value) | Q(waybill_no=value))

    def filter_site(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(site__code=value) if value else queryset

    @property
    def active(self) -> bool:
        """Whether a filter narrows the list (an unknown value is ignored and narrows nothing)."""
        return (
            self.is_bound and self.form.is_valid() and any(v not in (None, "") for v in self.form.cleaned_data.values())
        )


class WorkbenchFilter(DeskFilter):
    """网点接单."""


class PickupFilter(DeskFilter):
    """网点揽件: also by courier (one of the clerk's active couriers, or none yet) and by time left. ``couriers``
    are the courier choices (the page lists them anyway); ``at`` the moment the page is for."""

    courier = django_filters.ChoiceFilter(label=_("Courier"), method="filter_courier", empty_label=_("All"))
    due = django_filters.ChoiceFilter(
        label=_("Time left"), choices=DUE_CHOICES, method="filter_due", empty_label=_("All")
    )

    def __init__(self, data=None, *args, user, couriers, at: datetime, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        self.at = at
        choices = [("none", _("No courier yet"))] + [(str(c.pk), c.name) for c in couriers]
        self.filters["courier"].extra["choices"] = choices

    def filter_courier(self, queryset, name, value):
        if value == "none":
            return queryset.filter(courier__isnull=True)
        courier_id = parse_id(value)
        return queryset.filter(courier_id=courier_id) if courier_id is not None else queryset

    def filter_due(self, queryset, name, value):
        soon_edge = self.at + timedelta(seconds=SOON_SECONDS)
        if value == "soon":
            return queryset.filter(pickup_due_at__gte=self.at, pickup_due_at__lte=soon_edge)
        if value == "later":
            return queryset.filter(pickup_due_at__gt=soon_edge)
        if value == "late":
            return queryset.filter(pickup_due_at__lt=self.at)
        return queryset


class DataCenterFilter(DeskFilter):
    """分件: the data center's queue by the order's number and channel (its site is always the data center)."""

    site = None
