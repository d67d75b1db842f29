import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Message, Site


class SiteTable(tables.Table):
    code = tables.LinkColumn("core:site_detail", args=[tables.A("code")], verbose_name=_("site code"))
    province = tables.Column(verbose_name=_("province"), order_by=("province__code",))
    district = tables.Column(verbose_name=_("district"), order_by=("district__adcode",))
    parent = tables.Column(verbose_name=_("contract area of"), order_by=("parent__code",))
    active = tables.BooleanColumn(verbose_name=_("active"))

    class Meta:
        model = Site
        fields = ("code", "name", "province", "district", "kind", "level", "parent", "phone", "active")
        order_by = ("code",)

    def render_parent(self, value):
        return value.name

    def render_district(self, value):
        return value.name


class MessageTable(tables.Table):
    title = tables.Column(verbose_name=_("title"), linkify=("core:message_detail", [tables.A("pk")]))
    is_read = tables.Column(verbose_name=_("status"), orderable=False)

    class Meta:
        model = Message
        fields = ("is_read", "category", "title", "created_at")
        orderable = False
        row_attrs = {"class": lambda record: "" if record.is_read else "fw-semibold"}

    def render_is_read(self, value):
        if value:
            return format_html('<span class="badge text-bg-light">{}</span>', _("Read"))
        return format_html('<span class="badge text-bg-primary">{}</span>', _("Unread"))

    def render_created_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
