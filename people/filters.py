"""The accounts list's filters: a text box (user name, name, phone, site code or name), the role, active or not."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import ListFilter
from core.models import User

from .selectors import assignable_roles

ACTIVE_CHOICES = [("1", _("Active")), ("0", _("Deactivated"))]


class AccountFilter(ListFilter):
    q = django_filters.CharFilter(label=_("User name, name, phone, site code or name"), method="filter_q")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=User.Role.choices, empty_label=_("All roles"))
    active = django_filters.ChoiceFilter(
        label=_("State"), choices=ACTIVE_CHOICES, empty_label=_("Active and deactivated"), method="filter_active"
    )

    class Meta:
        model = User
        fields = ["q", "role", "active"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, user=user, **kwargs)
        # the select offers the roles this manager gives (a typed ?role= of another kind still filters)
        self.form.fields["role"].widget.choices = [("", _("All roles")), *assignable_roles(user)]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(phone__startswith=value)
            | Q(site__code__startswith=value)
            | Q(site__name__icontains=value)
        )

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "1")
