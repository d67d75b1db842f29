import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import scoping
from .models import AlertChannel, AlertMessage, Message, Province, Site
from .selectors import alert_channels_all


class ListFilter(django_filters.FilterSet):
    """A list page's filters (``core.tables.ListTable``'s partner). ``user`` is the viewer: a viewer who sees one
    site gets no ``site_filters`` (the 网点编码 box would offer their own site only)."""

    site_filters: tuple[str, ...] = ()

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        if self.site_filters and scoping.sees_one_site(user):
            for name in self.site_filters:
                self.filters.pop(name, None)


class SiteFilter(ListFilter):
    q = django_filters.CharFilter(label=_("Code or name"), method="filter_q")
    province = django_filters.ModelChoiceFilter(label=_("Province"), queryset=Province.objects.none())
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Site.Kind.choices)
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Site.Level.choices)
    contract_area = django_filters.BooleanFilter(
        label=_("Contract area"), field_name="parent", lookup_expr="isnull", exclude=True
    )
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Site
        fields = ["q", "province", "kind", "level", "contract_area", "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # at most ~34 provinces: a select is fine here (sites are searched by text, never listed as options)
        self.filters["province"].queryset = scoping.visible_provinces(user)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__istartswith=value) | Q(name__icontains=value))


class MessageFilter(ListFilter):
    state = django_filters.ChoiceFilter(
        label=_("Status"), choices=[("unread", _("Unread")), ("read", _("Read"))], method="filter_state"
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Message.Category.choices)

    class Meta:
        model = Message
        fields = ["state", "category"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(is_read=(value == "read"))


class AlertMessageFilter(ListFilter):
    """The latest alerts: by how their delivery stands and by channel (a failed one is sent again from the row)."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=AlertMessage.Status.choices)
    channel = django_filters.ModelChoiceFilter(label=_("Alert channel"), queryset=AlertChannel.objects.none())

    class Meta:
        model = AlertMessage
        fields = ["status", "channel"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["channel"].queryset = alert_channels_all()
