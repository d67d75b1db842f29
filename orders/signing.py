"""Who signed an API request: the signing itself (canonical path, HMAC, headers, replay window) is the ground
floor's (``core.signing``); the API clients are the order record's."""

from __future__ import annotations

from core import signing

from .models import ApiClient


def _active_client(key: str):
    return ApiClient.objects.filter(key=key, active=True).select_related("channel").first()


def verify(request, *, now: float | None = None) -> ApiClient:
    """The active API client that signed this request; raises ``core.signing.SignatureError`` otherwise."""
    return signing.verify(request, lookup=_active_client, now=now)
