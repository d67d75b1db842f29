"""What the courier's phone witnessed at the door, for the pages that show an act's event (the order's timeline,
the violation and appeal pages, HQ's audit): ``{% load door %}`` then ``{% include "courier/_act_evidence.html"
with e=event %}``."""

from django import template

from courier.models import CourierAct

register = template.Library()


@register.filter
def time_basis(code) -> str:
    """Why the act counts at its time, in words."""
    try:
        return str(CourierAct.TimeBasis(code).label)
    except ValueError:
        return ""
