"""The tracking page's table of open exceptions (``core.tables.ListTable``)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.tables import DateTimeColumn, ListTable

from .models import WaybillException


class OpenExceptionTable(ListTable):
    raised_at = DateTimeColumn(verbose_name=_("Raised at"))
    waybill_no = tables.Column(
        verbose_name=_("Waybill no."), linkify=("logistics:track_detail", [tables.A("waybill_no")])
    )
    kind = tables.Column(verbose_name=_("Type"))
    site = tables.Column(verbose_name=_("Site"), accessor="site__name", default="—")
    status = tables.Column(verbose_name=_("State"))
    description = tables.Column(verbose_name=_("Description"), attrs={"td": {"class": "small"}})

    site_columns = ("site",)

    class Meta:
        model = WaybillException
        fields = ("raised_at", "waybill_no", "kind", "site", "status", "description")
        orderable = False
        attrs = {"class": "table table-sm bg-white", "data-testid": "open-exceptions"}
        empty_text = format_html('<div class="empty-state small">{}</div>', _("No open exception."))

    def render_description(self, value):
        return value if len(value) <= 60 else value[:59] + "…"
