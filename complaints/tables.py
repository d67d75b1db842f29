"""The work-order list's table (``core.tables.ListTable``): the page and its export."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import scoping
from core.tables import DATE_CELL, DateTimeColumn, ListTable, full_time, time_cell
from core.templatetags.desk import iso, mask_phone
from orders import selectors as order_selectors

from .models import WorkOrder, WorkOrderState

RUNNING = (WorkOrderState.OPEN, WorkOrderState.SENT_BACK)


class WorkOrderTable(ListTable):
    due_at = tables.Column(verbose_name=_("Answer due"), attrs={"td": {"class": DATE_CELL}})
    wo_id = tables.Column(verbose_name=_("Work order"), linkify=("complaints:detail", [tables.A("pk")]))
    type = tables.Column(verbose_name=_("Type"))
    waybill_no = tables.Column(verbose_name=_("Waybill no."))
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__name", default="—")
    consumer = tables.Column(verbose_name=_("Consumer"), accessor="consumer_name", empty_values=())
    state = tables.Column(verbose_name=_("State"))
    raised_at = DateTimeColumn(verbose_name=_("Raised at"))
    answered_at = DateTimeColumn(verbose_name=_("Answered at"))

    site_columns = ("unit",)

    class Meta:
        model = WorkOrder
        fields = ("due_at", "wo_id", "type", "waybill_no", "unit", "consumer", "state", "raised_at", "answered_at")
        orderable = False
        attrs = {"class": "table table-sm table-hover bg-white align-middle", "data-testid": "wo-table"}
        empty_text = format_html(
            '<div class="empty-state small">{}</div>',
            _("No work order here. New ones from Cainiao appear by themselves, with a message to the unit."),
        )

    def render_due_at(self, value, record):
        """While the unit owes the answer: the time left, ticking; afterwards the deadline it had."""
        if record.state in RUNNING:
            return format_html(
                '<span class="countdown" data-due="{}" data-warn="7200" title="{}"></span>',
                iso(value),
                full_time(value),
            )
        return time_cell(value)

    def value_due_at(self, value):
        return value

    def render_waybill_no(self, value, record):
        """The waybill leads to its order's timeline (or, for the nation's roles, to its scans)."""
        if not hasattr(self, "_waybill_orders"):
            waybills = [row.waybill_no for row in (self.page.object_list if hasattr(self, "page") else self.data)]
            self._waybill_orders = order_selectors.waybill_order_ids(user=self.viewer, waybills=waybills)
        return render_to_string(
            "complaints/_waybill.html",
            {
                "waybill": value,
                "order_id": self._waybill_orders.get(value),
                "tracked": scoping.is_national(self.viewer),
            },
        )

    def value_waybill_no(self, value):
        return value

    def render_consumer(self, value, record):
        return format_html('{} <span class="text-muted">{}</span>', value, mask_phone(record.consumer_phone))

    def render_state(self, value):
        return format_html('<span class="badge text-bg-light">{}</span>', value)
