"""A channel's own callback address for one order (Kuaidi100's ``callBackUrl``) comes from outside, so it is
checked before anything is sent to it, at intake and again at each delivery (an address may resolve differently
later): http or https only, and only to globally routable addresses (never private, loopback, link-local, shared,
multicast or reserved) — unless
``CALLBACK_ALLOW_PRIVATE_URLS`` is set (tests deliver to a local server)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import OrderError


class CallbackUrlRefused(OrderError):
    code = "callback_url_refused"


def _forbidden(ip) -> bool:
    if getattr(ip, "ipv4_mapped", None) is not None:
        ip = ip.ipv4_mapped
    # not globally routable: private, loopback, link-local, shared (100.64/10), documentation, reserved, unspecified
    return not ip.is_global or ip.is_multicast


def callback_url_check(url: str, *, field: str = "callBackUrl") -> str:
    """The URL, if it may receive callbacks; else ``CallbackUrlRefused`` naming the field."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackUrlRefused(_("A callback address must be an http or https URL."), field=field)
    if getattr(settings, "CALLBACK_ALLOW_PRIVATE_URLS", False):
        return url
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)}
    except (OSError, ValueError, UnicodeError):
        raise CallbackUrlRefused(_("The callback address's host cannot be resolved."), field=field) from None
    if not addresses or any(_forbidden(ipaddress.ip_address(a.split("%")[0])) for a in addresses):
        raise CallbackUrlRefused(
            _("A callback address may not point at a private, loopback or link-local address."), field=field
        )
    return url
