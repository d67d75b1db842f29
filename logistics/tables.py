"""The tracking page's table of open exceptions and the partner carriers' list (``core.tables.ListTable``)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.tables import DateTimeColumn, ListTable

from .models import PartnerCarrier, WaybillException


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


class CarrierTable(ListTable):
    """合作承运商, by code. HQ keeps them: for HQ (``editable``) each row is a form, its fields in the cells and
    tied to the row's form in the last cell (``form=``), which saves the row."""

    # an empty contact is still a field HQ types into: every cell is rendered, empty or not
    code = tables.Column(empty_values=())
    name = tables.Column(empty_values=())
    contact = tables.Column(empty_values=())
    phone = tables.Column(empty_values=())
    note = tables.Column(empty_values=())
    save = tables.TemplateColumn(
        template_name="logistics/cells/carrier_save.html",
        verbose_name="",
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
    )

    class Meta:
        model = PartnerCarrier
        fields = ("code", "name", "contact", "phone", "note", "active")
        sequence = (*fields, "save")
        orderable = False
        attrs = {"class": "table table-sm bg-white align-middle", "data-testid": "carrier-table"}
        empty_text = format_html('<div class="empty-state small">{}</div>', _("No partner carrier yet."))

    def __init__(self, data=None, *args, viewer, editable: bool = False, exclude=None, **kwargs):
        self.editable = editable
        exclude = tuple(exclude or ()) + (() if editable else ("save",))
        super().__init__(data, *args, viewer=viewer, exclude=exclude, **kwargs)

    def _input(self, record, name, value):
        if not self.editable:
            return value or "—"
        return format_html(
            '<input name="{}" value="{}" form="carrier-{}" class="form-control form-control-sm" aria-label="{}">',
            name,
            value,
            record.pk,
            self.columns[name].header,
        )

    def render_code(self, value, record):
        return self._input(record, "code", value)

    def render_name(self, value, record):
        return self._input(record, "name", value)

    def render_contact(self, value, record):
        return self._input(record, "contact", value)

    def render_phone(self, value, record):
        return self._input(record, "phone", value)

    def render_note(self, value, record):
        return self._input(record, "note", value)

    def render_active(self, value, record):
        if not self.editable:
            return "✓" if value else "—"
        return format_html(
            '<input type="checkbox" name="active" form="carrier-{}" class="form-check-input" aria-label="{}"{}>',
            record.pk,
            self.columns["active"].header,
            " checked" if value else "",
        )
