"""The accounts list's table (``core.tables.ListTable``)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.tables import ListTable


class AccountTable(ListTable):
    username = tables.Column(verbose_name=_("User name"), linkify=("people:user_detail", [tables.A("pk")]))
    first_name = tables.Column(verbose_name=_("Name"))
    role = tables.Column(verbose_name=_("Role"))
    unit = tables.Column(verbose_name=_("Site or province"), accessor="pk", empty_values=())
    phone = tables.Column(verbose_name=_("Phone"), default="—")
    is_active = tables.Column(verbose_name=_("State"))

    class Meta:
        model = User
        fields = ("username", "first_name", "role", "unit", "phone", "is_active")
        orderable = False
        attrs = {"class": "table table-sm table-hover bg-white align-middle", "data-testid": "account-table"}
        empty_text = format_html(
            '<div class="empty-state small">{}</div>',
            _("No account matches: change the filters, or create an account."),
        )

    def render_unit(self, record):
        if record.site_id:
            return f"{record.site.code} {record.site.name}"
        if record.province_id:
            return record.province.name
        return _("Nation")

    def render_is_active(self, value):
        if value:
            return _("Active")
        return format_html('<span class="badge text-bg-secondary">{}</span>', _("Deactivated"))
