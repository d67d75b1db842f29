import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Message, Site


class SiteTable(tables.Table):
    code = tables.LinkColumn("dispatch:site_detail", args=[tables.A("code")], verbose_name=_("site code"))
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
    title = tables.Column(verbose_name=_("title"), linkify=("dispatch:message_detail", [tables.A("pk")]))
    is_read = tables.Column(verbose_name=_("status"), orderable=False)

    class Meta:
        model = Message
        fields = ("is_read", "category", "title", "created_at", "sender")
        orderable = False
        row_attrs = {"class": lambda record: "" if record.is_read else "fw-semibold"}

    def render_is_read(self, value):
        if value:
            return format_html('<span class="badge text-bg-light">{}</span>', _("Read"))
        return format_html('<span class="badge text-bg-primary">{}</span>', _("Unread"))

    def render_created_at(self, value):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class SilentSiteTable(tables.Table):
    code = tables.LinkColumn("dispatch:site_detail", args=[tables.A("code")], verbose_name=_("site code"))
    name = tables.Column(verbose_name=_("site name"))
    province = tables.Column(verbose_name=_("province"))
    phone = tables.Column(verbose_name=_("phone"))
    last_refresh = tables.Column(verbose_name=_("last refresh"), accessor="pk", orderable=False)
    silent = tables.Column(verbose_name=_("silent for"), accessor="pk", orderable=False)

    class Meta:
        model = Site
        fields = ("code", "name", "province", "phone", "last_refresh", "silent")
        orderable = False

    def __init__(self, *args, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now

    def render_last_refresh(self, record):
        from django.core.exceptions import ObjectDoesNotExist
        from django.utils import timezone

        try:
            return timezone.localtime(record.activity.last_refresh_at).strftime("%Y-%m-%d %H:%M")
        except ObjectDoesNotExist:
            return _("never")

    def render_silent(self, record):
        from django.core.exceptions import ObjectDoesNotExist

        from .plain import duration_text

        try:
            return duration_text((self.now - record.activity.last_refresh_at).total_seconds())  # 6天10小时
        except ObjectDoesNotExist:
            return "—"
