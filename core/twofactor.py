"""The second factor of HQ and the province LCS (django-otp): a TOTP authenticator app and one-time recovery codes.

A password alone signs in; the acts that fine, decide appeals or administer accounts and API clients need a
session that has also passed the second factor (a step-up): ``second_factor_required`` guards those views. The
session remembers the device that verified it (django-otp's ``otp_device_id``) until it ends; removing the devices
(HQ's reset) unverifies every session at once. The ground floor writes the device tables; ``people`` has the pages
and records enrolment and resets in the account's history."""

from __future__ import annotations

import base64
import math
from functools import wraps
from urllib.parse import urlsplit

import django_otp
import segno
from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import scoping
from .exceptions import SecondFactorError

RECOVERY_CODES = 10
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def needs_second_factor(user) -> bool:
    """HQ (and a superuser acting as HQ) and the province LCS: the accounts that fine and administer."""
    return scoping.role_of(user) in (scoping.Role.HQ, scoping.Role.LCS)


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if enrolled."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def enrolled_at(user):
    """When the user's authenticator was enrolled (None: not enrolled)."""
    device = authenticator(user)
    return device.created_at if device else None


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def is_verified(request) -> bool:
    """Whether this session passed the second factor with a device that is still the user's (one query)."""
    persistent_id = request.session.get(django_otp.DEVICE_ID_SESSION_KEY)
    if not persistent_id or not request.user.is_authenticated:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.confirmed and device.user_id == request.user.pk


def session_verified(request, device) -> None:
    """Mark the session as passed (django-otp's session key), under a new session key: the raised privilege never
    rides on a session id that existed before it."""
    request.session.cycle_key()
    django_otp.login(request, device)


# ---------------------------------------------------------------- the step-up


def _safe(request, url: str | None) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def safe_next(request, url: str | None) -> str:
    """``url`` when it stays on this site (a path or this host), else the home page."""
    return _safe(request, url) or reverse("home")


def _return_to(request) -> str:
    """Where the user was: the page itself for a GET, the page the act was sent from for a POST or an htmx call."""
    if request.method == "GET" and not getattr(request, "htmx", False):
        return request.get_full_path()
    current = _safe(request, request.headers.get("HX-Current-URL") or request.headers.get("Referer"))
    if not current:
        return reverse("home")
    parts = urlsplit(current)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def step_up_url(request, *, enrolled: bool) -> str:
    """The enrolment page (no authenticator yet) or the verification page, with the way back."""
    name = "second_factor_verify" if enrolled else "second_factor_enrol"
    return f"{reverse(name)}?{urlencode({'next': _return_to(request)})}"


def second_factor_required(view=None, *, methods: tuple[str, ...] | None = None):
    """View decorator: HQ and LCS pass only with a session verified by the second factor; others are left to the
    view's own role check. ``methods`` limits it to those (a page everyone reads whose POST decides). An unverified
    session goes to enrolment or verification (htmx: ``HX-Redirect``) and comes back to where it was."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if (
                (methods is not None and request.method not in methods)
                or not needs_second_factor(request.user)
                or is_verified(request)
            ):
                return view(request, *args, **kwargs)
            enrolled = authenticator(request.user) is not None
            if enrolled:
                flash.info(request, _("This needs your second factor: enter the code from your authenticator app."))
            else:
                flash.info(request, _("This needs a second factor: set up an authenticator app on your phone first."))
            target = step_up_url(request, enrolled=enrolled)
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(target)
            return HttpResponseRedirect(target)

        wrapper.second_factor = methods or True
        return wrapper

    return decorate(view) if view is not None else decorate


# ---------------------------------------------------------------- enrolment, codes, verification, reset


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code (the otpauth:// address) as an inline SVG: no image request, no outside service."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


@transaction.atomic
def enrolment_start(*, user) -> TOTPDevice:
    """The unconfirmed authenticator the enrolment page shows (the same one until it is confirmed)."""
    if not needs_second_factor(user):
        raise SecondFactorError(_("Only HQ and the province LCS use a second factor."))
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _recovery_codes_issue(user) -> list[str]:
    StaticDevice.objects.filter(user_id=user.pk).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODES:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def enrolment_confirm(*, user, token: str) -> tuple[TOTPDevice, list[str]]:
    """The first code from the app confirms the enrolment: the authenticator replaces any earlier one and a fresh
    set of recovery codes is issued (returned, to be shown once). A wrong code is counted (and committed) for the
    throttling before the refusal is raised: call it outside a transaction."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=False).order_by("-pk").first()
        if device is None:
            raise SecondFactorError(_("Open the enrolment page again: it shows a new code to scan."))
        _throttled(device)
        if device.verify_token(_digits(token)):
            TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            return device, _recovery_codes_issue(user)
    raise SecondFactorError(_("The code is not right: enter the 6 digits your app shows now."), field="token")


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """A new set of recovery codes (the old ones stop working)."""
    if authenticator(user) is None:
        raise SecondFactorError(_("Enrol an authenticator app first."))
    return _recovery_codes_issue(user)


def _digits(token: str) -> str:
    return "".join((token or "").split())


def _throttled(device) -> None:
    allowed, data = device.verify_is_allowed()
    if not allowed:
        until = (data or {}).get("locked_until")
        seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1
        raise SecondFactorError(
            _("Too many wrong codes: try again in %(seconds)d seconds.") % {"seconds": seconds}, field="token"
        )


def verify(*, user, token: str) -> Device:
    """The device that accepts ``token``: a 6-digit code from the app, or a recovery code (used up by this).
    Wrong codes are throttled (django-otp: each failure doubles the wait); the failure is committed before the
    refusal is raised, so call it outside a transaction."""
    token = _digits(token)
    if not token:
        raise SecondFactorError(_("Enter the code."), field="token")
    with transaction.atomic():
        totp = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True).order_by("pk").first()
        if totp is None:
            raise SecondFactorError(_("Enrol an authenticator app first."))
        device = totp
        if not token.isdigit():
            device = StaticDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True).first()
            token = token.lower()
        if device is not None:
            _throttled(device)
            if device.verify_token(token):
                return device
    raise SecondFactorError(
        _("The code is not right: enter the 6 digits your app shows now, or an unused recovery code."), field="token"
    )


@transaction.atomic
def second_factor_reset(*, user) -> int:
    """Remove the user's authenticator and recovery codes: every session they verified stops being verified, and
    the next act that needs the second factor asks them to enrol again. Returns the devices removed."""
    removed = TOTPDevice.objects.filter(user_id=user.pk).delete()[0]
    removed += StaticDevice.objects.filter(user_id=user.pk).delete()[0]
    return removed


@transaction.atomic
def demo_enrol(*, user, key_hex: str) -> TOTPDevice:
    """Demo mode: the account's authenticator with a known secret (printed at start), confirmed."""
    device = TOTPDevice.objects.filter(user_id=user.pk, key=key_hex, confirmed=True).first()
    if device is None:
        TOTPDevice.objects.filter(user_id=user.pk).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key_hex, confirmed=True)
    return device


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code the device's app shows now (demo hints and tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():0{device.digits}d}"
