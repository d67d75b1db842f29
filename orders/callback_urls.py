"""A channel's callback address — the client's, or an order's own (Kuaidi100's ``callBackUrl``) — is checked by
the one destination check (``core.destinations``) when it is given, and again, on the address actually reached,
at each delivery."""

from __future__ import annotations

from core.destinations import DestinationRefused, destination_check

from .exceptions import CallbackUrlRefused


def callback_url_check(url: str, *, field: str = "callBackUrl") -> str:
    """The URL, if it may receive callbacks; else ``CallbackUrlRefused`` naming the field."""
    try:
        return destination_check(url)
    except DestinationRefused as exc:
        raise CallbackUrlRefused(exc.message, field=field) from None
