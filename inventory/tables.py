"""Tables of the stock pages (``core.tables.ListTable``): a site's stock with its forms, its movements, the items
below their minimum, the e-waybill ranges."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.tables import DateTimeColumn, ListTable

from .models import StockMove


class StockTable(ListTable):
    """One site's items: quantity, minimum and, in cells the export leaves out, the forms that change them."""

    item = tables.Column(verbose_name=_("Item"), accessor="item__name")
    quantity = tables.Column(
        verbose_name=_("In stock"), attrs={"th": {"class": "text-end"}, "td": {"class": "text-end fw-bold"}}
    )
    min = tables.Column(verbose_name=_("Minimum"), attrs={"th": {"class": "text-end"}, "td": {"class": "text-end"}})
    move = tables.TemplateColumn(
        template_name="inventory/cells/stock_move.html",
        verbose_name=_("Received / used / adjusted"),
        accessor="item__pk",
        exclude_from_export=True,
    )
    count = tables.TemplateColumn(
        template_name="inventory/cells/stock_count.html",
        verbose_name=_("Stock-taking"),
        accessor="item__pk",
        exclude_from_export=True,
    )
    set_min = tables.TemplateColumn(
        template_name="inventory/cells/stock_min.html",
        verbose_name=_("Minimum level"),
        accessor="item__pk",
        exclude_from_export=True,
    )

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm bg-white align-middle", "data-testid": "stock-table"}
        row_attrs = {"class": lambda record: "table-warning" if record["low"] else ""}

    def __init__(self, data, *args, site, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.site = site
        self.kinds = StockMove.Kind.choices

    def render_quantity(self, value, record):
        return f"{value} {record['item'].unit}"

    def value_quantity(self, value):
        return value


class MoveTable(ListTable):
    """A site's stock movements, the latest first (``selectors.site_moves``), a page at a time."""

    at = DateTimeColumn(verbose_name=_("Time"))
    item = tables.Column(verbose_name=_("Item"), accessor="consumable__name")
    kind = tables.Column(verbose_name=_("Kind"))
    quantity = tables.Column(
        verbose_name=_("Quantity"), attrs={"th": {"class": "text-end"}, "td": {"class": "text-end"}}
    )
    reason = tables.Column(verbose_name=_("Reason"))
    actor = tables.Column(verbose_name=_("By"))

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm bg-white small", "data-testid": "stock-moves"}
        empty_text = "—"

    def render_kind(self, record):
        return record.get_kind_display()

    def render_actor(self, value):
        return value.get_full_name() or value.username

    value_actor = render_actor


class LowStockTable(ListTable):
    """The items below their minimum across the viewer's sites."""

    site = tables.Column(verbose_name=_("Site"), accessor="site__name")
    item = tables.Column(verbose_name=_("Item"), accessor="item__name")
    quantity = tables.Column(verbose_name=_("In stock"), attrs={"td": {"class": "text-end text-danger"}})
    min = tables.Column(verbose_name=_("Minimum"), attrs={"td": {"class": "text-end"}})

    site_columns = ("site",)

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm bg-white small", "data-testid": "low-stock"}


class RangeTable(ListTable):
    """电子面单: the ranges of the viewer's sites."""

    site = tables.Column(verbose_name=_("Site"), accessor="site__name")
    range = tables.Column(verbose_name=_("Range"), accessor="start", empty_values=())
    next = tables.Column(verbose_name=_("Next"))
    remaining = tables.Column(verbose_name=_("Left"), accessor="remaining", attrs={"th": {"class": "text-end"}})
    created_at = DateTimeColumn(verbose_name=_("Allocated at"))

    site_columns = ("site",)

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm bg-white align-middle", "data-testid": "ranges"}
        empty_text = format_html('<div class="empty-state small">{}</div>', _("No range allocated yet."))

    def render_range(self, record):
        return f"{record.start}–{record.end}"

    def render_remaining(self, value, record):
        css = "text-end text-danger fw-bold" if value < record.warn_below else "text-end"
        return format_html('<span class="d-block {}">{}</span>', css, value)

    def value_remaining(self, value):
        return value
