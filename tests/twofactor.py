"""The second factor in tests: a confirmed authenticator for an HQ or LCS account, and a session marked as verified
by it (django-otp's session key), the way a person's session is after the step-up."""

from __future__ import annotations

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import twofactor


def authenticator_for(user) -> TOTPDevice:
    """The user's confirmed authenticator (one made for the test when the user has none)."""
    device = twofactor.authenticator(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=twofactor.DEVICE_NAME, confirmed=True)
    return device


def session_verify(client, user) -> TOTPDevice:
    """Mark the client's signed-in session as verified by the user's authenticator."""
    device = authenticator_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def code_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the device's app shows now (or ``steps_ahead`` periods of 30 s later)."""
    device.refresh_from_db()
    return twofactor.current_code(device, at=time.time() + steps_ahead * device.step)


def code_unused(device: TOTPDevice) -> str:
    """A code the device accepts now: the current one, or the next period's when the current one was used already
    (django-otp accepts one period either side and never the same period twice); waits when both were used."""
    while True:
        device.refresh_from_db()
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now = totp.t()
        step = max(now, device.last_t + 1)
        if step <= now + device.tolerance:
            return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"
        time.sleep(1)


def browser_step_up(page, base: str, user, next_path: str = "/") -> TOTPDevice:
    """In the browser, after the password: the step-up with the code of the user's authenticator (one is made for
    the test when the user has none)."""
    device = authenticator_for(user)
    page.goto(f"{base}/accounts/second-factor/verify/?next={next_path}")
    page.fill("#id_token", code_unused(device))
    with page.expect_navigation():
        page.get_by_test_id("second-factor-verify").click()
    return device
