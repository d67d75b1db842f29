"""Small presentation helpers shared by every template: Bootstrap widget classes, masked phones, money."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from core.cjk_font import font_face_css
from core.humanize import code_label as label
from core.humanize import duration_text
from core.humanize import week_text as text
from core.kept_input import typed_values
from core.parsing import parse_moment
from core.tables import time_cell as tables_time_cell

register = template.Library()


@register.filter
def kept_values(typed, name: str) -> list[str]:
    """What a refused form posted in the field ``name`` (``desk_typed``), every value: ``item in
    desk_typed|kept_values:"cited"`` ticks a box again."""
    return typed_values(typed, name)


_SELECTS = {"select", "selectmultiple", "nullbooleanselect", "boolean"}
_CHECKS = {"checkbox", "radioselect", "checkboxselectmultiple"}


@register.filter
def bs(field, extra: str = ""):
    """Render a form field's widget with the Bootstrap class that fits it."""
    kind = field.widget_type
    css = (
        "form-select form-select-sm"
        if kind in _SELECTS
        else "form-check-input"
        if kind in _CHECKS
        else "form-control form-control-sm"
    )
    return field.as_widget(attrs={"class": f"{css} {extra}".strip()})


@register.filter
def mask_phone(value: str) -> str:
    """138****5678: phone numbers are masked in lists."""
    value = (value or "").strip()
    if len(value) >= 7:
        return f"{value[:3]}****{value[-4:]}"
    return value


@register.filter
def cny(value) -> str:
    """¥1,234.00, rounded half up; a negative amount with a true minus sign before the ¥: −¥1,400.00."""
    try:
        amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if amount < 0:
        return f"\u2212¥{-amount:,.2f}"
    return f"¥{amount:,.2f}"


@register.filter
def local(value, fmt="%Y-%m-%d %H:%M"):
    """An aware datetime (or the ISO text event data keeps) in Beijing time, 2026-11-23 10:30."""
    if isinstance(value, str):
        value = parse_moment(value)
    return timezone.localtime(value).strftime(fmt) if value else ""


@register.filter
def time_cell(value):
    """A time in a table cell: one line, ``12-07 14:03`` (the year when it is not this one), the full date and time
    in its title (``core.tables.time_cell``; the cell takes the ``cell-date`` class)."""
    if isinstance(value, str):
        value = parse_moment(value)
    return tables_time_cell(value)


@register.filter
def iso(value):
    return timezone.localtime(value).isoformat() if value else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def minutes_text(value):
    """A number of minutes as people say it: 960 → 16小时, 9254 → 6天10小时."""
    try:
        return duration_text(int(value) * 60)
    except (TypeError, ValueError):
        return ""


@register.filter
def percent(value) -> str:
    """A rate 0–1 as 97.5%; none: —."""
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return "—"


@register.filter
def points(value) -> str:
    """A change of a rate as percentage points: +1.2 个百分点; none: —."""
    try:
        return f"{float(value) * 100:+.1f} 个百分点"
    except (TypeError, ValueError):
        return "—"


@register.filter
def week_text(value):
    """An assessment week's Monday as 11月16日–11月22日."""
    return text(value) if value else ""


@register.filter
def code_label(value):
    """A rule or ledger code by its Chinese label (``core.humanize.code_label``)."""
    return label(value)


@register.simple_tag
def cjk_font_face():
    """The @font-face of the vendored CJK font, for the PDF templates (``dispatch.cjk_font``)."""
    return mark_safe(font_face_css())
