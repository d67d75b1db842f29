"""The courier's phone (phone-first pages, an installable PWA that works offline) and the clerk's one-time
sign-in QR code. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import scoping
from core.models import Courier
from core.view_calls import service_call
from dispatch.pickup_desk import SOON_SECONDS
from orders import selectors as order_selectors
from orders.models import FailReason, SenderIdCheck
from orders.sender_id import sender_id_required_ids

from . import selectors, services
from .models import DoorPhoto
from .qr import qr_svg

R = scoping.Role
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0", "testserver"}


def wasm_policy(policy: str) -> str:
    """The site's Content Security Policy with 'wasm-unsafe-eval' added to script-src (compiling the barcode
    reader's WebAssembly; still no eval of JavaScript). Only the courier's page, which reads barcodes, gets it."""
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    for i, d in enumerate(directives):
        if d.split()[0] == "script-src":
            if "'wasm-unsafe-eval'" not in d.split():
                directives[i] = d + " 'wasm-unsafe-eval'"
            break
    else:
        directives.append("script-src 'self' 'wasm-unsafe-eval'")
    return "; ".join(directives)


@never_cache
@scoping.role_required(R.COURIER)
def home(request):
    """我的取件: the courier's assigned orders, nearest deadline first (also the page the phone keeps offline)."""
    now = timezone.now()
    orders = selectors.courier_stops(user=request.user, at=now)
    needed = sender_id_required_ids(orders, at=now)
    for o in orders:
        o.id_needed = o.pk in needed
    response = render(
        request,
        "courier/home.html",
        {
            "orders": orders,
            "doc_types": SenderIdCheck.DocType.choices,
            "counts": selectors.courier_day_counts(user=request.user, at=now),
            "courier": request.user.courier,
            "now": now,
            "warn_seconds": SOON_SECONDS,
            "fail_reasons": FailReason.choices,
        },
    )
    if settings.CONTENT_SECURITY_POLICY:
        response["Content-Security-Policy"] = wasm_policy(settings.CONTENT_SECURITY_POLICY)
    return response


@scoping.role_required(R.COURIER)
@require_POST
def acts(request):
    """The phone's queue: ``{"sent_at": phone's clock, "acts": [{id, kind, order, done_at, …}]}`` → one answer
    per act (each applied once, at its witnessed time)."""
    if request.content_type != "application/json":
        return JsonResponse({"error": _("The request was not understood: update the page.")}, status=400)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        return JsonResponse({"error": _("The request was not understood: update the page.")}, status=400)
    items = body.get("acts") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return JsonResponse({"error": _("The request was not understood: update the page.")}, status=400)
    answers = services.courier_acts_apply(user=request.user, acts=items, sent_at=body.get("sent_at"))
    return JsonResponse({"results": [a.as_json() for a in answers]})


def service_worker(request):
    """The service worker, served under /courier/ so that its scope is the courier's pages."""
    response = HttpResponse(
        render_to_string("courier/sw.js", {"version": settings.COURIER_SW_VERSION}),
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/courier/"
    return response


def manifest(request):
    return HttpResponse(
        render_to_string("courier/manifest.webmanifest", request=request),
        content_type="application/manifest+json; charset=utf-8",
    )


@never_cache
def signin(request, secret: str):
    """The link of the clerk's QR code: a page with one button (a GET signs nobody in: link previews would use
    the code)."""
    if request.method == "POST":
        redeemed = service_call(request, lambda: services.signin_code_redeem(secret=secret), announce=False)
        if not redeemed:
            return render(request, "courier/signin.html", {"error": redeemed.error.message}, status=400)
        login(request, redeemed.result, backend="core.auth.UserBackend")
        return redirect("courier:home")
    code = services.signin_code_peek(secret=secret)
    if code is None:
        return render(
            request,
            "courier/signin.html",
            {
                "error": _(
                    "This sign-in code is not valid any more (used, expired or replaced). Ask the site's clerk "
                    "for a new QR code."
                )
            },
            status=400,
        )
    return render(request, "courier/signin.html", {"code": code})


@scoping.role_required(R.CLERK)
@require_POST
def signin_qr(request, pk: int):
    """网点揽件 → a courier's one-time sign-in QR code (the account is opened the first time)."""
    courier = get_object_or_404(Courier, pk=pk, site_id__in=scoping.clerk_site_ids(request.user))
    production = not settings.DEBUG and not set(settings.ALLOWED_HOSTS) <= LOOPBACK  # served under a real name
    if production and (urlsplit(settings.SITE_URL).hostname or "") in LOOPBACK:
        # a phone cannot open a link to this machine's own loopback address: no code is issued
        error = _(
            "The sign-in QR code cannot be made: the site address (SITE_URL) is %(url)s, which a phone cannot "
            "open. Ask the administrator to set SITE_URL to the address people use to reach the desk."
        ) % {"url": settings.SITE_URL}
        return render(request, "courier/signin_qr.html", {"courier": courier, "error": error}, status=400)
    outcome = service_call(
        request, lambda: services.signin_code_issue(actor=request.user, courier=courier), announce=False
    )
    if not outcome:
        return render(
            request, "courier/signin_qr.html", {"courier": courier, "error": outcome.error.message}, status=400
        )
    issued = outcome.result
    # absolute from SITE_URL, never from the request's Host header (as every link the desk hands out)
    link = settings.SITE_URL.rstrip("/") + reverse("courier:signin", args=[issued.secret])
    return render(
        request,
        "courier/signin_qr.html",
        {
            "courier": courier,
            "link": link,
            "expires_at": issued.expires_at,
            "qr": qr_svg(link, label=_("Sign-in code for %(name)s") % {"name": courier.name}),
        },
    )


@login_required
def door_photo(request, pk: int):
    """A photo taken at the door, for those who may see its order (and the courier who took it)."""
    photo = get_object_or_404(DoorPhoto.objects.select_related("act"), pk=pk)
    if scoping.role_of(request.user) == R.COURIER:
        allowed = photo.act.user_id == request.user.pk
    else:
        allowed = order_selectors.orders_for(user=request.user).filter(pk=photo.order_id).exists()
    if not allowed or not photo.file:
        raise Http404
    response = FileResponse(photo.file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
