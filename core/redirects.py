"""Safe redirects: a ``next`` (from a form or a query) is followed only when it is a path on this host
(``url_has_allowed_host_and_scheme``: no other host, no ``//host``, no ``/\\host``, no ``javascript:``);
anything else — ``abc``, ``https://evil.example/`` — goes to the page's default."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_path(url: str | None, request=None) -> bool:
    url = (url or "").strip()
    if not url.startswith("/") or "\\" in url or len(url) > 2000:
        return False
    hosts = {request.get_host()} if request is not None else set()
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts=hosts, require_https=bool(request is not None and request.is_secure())
    )


def safe_redirect(request, target: str | None, default: str, *args, **kwargs) -> HttpResponseRedirect:
    """Redirect to ``target`` when it is a safe local path, else to ``default`` (a URL name or path)."""
    if is_safe_path(target, request):
        return HttpResponseRedirect(target.strip())
    return redirect(default, *args, **kwargs)
