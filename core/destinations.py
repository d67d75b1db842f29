"""Where we may send a partner's message (status callbacks, work-order results): one check for every destination.

A destination is refused unless every address its host has is globally routable: private, loopback, link-local,
shared (100.64/10), multicast, reserved, documentation and unspecified addresses are refused, IPv4-mapped IPv6
included. ``destination_check`` checks a URL's text and its host's addresses (forms and intake refuse such a URL up
front); ``session`` is the HTTP session the deliveries use: it checks the address it actually connected to, after
DNS resolution and before a byte is sent (so a name that later resolves to an internal address is refused too),
ignores proxy variables, and never follows a redirect (a 307 would re-send the signed body elsewhere).

``CALLBACK_ALLOWED_HOSTS`` names hosts allowed whatever their address (tests run local receivers on 127.0.0.1);
empty in production."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection


class DestinationRefused(Exception):
    """A destination we never send to (raised before anything is sent)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def address_forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if getattr(ip, "ipv4_mapped", None) is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast or ip.is_reserved


def host_allowed(host: str) -> bool:
    """A host named in ``CALLBACK_ALLOWED_HOSTS`` (exactly, without regard to case)."""
    allowed = {h.strip().lower().strip("[]") for h in getattr(settings, "CALLBACK_ALLOWED_HOSTS", ())}
    return (host or "").lower().strip("[]") in allowed


def _refused() -> DestinationRefused:
    return DestinationRefused(_("A callback address may not point at a private, loopback or link-local address."))


def destination_check(url: str) -> str:
    """The URL (stripped), if messages may be sent there; else ``DestinationRefused`` with the reason."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise DestinationRefused(_("A callback address must be an http or https URL.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise DestinationRefused(_("A callback address must be an http or https URL."))
    if host_allowed(parts.hostname):
        return url
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError, ValueError):
        raise DestinationRefused(_("The callback address's host cannot be resolved.")) from None
    if not addresses or any(address_forbidden(a) for a in addresses):
        raise _refused()
    return url


def resolve(host: str, port: int) -> set[str]:
    """The addresses a host name has (a test may stand in for DNS here)."""
    return {info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}


def _peer_check(conn, sock) -> None:
    if host_allowed(conn.host):
        return
    try:
        peer = sock.getpeername()[0]
        forbidden = address_forbidden(peer)
    except (OSError, ValueError):
        forbidden = True
    if forbidden:
        sock.close()
        raise _refused()


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _peer_check(self, sock)
        return sock


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _peer_check(self, sock)
        return sock


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedPoolManager(PoolManager):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        self.poolmanager = _CheckedPoolManager(num_pools=connections, maxsize=maxsize, block=block, **pool_kwargs)

    def proxy_manager_for(self, proxy, **proxy_kwargs):  # pragma: no cover - proxies are never used
        raise _refused()


def session() -> requests.Session:
    """An HTTP session whose every connection goes through the check (no proxies from the environment)."""
    s = requests.Session()
    s.trust_env = False
    adapter = _CheckedAdapter(max_retries=0)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


def excerpt(text: str, limit: int = 80) -> str:
    """A short, printable excerpt of a reply (never the whole of what an unknown server said)."""
    cleaned = " ".join("".join(c if c.isprintable() else " " for c in text or "").split())
    return cleaned[:limit] + ("…" if len(cleaned) > limit else "")
