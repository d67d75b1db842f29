import django_tables2 as tables
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.humanize import duration_text
from core.models import Site


class SilentSiteTable(tables.Table):
    code = tables.LinkColumn("core:site_detail", args=[tables.A("code")], verbose_name=_("site code"))
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
        try:
            return timezone.localtime(record.activity.last_refresh_at).strftime("%Y-%m-%d %H:%M")
        except ObjectDoesNotExist:
            return _("never")

    def render_silent(self, record):
        try:
            return duration_text((self.now - record.activity.last_refresh_at).total_seconds())  # 6天10小时
        except ObjectDoesNotExist:
            return "—"
