import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core import clock, scoping
from core.filters import ListFilter
from core.models import Province
from core.parsing import SaneDateFilter

from .models import Rule, Violation, ViolationStatus


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
