import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.templatetags.desk import cny

from .models import Violation

_STATUS_CSS = {"PROPOSED": "text-bg-warning", "CONFIRMED": "text-bg-danger", "REJECTED": "text-bg-light",
               "VOIDED": "text-bg-secondary", "RECLASSIFIED": "text-bg-light", "CANCELLED": "text-bg-success"}


class ViolationTable(tables.Table):
    occurred_at = tables.Column(verbose_name=_("deadline or act"))
    week = tables.Column(verbose_name=_("week"), orderable=True)
    rule = tables.Column(verbose_name=_("rule"), linkify=("penalties:violation_detail", [tables.A("pk")]))
    order = tables.Column(verbose_name=_("logistics no."), accessor="order__channel_order_id", orderable=False,
                          default="", linkify=lambda record: f"/orders/{record.order_id}/" if record.order_id
                          else f"/work-orders/{record.work_order_id}/")
    site = tables.Column(verbose_name=_("responsible site"), orderable=False)
    province = tables.Column(verbose_name=_("province"), orderable=False)
    fine = tables.Column(verbose_name=_("fine"), orderable=False)
    status = tables.Column(verbose_name=_("status"), orderable=False)
    source = tables.Column(verbose_name=_("source"), orderable=False)

    class Meta:
        model = Violation
        fields = ("occurred_at", "week", "rule", "order", "site", "province", "fine", "status", "source")
        order_by = ("-occurred_at",)
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "violation-table"}

    def render_occurred_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    def render_week(self, value):
        return value.strftime("%G-W%V")

    def render_order(self, value, record):
        return value or record.reference

    def render_site(self, value):
        return f"{value.name}（{value.code}）"

    def render_fine(self, value):
        return cny(value)

    def render_status(self, value, record):
        return format_html('<span class="badge {}">{}</span>', _STATUS_CSS.get(record.status, ""), value)
