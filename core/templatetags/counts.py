"""How many rows a list holds in all (not only the page shown): 「共 1,234 条」 above a desk list."""

from django import template
from django.utils.html import format_html
from django.utils.translation import ngettext

register = template.Library()


def _total(rows) -> int:
    """The number of rows of a django-tables2 table (all of its data, whatever the page), a queryset or a list."""
    data = getattr(getattr(rows, "data", None), "data", None)
    if data is None:
        data = rows
    count = getattr(data, "count", None)
    return count() if callable(count) and not isinstance(data, list | tuple) else len(data)


@register.simple_tag
def rows_total(rows):
    n = _total(rows)
    return format_html(
        '<span class="small text-muted" data-testid="rows-total" data-total="{}">{}</span>',
        n,
        ngettext("%(n)s row in all", "%(n)s rows in all", n) % {"n": f"{n:,}"},
    )
