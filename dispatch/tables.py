import django_tables2 as tables
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.humanize import duration_text
from core.models import Site
from core.tables import DATE_CELL, DateTimeColumn, ListTable, full_time, select_column, time_cell
from core.templatetags.desk import mask_phone


class SilentSiteTable(ListTable):
    code = tables.LinkColumn("core:site_detail", args=[tables.A("code")], verbose_name=_("site code"))
    name = tables.Column(verbose_name=_("site name"))
    province = tables.Column(verbose_name=_("province"))
    phone = tables.Column(verbose_name=_("phone"))
    last_refresh = tables.Column(
        verbose_name=_("last refresh"), accessor="pk", orderable=False, attrs={"td": {"class": DATE_CELL}}
    )
    silent = tables.Column(verbose_name=_("silent for"), accessor="pk", orderable=False)

    class Meta:
        model = Site
        fields = ("code", "name", "province", "phone", "last_refresh", "silent")
        orderable = False

    def __init__(self, *args, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now

    def render_last_refresh(self, record):
        try:
            return time_cell(record.activity.last_refresh_at)
        except ObjectDoesNotExist:
            return _("never")

    def value_last_refresh(self, record):
        try:
            return record.activity.last_refresh_at
        except ObjectDoesNotExist:
            return _("never")

    def render_silent(self, record):
        try:
            return duration_text((self.now - record.activity.last_refresh_at).total_seconds())  # 6天10小时
        except ObjectDoesNotExist:
            return "—"


def _label(text):
    """A cell's label when the table is read as cards on a phone (``table-cards``)."""
    return {"td": {"data-label": text}}


class CourierTable(ListTable):
    """业务员管理: the site's courier records, active first; the phone is edited in its cell."""

    name = tables.Column(verbose_name=_("Courier"), attrs=_label(_("Courier")))
    site = tables.Column(verbose_name=_("Site"), attrs=_label(_("Site")))
    phone = tables.TemplateColumn(
        template_name="dispatch/cells/courier_phone.html", verbose_name=_("Phone"), attrs=_label(_("Phone"))
    )
    active = tables.Column(verbose_name=_("State"), attrs=_label(_("State")))
    actions = tables.TemplateColumn(
        template_name="dispatch/cells/courier_actions.html",
        verbose_name=_("Actions"),
        accessor="pk",
        exclude_from_export=True,
        attrs={"th": {"class": "text-end"}, "td": {"class": "text-end"}},
    )

    site_columns = ("site",)

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm align-middle table-cards", "data-testid": "courier-table"}
        row_attrs = {
            "data-courier": lambda record: record.name,
            "class": lambda record: "" if record.active else "text-muted",
        }
        empty_text = format_html(
            '<div class="empty-state">{}</div>',
            _("No courier yet: add the couriers of your site above, then assign them orders on 网点揽件."),
        )

    def render_site(self, value):
        return value.name

    def value_phone(self, record):
        return record.phone

    def render_active(self, value):
        if value:
            return format_html('<span class="badge text-bg-success">{}</span>', _("active"))
        return format_html('<span class="badge text-bg-secondary">{}</span>', _("inactive"))


class WorkbenchTable(ListTable):
    """网点接单: the pending queue, the most urgent first (``selectors.pending_orders``), one page of
    ``WORKBENCH_LIMIT`` rows. The page writes the table itself: the header from these columns, the rows in
    ``dispatch/_workbench_rows.html`` (the same cells, the actions and the countdown from ``dispatch/cells/``),
    the fragment the page's poll answers with; django-tables2's per-cell machinery would cost more than the query
    (tests/dispatch/test_desk_lists.py checks that the header and the rows stay in step)."""

    ids = select_column()
    due = tables.TemplateColumn(
        template_name="dispatch/cells/workbench_due.html", verbose_name=_("Time left"), accessor="accept_due_at"
    )
    channel_order_id = tables.Column(verbose_name=_("Logistics no."))
    site = tables.Column(verbose_name=_("Site"), accessor="site__name")
    channel = tables.Column(verbose_name=_("Channel"), accessor="channel__name")
    order_time = DateTimeColumn(verbose_name=_("Order time"))
    sender_address = tables.Column(verbose_name=_("Sender district and address"))
    sender = tables.Column(verbose_name=_("Sender"), accessor="sender_name")
    window = tables.Column(verbose_name=_("Requested window"), accessor="window_start", default="—")
    remark = tables.Column(verbose_name=_("Remark"))
    actions = tables.TemplateColumn(
        template_name="dispatch/cells/workbench_actions.html",
        verbose_name=_("Actions"),
        accessor="pk",
        exclude_from_export=True,
        attrs={"th": {"class": "text-end"}, "td": {"class": "text-end text-nowrap"}},
    )

    site_columns = ("site",)

    class Meta:
        orderable = False
        attrs = {
            "class": "table table-sm table-hover align-middle table-cards",
            "data-testid": "workbench-table",
            "id": "workbench-table",
            "tabindex": "-1",
            "data-shortcuts": "",
            "data-new-text": _("New"),
            "data-new-said": _("arrived since you last looked"),
        }

    def value_due(self, value):
        return value

    def render_sender_address(self, value, record):
        return f"{record.sender_district} {value}"

    def value_window(self, record):
        if record.window_start is None:
            return ""
        return f"{full_time(record.window_start)}–{timezone.localtime(record.window_end):%H:%M}"

    render_window = value_window


class PickupTable(ListTable):
    """网点揽件: the accepted orders, savable first (``selectors.pickup_orders``). Each row is
    ``dispatch/_pickup_row.html``, the same template that answers a row's own actions in place (courier, confirm,
    a scan), its form cells from ``dispatch/cells/``; it writes the cells of the columns here, in their order."""

    ids = select_column()
    due = tables.TemplateColumn(
        template_name="dispatch/cells/pickup_due.html", verbose_name=_("Time left"), accessor="pickup_due_at"
    )
    channel_order_id = tables.Column(verbose_name=_("Logistics no."))
    site = tables.Column(verbose_name=_("Site"), accessor="site__name")
    sender_address = tables.Column(verbose_name=_("Sender district and address"))
    sender = tables.Column(verbose_name=_("Sender"), accessor="sender_name")
    courier = tables.TemplateColumn(
        template_name="dispatch/cells/pickup_courier.html",
        verbose_name=_("Courier"),
        accessor="courier__name",
        default="—",
    )
    waybill = tables.TemplateColumn(
        template_name="dispatch/cells/pickup_waybill.html", verbose_name=_("Waybill no."), accessor="waybill_no"
    )
    actions = tables.TemplateColumn(
        template_name="dispatch/cells/pickup_actions.html",
        verbose_name=_("Actions"),
        accessor="pk",
        exclude_from_export=True,
        attrs={"th": {"class": "text-end"}, "td": {"class": "text-end text-nowrap"}},
    )

    site_columns = ("site",)

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm table-hover align-middle table-cards", "data-testid": "pickup-table"}

    def value_due(self, value):
        return value

    def value_courier(self, value):
        return value

    def value_waybill(self, value):
        return value

    def render_sender_address(self, value, record):
        return f"{record.sender_district} {value}"


LONG_WAIT_MINUTES = 30  # a row of the 分件 queue that waited longer is marked


def _waited_class(record) -> str:
    return "text-nowrap text-danger fw-semibold" if record.waited > LONG_WAIT_MINUTES else "text-nowrap"


class DataCenterTable(ListTable):
    """分件: the data center's queue, the longest-waiting order first (``selectors.data_center_queue``), a page of
    ``ROWS_PER_PAGE`` rows. The page's rows carry what HQ decides on (``selectors.data_center_rows``: ``place``,
    ``waited``, ``why``), added to the page's rows only; the checkboxes feed the page's bulk 分件 form."""

    ids = select_column(label=lambda record: _("Select order %(id)s") % {"id": record.channel_order_id})
    order_time = DateTimeColumn(verbose_name=_("Order time"))
    waited = tables.Column(
        verbose_name=_("Waited"),
        orderable=False,
        attrs={"td": {"class": _waited_class, "data-testid": "dc-waited"}},
    )
    channel_order_id = tables.Column(
        verbose_name=_("Logistics no."), linkify=("orders:order_detail", [tables.A("pk")]), orderable=False
    )
    channel = tables.Column(
        verbose_name=_("Channel"), accessor="channel__name", orderable=False, attrs={"td": {"class": "text-nowrap"}}
    )
    place = tables.Column(
        verbose_name=_("City and district"),
        orderable=False,
        attrs={"td": {"class": "text-nowrap", "data-testid": "dc-place"}},
    )
    sender_address = tables.Column(verbose_name=_("Sender address"), orderable=False)
    sender_phone = tables.Column(
        verbose_name=_("Sender phone"),
        orderable=False,
        attrs={"td": {"class": "text-nowrap", "data-testid": "dc-phone"}},
    )
    why = tables.Column(
        verbose_name=_("Why no site took it"),
        orderable=False,
        attrs={"td": {"class": "small text-danger", "data-testid": "dc-why"}},
    )

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle mt-2", "data-testid": "dc-table"}
        row_attrs = {"data-testid": "dc-row", "data-order": lambda record: record.pk}

    def render_waited(self, value):
        return duration_text(value * 60)

    def render_sender_phone(self, value):
        return mask_phone(value)

    value_sender_phone = render_sender_phone
