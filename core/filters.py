import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import scoping
from .models import Message, Province, Site


class SiteFilter(django_filters.FilterSet):
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
        super().__init__(*args, **kwargs)
        # at most ~34 provinces: a select is fine here (sites are searched by text, never listed as options)
        self.filters["province"].queryset = scoping.visible_provinces(user)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__istartswith=value) | Q(name__icontains=value))


class MessageFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("Status"), choices=[("unread", _("Unread")), ("read", _("Read"))], method="filter_state"
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Message.Category.choices)

    class Meta:
        model = Message
        fields = ["state", "category"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(is_read=(value == "read"))
