"""The second factor in Chromium: HQ signs in with the password, asks to confirm a fine, is sent to the enrolment
page, scans its QR code (decoded from a screenshot, as a phone's camera would), enters the app's first code, keeps
the recovery codes, comes back to the violation and confirms the fine."""

import base64
import io
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from dispatch import services as ops
from orders.models import EventKind
from penalties import services
from penalties.models import Rule, Violation, ViolationStatus
from people.models import AccountEvent

from ..conftest import PASSWORD
from ..factories import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")


def _scan(png: bytes) -> str:
    from PIL import Image
    from pyzbar.pyzbar import decode

    found = decode(Image.open(io.BytesIO(png)))
    assert len(found) == 1, "the enrolment page shows one QR code"
    return found[0].data.decode()


def test_hq_enrols_by_scanning_and_confirms_a_fine(net, live_server, page):
    t0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
    order = make_order(order_time=t0)
    ops.order_accept_fail(
        order_id=order.pk, actor=net.clerk_a, reason="phone", text="空号", at=t0 + timedelta(minutes=5)
    )
    proposal = services.violation_raise(
        event=order.events.get(kind=EventKind.ACCEPT_FAILED),
        rule=Rule.FALSE_FAIL_REASON,
        evidence="回访",
        actor=net.lcs_zj,
    )
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", net.hq.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/violations/{proposal.pk}/")

    # the password alone does not confirm a fine: the enrolment page comes first
    page.get_by_test_id("confirm-fine").click()
    page.wait_for_url("**/accounts/second-factor/?next=*")
    expect(page.locator("body")).to_contain_text("设置二次验证")
    address = _scan(page.get_by_test_id("second-factor-qr").screenshot())
    assert address.startswith("otpauth://totp/")
    secret = parse_qs(urlsplit(address).query)["secret"][0]
    assert page.get_by_test_id("second-factor-secret").inner_text().replace(" ", "") == secret.rstrip("=")
    app = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))  # the phone's authenticator app

    page.fill("#id_token", f"{app.token():06d}")
    page.get_by_test_id("second-factor-confirm").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    expect(page.get_by_test_id("recovery-codes-download")).to_have_attribute("download", "q9-recovery-codes.txt")
    page.get_by_test_id("second-factor-continue").click()
    page.wait_for_url(f"{base}/violations/{proposal.pk}/")

    page.get_by_test_id("confirm-fine").click()
    expect(page.get_by_test_id("violation-status")).to_contain_text("已确认")
    assert Violation.objects.get(pk=proposal.pk).status == ViolationStatus.CONFIRMED
    assert AccountEvent.objects.filter(user=net.hq, kind=AccountEvent.Kind.SECOND_FACTOR_ENROLLED).count() == 1
