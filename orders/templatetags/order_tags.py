"""Template filters that know order states."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

_STATE_CSS = {
    "PENDING": "text-bg-warning",
    "ACCEPTED": "text-bg-primary",
    "PICKED_UP": "text-bg-success",
    "PICKUP_FAILED": "text-bg-danger",
    "ACCEPT_FAILED": "text-bg-danger",
    "CANCELLED": "text-bg-secondary",
}


@register.filter
def state_badge(order):
    """The order's state as a coloured badge; a cancellation shows whether the site handled it."""
    html = format_html(
        '<span class="badge {}">{}</span>', _STATE_CSS.get(order.state, "text-bg-light"), order.get_state_display()
    )
    if order.state == "CANCELLED":
        done = order.cancel_handled_at is not None
        html += format_html(
            ' <span class="badge {}">{}</span>',
            "text-bg-light" if done else "text-bg-danger",
            _("handled") if done else _("not handled"),
        )
    return html
