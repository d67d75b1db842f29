"""Tables of the order pages. Only order time is sortable: every other sort over tens of millions of rows
would sort the whole filtered range."""

import django_tables2 as tables
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.humanize import code_label
from core.tables import DateTimeColumn, ListTable, select_column
from core.templatetags.desk import mask_phone
from orders.templatetags.order_tags import state_badge

from .models import ApiClient, ImportJob, OnlineOrder, OutboxMessage


class OrderTable(ListTable):
    ids = select_column(label=lambda record: _("Select order %(id)s") % {"id": record.channel_order_id})
    order_time = DateTimeColumn(verbose_name=_("order time"))
    channel_order_id = tables.Column(
        verbose_name=_("logistics no."), linkify=("orders:order_detail", [tables.A("pk")]), orderable=False
    )
    waybill_no = tables.Column(verbose_name=_("waybill no."), orderable=False, default="—")
    channel = tables.Column(verbose_name=_("channel"), orderable=False)
    business_type = tables.Column(verbose_name=_("business type"), orderable=False)
    is_online = tables.Column(verbose_name=_("online"), orderable=False)
    sender = tables.Column(verbose_name=_("sender"), accessor="sender_name", orderable=False)
    sender_address = tables.Column(verbose_name=_("sender address"), orderable=False)
    state = tables.Column(verbose_name=_("state"), orderable=False)
    site = tables.Column(verbose_name=_("site"), orderable=False)
    courier = tables.Column(verbose_name=_("courier"), orderable=False, default="—")

    site_columns = ("site",)

    class Meta:
        model = OnlineOrder
        fields = (
            "ids",
            "order_time",
            "channel_order_id",
            "waybill_no",
            "channel",
            "business_type",
            "is_online",
            "sender",
            "sender_address",
            "state",
            "site",
            "courier",
        )
        order_by = ("-order_time",)
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "order-table"}
        # the rows written out in a template (the same cells as below, far cheaper than cell by cell)
        template_name = "orders/_order_table.html"

    def render_is_online(self, value):
        return _("Online (线上)") if value else _("Offline (线下)")

    def render_sender(self, value, record):
        return format_html("{} <span class='text-muted'>{}</span>", value, mask_phone(record.sender_phone))

    def render_sender_address(self, value, record):
        return f"{record.sender_district}{value}"

    def render_state(self, value, record):
        return state_badge(record)

    def render_site(self, value):
        return value.name


class UnscannedTable(OrderTable):
    accepted_at = DateTimeColumn(verbose_name=_("accepted at"), orderable=False)
    picked_up_at = DateTimeColumn(verbose_name=_("pickup confirmed"), orderable=False)

    class Meta(OrderTable.Meta):
        fields = (
            "order_time",
            "channel_order_id",
            "waybill_no",
            "channel",
            "is_online",
            "sender",
            "state",
            "accepted_at",
            "picked_up_at",
            "site",
            "courier",
        )
        sequence = fields
        exclude = ("ids", "business_type", "sender_address")
        template_name = settings.DJANGO_TABLES2_TEMPLATE  # other columns: cell by cell


def _label(text):
    """A cell's label when the table is read as cards on a phone (``table-cards``)."""
    return {"td": {"data-label": text}}


class SearchTable(ListTable):
    """The header search's results (``search.order_search``: at most ``LIMIT`` orders, newest first, the id breaking
    ties), shown as the search found them: one page, not sortable."""

    channel_order_id = tables.Column(verbose_name=_("Logistics no."), attrs=_label(_("Logistics no.")))
    waybill_no = tables.Column(verbose_name=_("Waybill no."), default="—", attrs=_label(_("Waybill no.")))
    order_time = DateTimeColumn(verbose_name=_("Order time"), attrs=_label(_("Order time")))
    state = tables.Column(verbose_name=_("State"), attrs=_label(_("State")))
    site = tables.Column(verbose_name=_("Site"), accessor="site__name", attrs=_label(_("Site")))
    sender = tables.Column(verbose_name=_("Sender"), accessor="sender_name", attrs=_label(_("Sender")))
    receiver = tables.Column(verbose_name=_("Receiver"), accessor="receiver_name", attrs=_label(_("Receiver")))

    site_columns = ("site",)

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm table-hover align-middle table-cards", "data-testid": "search-results"}
        row_attrs = {"data-order": lambda record: record.channel_order_id}

    def render_channel_order_id(self, value, record):
        return format_html(
            '<a href="{}">{}</a><div class="small text-muted">{}</div>',
            reverse("orders:order_detail", args=[record.pk]),
            value,
            record.channel.name,
        )

    def value_channel_order_id(self, value):
        return value

    def render_state(self, value, record):
        return state_badge(record)

    def value_state(self, record):
        return record.get_state_display()

    def render_sender(self, value, record):
        return format_html('{} <span class="text-muted">{}</span>', value, mask_phone(record.sender_phone))

    def render_receiver(self, value, record):
        return format_html('{} <span class="text-muted">{}</span>', value, mask_phone(record.receiver_phone))


class CancellationTable(ListTable):
    """撤单处理: an order not handled yet has its checkbox (the page's bulk "mark as handled"); a handled one says
    when it was handled."""

    ids = select_column(label=lambda record: _("Select order %(id)s") % {"id": record.channel_order_id})
    cancelled_at = DateTimeColumn(verbose_name=_("cancelled at"))
    channel_order_id = tables.Column(verbose_name=_("logistics no."), linkify=("orders:order_detail", [tables.A("pk")]))
    channel = tables.Column(verbose_name=_("channel"))
    sender_address = tables.Column(verbose_name=_("Sender district and address"))
    courier = tables.Column(verbose_name=_("courier"), default="—")
    site = tables.Column(verbose_name=_("site"))
    handled = tables.Column(verbose_name=_("Handling"), accessor="cancel_handled_at", empty_values=())

    site_columns = ("site",)

    class Meta:
        model = OnlineOrder
        fields = ("ids", "cancelled_at", "channel_order_id", "channel", "sender_address", "courier", "site", "handled")
        sequence = fields
        orderable = False
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "cancellation-table"}

    def render_ids(self, value, bound_column, record):
        if record.cancel_handled_at:
            return ""
        return bound_column.column.render(value, bound_column, record)

    def render_sender_address(self, value, record):
        return f"{record.sender_district} {value}"

    def render_site(self, value):
        return value.name

    def render_handled(self, value):
        if value:
            return format_html(
                '<span class="badge text-bg-light">{} {}</span>',
                _("Handled (已做)"),
                timezone.localtime(value).strftime("%m-%d %H:%M"),
            )
        return format_html('<span class="badge text-bg-danger">{}</span>', _("Not handled (未做)"))

    def value_handled(self, value):
        if value:
            return f"{_('Handled (已做)')} {timezone.localtime(value).strftime('%Y-%m-%d %H:%M')}"
        return str(_("Not handled (未做)"))


class CallbackTable(ListTable):
    """Status callbacks: each row's checkbox feeds the page's "send the selected again"."""

    ids = select_column(label=lambda record: _("Select callback %(id)s") % {"id": record.pk})
    created_at = DateTimeColumn(verbose_name=_("Created at"))
    client = tables.Column(verbose_name=_("Client"))
    order = tables.Column(
        verbose_name=_("Logistics no."),
        accessor="order__channel_order_id",
        linkify=("orders:order_detail", [tables.A("order_id")]),
    )
    kind = tables.Column(verbose_name=_("Event"))
    attempts = tables.Column(verbose_name=_("Attempts"))
    last_error = tables.Column(verbose_name=_("Last error"), attrs={"td": {"class": "small"}}, default="")

    class Meta:
        model = OutboxMessage
        fields = ("ids", "created_at", "client", "order", "kind", "attempts", "last_error")
        sequence = fields
        orderable = False
        attrs = {"class": "table table-sm bg-white align-middle", "data-testid": "callback-table"}

    def render_client(self, value):
        return value.name

    def render_kind(self, value):
        return code_label(value)

    def render_last_error(self, value):
        return value if len(value) <= 80 else value[:79] + "…"

    def value_last_error(self, value):
        return value


class ImportJobTable(ListTable):
    """HQ's file imports; each row opens its job's page (its check report, its progress, its buttons)."""

    created_at = DateTimeColumn(verbose_name=_("Uploaded at"))
    name = tables.Column(verbose_name=_("File"))
    kind = tables.Column(verbose_name=_("What"))
    total = tables.Column(verbose_name=_("Rows"))
    status = tables.Column(verbose_name=_("Status"))
    open = tables.LinkColumn(
        "orders:import_detail",
        args=[tables.A("pk")],
        accessor="pk",
        text=_("Open"),
        verbose_name="",
        exclude_from_export=True,
    )

    class Meta:
        model = ImportJob
        fields = ("created_at", "name", "kind", "total", "status", "open")
        sequence = fields
        orderable = False
        attrs = {"class": "table table-sm bg-white align-middle", "data-testid": "import-table"}


class ApiClientTable(ListTable):
    """HQ's API clients: each row saves its callback URL and active flag, or issues a new secret, in place."""

    name = tables.Column(verbose_name=_("Name"))
    kind = tables.Column(verbose_name=_("Kind"))
    channel = tables.Column(verbose_name=_("Channel"), default="—")
    adapter = tables.Column(verbose_name=_("Format"))
    key = tables.Column(verbose_name=_("API key"))
    callback_url = tables.TemplateColumn(
        template_name="orders/cells/api_client_callback.html", verbose_name=_("Callback URL")
    )
    actions = tables.TemplateColumn(
        template_name="orders/cells/api_client_actions.html",
        verbose_name="",
        accessor="pk",
        exclude_from_export=True,
    )

    class Meta:
        model = ApiClient
        fields = ("name", "kind", "channel", "adapter", "key", "callback_url", "actions")
        sequence = fields
        orderable = False
        attrs = {"class": "table table-sm bg-white align-middle", "data-testid": "api-client-table"}
        empty_text = format_html(
            '<div class="empty-state small">{}</div>', _("No client yet: add one for each channel that pushes orders.")
        )

    def render_name(self, value, record):
        if record.active:
            return value
        return format_html('{} <span class="badge text-bg-secondary">{}</span>', value, _("inactive"))

    def value_name(self, value):
        return value

    def render_channel(self, value):
        return value.name

    def render_key(self, value):
        return format_html("<code>{}</code>", value)

    def value_key(self, value):
        return value

    def value_callback_url(self, record):
        return record.callback_url
