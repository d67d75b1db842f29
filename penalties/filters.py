from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock, scoping
from core.filters import ListFilter
from core.models import Province
from core.parsing import SaneDateFilter
from orders.models import EventKind, OnlineOrder, OrderEvent, OrderState

from .models import Report, Rule, RuleVersion, Violation, ViolationStatus
from .selectors import DEADLINE_ACCEPT, DEADLINE_PICKUP, waybill_suspects

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


#: 稽核's kinds of order to pick from; an empty choice picks the failed ones
AUDIT_KINDS = [
    ("failed", _("Failed (accept or pickup)")),
    ("picked_up", _("Picked up")),
    ("reappointed", _("Re-appointed")),
    ("transferred", _("Transferred")),
    ("waybill_suspect", _("Waybill contradicted by the scans")),
    ("waybill_corrected", _("Waybill number corrected by the site")),
    ("all", _("All")),
]
AUDIT_EVENT_KINDS = {
    "reappointed": EventKind.REAPPOINTED,
    "transferred": EventKind.TRANSFERRED,
    "waybill_corrected": EventKind.WAYBILL_CORRECTED,
}
AUDIT_SAMPLE_MAX = 500


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


class AuditFilter(ListFilter):
    """稽核: orders placed within [date_from, date_to] (the seven days ending today unless told), of one kind (the
    failed ones unless told), at one site, or a random sample of them. A form in error picks nothing."""

    date_from = SaneDateFilter(
        label=_("Ordered from"), method="filter_window", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = SaneDateFilter(
        label=_("Ordered to"), method="filter_window", widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = django_filters.ChoiceFilter(label=_("Orders"), choices=AUDIT_KINDS, empty_label=None, method="filter_window")
    site = django_filters.CharFilter(label=_("Site code"), max_length=16, method="filter_site")
    sample = IntegerFilter(label=_("Random sample of"), min_value=1, max_value=AUDIT_SAMPLE_MAX, method="filter_sample")

    site_filters = ("site",)

    class Meta:
        model = OnlineOrder
        fields = ["date_from", "date_to", "kind", "site", "sample"]

    def filter_queryset(self, queryset):
        """The window and the kind apply with their defaults whatever was given; then the site, then the sample."""
        if not self.form.is_valid():
            return queryset.none()
        data = self.form.cleaned_data
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or date_to - timedelta(days=6)
        queryset = queryset.filter(
            order_time__gte=clock.day_start(date_from), order_time__lt=clock.day_start(date_to + timedelta(days=1))
        )
        kind = data.get("kind") or "failed"
        if kind == "failed":
            queryset = queryset.filter(state__in=[OrderState.ACCEPT_FAILED, OrderState.PICKUP_FAILED])
        elif kind == "picked_up":
            queryset = queryset.filter(state=OrderState.PICKED_UP)
        elif kind == "waybill_suspect":  # FALSE_WAYBILL found, not only alleged: the queue to work through
            queryset = waybill_suspects(queryset)
        elif kind in AUDIT_EVENT_KINDS:
            events = OrderEvent.objects.filter(order=OuterRef("pk"), kind=AUDIT_EVENT_KINDS[kind])
            queryset = queryset.filter(Exists(events))
        return super().filter_queryset(queryset)

    def filter_window(self, queryset, name, value):
        return queryset  # applied in filter_queryset, defaults included

    def filter_site(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(site__code=value) if value else queryset

    def filter_sample(self, queryset, name, value):
        """``value`` orders drawn at random from those picked, listed in the list's own order."""
        drawn = list(queryset.order_by("?").values_list("pk", flat=True)[:value])
        return queryset.filter(pk__in=drawn)


class ReportFilter(ListFilter):
    """The reports by kind and province (the provinces the viewer sees)."""

    kind = django_filters.ChoiceFilter(label=_("Report"), choices=Report.Kind.choices, empty_label=_("All"))
    province = django_filters.ModelChoiceFilter(
        label=_("Province"), queryset=Province.objects.none(), empty_label=_("All")
    )

    class Meta:
        model = Report
        fields = ["kind", "province"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        self.filters["province"].queryset = scoping.visible_provinces(user)


RULE_STATES = [("in_force", _("in force")), ("scheduled", _("scheduled")), ("past", _("superseded"))]


class RuleVersionFilter(ListFilter):
    """The rule book's versions: one rule's, and those in force, scheduled or superseded now. (``rule``, not
    ``code``: the page's ``?code=`` fills the new-version form.)"""

    rule = django_filters.ChoiceFilter(label=_("Rule"), field_name="code", choices=Rule.choices)
    state = django_filters.ChoiceFilter(label=_("Status"), choices=RULE_STATES, method="filter_state")

    class Meta:
        model = RuleVersion
        fields = ["rule", "state"]

    def __init__(self, *args, in_force: dict[str, int], now, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_force, self.now = in_force, now

    def filter_state(self, queryset, name, value):
        current = list(self.in_force.values())
        if value == "in_force":
            return queryset.filter(pk__in=current)
        if value == "scheduled":
            return queryset.filter(effective_from__gt=self.now)
        return queryset.filter(effective_from__lte=self.now).exclude(pk__in=current)
