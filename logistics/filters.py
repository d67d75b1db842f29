"""The partner carriers' list filters (``core.filters.ListFilter``)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import ListFilter

from .models import PartnerCarrier


class CarrierFilter(ListFilter):
    """合作承运商: by code or name (``q``, the page's search box) and whether in use."""

    q = django_filters.CharFilter(label=_("Code or name"), method="filter_q")
    active = django_filters.ChoiceFilter(
        label=_("Active"), choices=(("yes", _("Yes")), ("no", _("No"))), method="filter_active"
    )

    class Meta:
        model = PartnerCarrier
        fields = ["q", "active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset

    def filter_active(self, queryset, name, value):
        return queryset.filter(active=(value == "yes"))
