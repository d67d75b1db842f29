import django_tables2 as tables
from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.humanize import duration_text
from core.models import Site
from core.tables import DATE_CELL, ListTable, time_cell


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
