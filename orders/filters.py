"""电商订单查询: the filters of SPEC §3 over an indexed column first (order time, or a lookup by 物流号/运单号)."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock, scoping
from core.filters import ListFilter
from core.models import Province, Site
from core.parsing import SaneDateFilter

from .imports import HQ_KINDS
from .models import ApiClient, BusinessType, Channel, ImportJob, OrderState, OutboxMessage

DEFAULT_DAYS = 7
ONLINE_CHOICES = [("1", _("Online (线上)")), ("0", _("Offline (线下)"))]
CANCEL_CHOICES = [("open", _("Not handled (未做)")), ("done", _("Handled (已做)"))]


class OrderFilter(ListFilter):
    q = django_filters.CharFilter(label=_("Logistics no. / waybill no."), method="filter_q")
    date_from = SaneDateFilter(
        label=_("Ordered from"), method="filter_noop", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = SaneDateFilter(
        label=_("Ordered to"), method="filter_noop", widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = django_filters.ModelChoiceFilter(label=_("Channel"), queryset=Channel.objects.all())
    is_online = django_filters.ChoiceFilter(label=_("Online/offline"), choices=ONLINE_CHOICES, method="filter_online")
    business_type = django_filters.ChoiceFilter(label=_("Business type"), choices=BusinessType.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=OrderState.choices)
    cancel = django_filters.ChoiceFilter(
        label=_("Cancellation handling"), choices=CANCEL_CHOICES, method="filter_cancel"
    )
    province = django_filters.ModelChoiceFilter(label=_("Province"), queryset=Province.objects.none())
    site = django_filters.CharFilter(label=_("Site code"), method="filter_site")

    site_filters = ("site",)

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        if scoping.is_national(user):
            self.filters["province"].queryset = scoping.visible_provinces(user)
        else:
            del self.filters["province"]
        today = timezone.localdate()
        self.form.fields["date_from"].widget.attrs["placeholder"] = str(today - timedelta(days=DEFAULT_DAYS - 1))
        self.form.fields["date_to"].widget.attrs["placeholder"] = str(today)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if data.get("q"):
            return queryset  # a lookup by number ignores the date range
        today = timezone.localdate()
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or (date_to - timedelta(days=DEFAULT_DAYS - 1))
        if date_from > date_to:
            date_from, date_to = date_to, date_from
        return queryset.filter(
            order_time__gte=clock.day_start(date_from), order_time__lt=clock.day_start(date_to + timedelta(days=1))
        )

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(channel_order_id=value) | Q(waybill_no=value))

    def filter_online(self, queryset, name, value):
        return queryset.filter(is_online=(value == "1"))

    def filter_cancel(self, queryset, name, value):
        queryset = queryset.filter(state=OrderState.CANCELLED)
        return queryset.filter(cancel_handled_at__isnull=(value == "open"))

    def filter_site(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(site__code=value) if value else queryset


class UnscannedFilter(ListFilter):
    """站点未揽收查询: accepted or confirmed, no pickup scan, by order-time range."""

    date_from = OrderFilter.declared_filters["date_from"]
    date_to = OrderFilter.declared_filters["date_to"]
    is_online = django_filters.ChoiceFilter(label=_("Online/offline"), choices=ONLINE_CHOICES, method="filter_online")
    site = django_filters.CharFilter(label=_("Site code"), method="filter_site")

    filter_noop = OrderFilter.filter_noop
    filter_online = OrderFilter.filter_online
    filter_site = OrderFilter.filter_site

    site_filters = ("site",)

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        if scoping.role_of(user) == scoping.Role.CLERK:
            self.filters.pop("site", None)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or (date_to - timedelta(days=2))
        return queryset.filter(
            order_time__gte=clock.day_start(date_from), order_time__lt=clock.day_start(date_to + timedelta(days=1))
        )


class CancellationFilter(ListFilter):
    """撤单处理: the cancellations not handled yet (``handled=open``, the default), handled (``done``) or ``all``; by
    logistics or waybill number, channel and, for a clerk of several sites, site. The open/done/all switch is the
    page's buttons: the form carries ``handled`` along hidden."""

    handled = django_filters.ChoiceFilter(
        label=_("Handling"), choices=[*CANCEL_CHOICES, ("all", _("All"))], method="filter_handled"
    )
    q = OrderFilter.declared_filters["q"]
    channel = django_filters.ModelChoiceFilter(label=_("Channel"), queryset=Channel.objects.all())
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=Site.objects.none())

    filter_q = OrderFilter.filter_q

    site_filters = ("site",)

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("handled"):
            data["handled"] = "open"
        super().__init__(data, *args, user=user, **kwargs)
        if "site" in self.filters:  # the clerk's site and its contract areas
            self.filters["site"].queryset = Site.objects.filter(pk__in=scoping.clerk_site_ids(user)).order_by("code")
        self.form.fields["handled"].widget = forms.HiddenInput()

    @property
    def switch(self) -> str:
        """The switch's position (``open``, ``done``, ``all``), or "" for a value the page does not offer."""
        self.is_valid()  # the form is cleaned once (filtering the rows did it already)
        return self.form.cleaned_data.get("handled", "")

    def filter_handled(self, queryset, name, value):
        if value == "all":
            return queryset
        return queryset.filter(cancel_handled_at__isnull=(value == "open"))


class CallbackFilter(ListFilter):
    """Status callbacks: failed ones (``status=failed``, the default), waiting or delivered — the page's buttons,
    carried hidden by the form; by channel, client, event and logistics number."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=OutboxMessage.Status.choices)
    channel = django_filters.ModelChoiceFilter(
        label=_("Channel"), queryset=Channel.objects.all(), field_name="client__channel"
    )
    client = django_filters.ModelChoiceFilter(label=_("Client"), queryset=ApiClient.objects.order_by("name"))
    q = django_filters.CharFilter(label=_("Logistics no."), method="filter_q")

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("status"):
            data["status"] = OutboxMessage.Status.FAILED
        super().__init__(data, *args, user=user, **kwargs)
        self.form.fields["status"].widget = forms.HiddenInput()

    @property
    def switch(self) -> str:
        """The status the page shows, or "" for a value it does not offer (then every status)."""
        self.is_valid()  # the form is cleaned once (filtering the rows did it already)
        return self.form.cleaned_data.get("status", "")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(order__channel_order_id=value) if value else queryset


class ImportJobFilter(ListFilter):
    """HQ's file imports by what they import, their state and the channel of an orders file."""

    kind = django_filters.ChoiceFilter(
        label=_("What"), choices=[(v, label) for v, label in ImportJob.Kind.choices if v in HQ_KINDS]
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ImportJob.Status.choices)
    channel = django_filters.ModelChoiceFilter(label=_("Channel (orders)"), queryset=Channel.objects.all())


class ApiClientFilter(ListFilter):
    """HQ's API clients by name, kind, channel and whether they are active."""

    q = django_filters.CharFilter(label=_("Name"), field_name="name", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ApiClient.Kind.choices)
    channel = django_filters.ModelChoiceFilter(label=_("Channel"), queryset=Channel.objects.all())
    active = django_filters.BooleanFilter(label=_("Active"))
