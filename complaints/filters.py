"""The work-order list's filters: its state (「未结」 by default for the units and the province, everything for HQ)
and a lookup by work-order id or waybill number."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import scoping
from core.filters import ListFilter

from .models import WorkOrder, WorkOrderState

NOT_CLOSED = "open"
OPEN_STATES = [WorkOrderState.UNASSIGNED, WorkOrderState.OPEN, WorkOrderState.SENT_BACK, WorkOrderState.ANSWERED]


class WorkOrderFilter(ListFilter):
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[(NOT_CLOSED, _("Not closed")), *WorkOrderState.choices],
        empty_label=_("All"),
        method="filter_state",
    )
    q = django_filters.CharFilter(label=_("Work order id or waybill no."), method="filter_q")

    class Meta:
        model = WorkOrder
        fields = ["state", "q"]

    def __init__(self, data=None, *args, user, **kwargs):
        if data is not None and "state" not in data and scoping.role_of(user) != scoping.Role.HQ:
            data = data.copy()
            data["state"] = NOT_CLOSED  # a unit and the province start on what is still open
        super().__init__(data, *args, user=user, **kwargs)

    def filter_state(self, queryset, name, value):
        if value == NOT_CLOSED:
            return queryset.filter(state__in=OPEN_STATES)
        return queryset.filter(state=value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(waybill_no=value) | Q(wo_id=value)) if value else queryset
