"""The list kit's table side. Every list page is a selector (the scoped queryset), a FilterSet
(``core.filters.ListFilter``) and a django-tables2 table built on ``ListTable``; its Excel export is the same
table written by ``core.sheets.table_export``.

- ``ListTable``: a table that knows its viewer; the columns named in ``site_columns`` are dropped when the viewer
  sees one site (``scoping.sees_one_site``: a clerk bound to one site reads their own site on every row).
- ``DateTimeColumn``: a time on one line (``cell-date``): ``12-07 14:03`` within the current year (the full date
  in its title), ``2025-12-07 14:03`` otherwise; exported as a spreadsheet time.
"""

from __future__ import annotations

import django_tables2 as tables
from django.db.models.query import ModelIterable, QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import scoping
from .models import AlertChannel, AlertMessage, Message, Site

DATE_CELL = "cell-date"


def compact_time(value) -> str:
    """``12-07 14:03`` in the current (Beijing) year, ``2025-12-07 14:03`` in another one."""
    local = timezone.localtime(value)
    if local.year == timezone.localdate().year:
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def full_time(value) -> str:
    """``2026-12-07 14:03`` (Beijing)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def time_cell(value, *, empty: str = "—"):
    """A time as a table cell shows it: compact, on one line, the full date and time in its title."""
    if value is None:
        return empty
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        timezone.localtime(value).isoformat(timespec="minutes"),
        full_time(value),
        compact_time(value),
    )


class DateTimeColumn(tables.Column):
    """A time column: one line (``cell-date``), compact, typed in the export."""

    def __init__(self, *args, attrs=None, **kwargs):
        attrs = dict(attrs or {})
        td = dict(attrs.get("td", {}))
        td["class"] = f"{DATE_CELL} {td.get('class', '')}".strip()
        attrs["td"] = td
        kwargs.setdefault("default", "—")
        super().__init__(*args, attrs=attrs, **kwargs)

    def render(self, value):
        return time_cell(value)

    def value(self, value):
        return value


def select_column(*, label=None) -> tables.CheckBoxColumn:
    """A row's checkbox for the page's batch action (``name="ids"``, the row's pk), with a select-all box in its
    header; ``label(record)`` names the row for screen readers. Left out of an export."""
    attrs = {
        "th__input": {
            "class": "form-check-input",
            "data-select-all": "",
            "aria-label": _("Select all on this page"),
        }
    }
    if label is not None:
        attrs["input"] = {"class": "form-check-input", "name": "ids", "aria-label": label}
    return tables.CheckBoxColumn(accessor="pk", orderable=False, exclude_from_export=True, attrs=attrs)


class ListTable(tables.Table):
    """A list page's table. ``viewer`` is the user the page is for: a viewer who sees one site gets no
    ``site_columns``. A column left out of the export (``exclude_from_export``) says so in its header cell
    (``data-export="no"``), so that a page and its export can be compared."""

    site_columns: tuple[str, ...] = ()

    def __init__(self, data=None, *args, viewer, exclude=None, **kwargs):
        self.viewer = viewer
        exclude = tuple(exclude or self._meta.exclude or ())
        if self.site_columns and viewer is not None and scoping.sees_one_site(viewer):
            exclude += self.site_columns
        super().__init__(data, *args, exclude=exclude, **kwargs)
        self._total_order()
        for bound in self.columns.iterall():
            if bound.column.exclude_from_export:  # a row's checkbox, its forms and buttons: named in the page
                bound.column.attrs = {
                    **bound.column.attrs,
                    "th": {**bound.column.attrs.get("th", {}), "data-export": "no"},
                }

    @property
    def order_by(self):
        return tables.Table.order_by.fget(self)

    @order_by.setter
    def order_by(self, value):
        tables.Table.order_by.fset(self, value)
        self._total_order()

    def _total_order(self) -> None:
        """Rows whose sort keys tie (two orders placed in the same second) keep one order between page loads, pages
        and the export: the primary key breaks the tie, in the direction of the first key. Only for a plain model
        queryset: a grouped or ``values()`` query keeps its own order."""
        qs = getattr(getattr(self, "data", None), "data", None)
        if not isinstance(qs, QuerySet) or qs.query.is_sliced or qs.query.combinator or qs.query.group_by:
            return
        if qs._iterable_class is not ModelIterable or qs.query.distinct_fields:
            return
        keys = list(qs.query.order_by) or list(qs.model._meta.ordering) if qs.ordered else []
        if not keys:
            return
        pk_names = {"pk", qs.model._meta.pk.name, qs.model._meta.pk.attname}
        if any(isinstance(k, str) and k.lstrip("-") in pk_names for k in keys):
            return
        first = keys[0]
        descending = first.startswith("-") if isinstance(first, str) else bool(getattr(first, "descending", False))
        self.data.data = qs.order_by(*keys, "-pk" if descending else "pk")


class SiteTable(ListTable):
    code = tables.LinkColumn("core:site_detail", args=[tables.A("code")], verbose_name=_("site code"))
    province = tables.Column(verbose_name=_("province"), order_by=("province__code",))
    district = tables.Column(verbose_name=_("district"), order_by=("district__adcode",))
    parent = tables.Column(verbose_name=_("contract area of"), order_by=("parent__code",))
    active = tables.Column(verbose_name=_("active"))

    class Meta:
        model = Site
        fields = ("code", "name", "province", "district", "kind", "level", "parent", "phone", "active")
        order_by = ("code",)

    def render_parent(self, value):
        return value.name

    def render_active(self, value):
        return _("Yes") if value else _("No")

    def render_district(self, value):
        return value.name


class MessageTable(ListTable):
    title = tables.Column(verbose_name=_("title"), linkify=("core:message_detail", [tables.A("pk")]))
    is_read = tables.Column(verbose_name=_("status"), orderable=False)
    created_at = DateTimeColumn()

    class Meta:
        model = Message
        fields = ("is_read", "category", "title", "created_at")
        orderable = False
        row_attrs = {"class": lambda record: "" if record.is_read else "fw-semibold"}

    def render_is_read(self, value):
        if value:
            return format_html('<span class="badge text-bg-light">{}</span>', _("Read"))
        return format_html('<span class="badge text-bg-primary">{}</span>', _("Unread"))


def _team(province) -> str:
    return province.name if province is not None else str(_("HQ"))


class AlertChannelTable(ListTable):
    """HQ's alert channels: whose team, the kind, the name, the address as far as it may be shown, on or off, and
    the row's edit, test and delete."""

    province = tables.Column(verbose_name=_("Whose team"), attrs={"td": {"class": "text-nowrap"}}, empty_values=())
    kind = tables.Column(verbose_name=_("Kind"), attrs={"td": {"class": "text-nowrap"}})
    name = tables.Column(verbose_name=_("Channel name"))
    target = tables.Column(
        verbose_name=_("Address"),
        accessor="pk",
        attrs={"td": {"class": "small text-break", "data-testid": "alert-target"}},
    )
    active = tables.TemplateColumn(
        verbose_name=_("Status"),
        template_code=(
            '{% load i18n %}{% if record.active %}<span class="badge text-bg-success">{% translate "active" %}</span>'
            '{% else %}<span class="badge text-bg-secondary">{% translate "off" %}</span>{% endif %}'
        ),
    )
    actions = tables.TemplateColumn(
        verbose_name="",
        template_name="core/cells/alert_channel_actions.html",
        exclude_from_export=True,
        attrs={"td": {"class": "text-nowrap"}},
    )

    class Meta:
        model = AlertChannel
        fields = ("province", "kind", "name", "target", "active", "actions")
        orderable = False
        attrs = {"data-testid": "alert-channels"}
        empty_text = _("No alert channel yet: alerts reach nobody. Add HQ's first.")

    def render_province(self, value):
        return _team(value)

    def render_target(self, record):
        from .alerts import masked_target

        shown = masked_target(record)
        return f"{shown} · {_('signing secret set')}" if record.secret else shown

    def value_target(self, record):
        return self.render_target(record)


class AlertMessageTable(ListTable):
    """The alerts sent: when, to which channel, what, how its delivery stands; a failed one is sent again from its
    row."""

    created_at = DateTimeColumn(verbose_name=_("Time"))
    channel = tables.Column(verbose_name=_("Alert channel"))
    title = tables.Column(verbose_name=_("Alert"), accessor="payload__title", default="—")
    status = tables.Column(verbose_name=_("Status"))
    attempts = tables.Column(verbose_name=_("Attempts"))
    last_error = tables.Column(verbose_name=_("Last error"), attrs={"td": {"class": "small text-muted"}}, default="")
    retry = tables.TemplateColumn(
        verbose_name="", template_name="core/cells/alert_retry.html", exclude_from_export=True, accessor="pk"
    )

    class Meta:
        model = AlertMessage
        fields = ("created_at", "channel", "title", "status", "attempts", "last_error", "retry")
        orderable = False
        attrs = {"data-testid": "alert-messages"}
        empty_text = _("No alert sent yet.")

    def render_channel(self, value):
        return f"{_team(value.province)} · {value.name}"
