import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock, scoping
from core.filters import ListFilter
from core.models import Province
from core.parsing import SaneDateFilter
from orders.models import OnlineOrder

from .models import Rule, Violation, ViolationStatus
from .selectors import DEADLINE_ACCEPT, DEADLINE_PICKUP

DEADLINE_CHOICES = ((DEADLINE_ACCEPT, _("Accept (网点接单)")), (DEADLINE_PICKUP, _("Pick up (网点揽件)")))


class ViolationFilter(ListFilter):
    week = SaneDateFilter(
        label=_("Week of (any day)"), method="filter_week", widget=forms.DateInput(attrs={"type": "date"})
    )
    province = django_filters.ModelChoiceFilter(label=_("Province"), queryset=Province.objects.none())
    site = django_filters.CharFilter(label=_("Site code"), method="filter_site")
    rule = django_filters.ChoiceFilter(label=_("Rule"), choices=Rule.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ViolationStatus.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Violation.Source.choices)
    order = django_filters.CharFilter(label=_("Logistics no."), method="filter_order")

    site_filters = ("site",)

    class Meta:
        model = Violation
        fields = ["week", "province", "site", "rule", "status", "source", "order"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        if scoping.is_national(user):
            self.filters["province"].queryset = scoping.visible_provinces(user)
        else:
            del self.filters["province"]
        if scoping.role_of(user) == scoping.Role.CLERK:
            self.filters.pop("site", None)

    def filter_week(self, queryset, name, value):
        return queryset.filter(week=clock.week_monday(value))

    def filter_site(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(site__code=value) if value else queryset

    def filter_order(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(order__channel_order_id=value) if value else queryset


class DeadlineFilter(ListFilter):
    """到期提醒: the running deadlines of the clerk's sites, by kind, site and order."""

    deadline = django_filters.ChoiceFilter(label=_("Deadline"), choices=DEADLINE_CHOICES)
    site = django_filters.CharFilter(label=_("Site code"), method="filter_site")
    order = django_filters.CharFilter(label=_("Logistics no."), method="filter_order")

    site_filters = ("site",)

    class Meta:
        model = OnlineOrder
        fields = ["deadline", "site", "order"]

    def filter_site(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(site__code=value) if value else queryset

    def filter_order(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(channel_order_id=value) | Q(waybill_no=value)) if value else queryset
