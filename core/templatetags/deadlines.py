"""A deadline the person must meet (an appeal's, going to HQ), said one way on every page:
「12月10日 18:00 截止（还剩 2 天 3 小时）」 (``core.humanize.deadline_html``)."""

from django import template

from core.humanize import deadline_html

register = template.Library()


@register.filter
def deadline(value):
    return deadline_html(value)
