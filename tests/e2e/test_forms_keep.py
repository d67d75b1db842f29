"""In Chromium: a transfer refused (no such site) comes back with its dialog open and the note still typed."""

import re

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..factories import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _transfer_dialog(net, live_server, page, order):
    """The clerk signed in, on 网点接单, with the transfer dialog of ``order`` open."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", net.clerk_a.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{live_server.url}/desk/accept/")
    page.locator(f"tr[data-order='{order.channel_order_id}'] button", has_text="转单").click()
    dialog = page.locator("#transfer-modal")
    expect(dialog).to_be_visible()
    return dialog


def test_refused_transfer_reopens_with_the_note(net, live_server, page):
    order = make_order()
    dialog = _transfer_dialog(net, live_server, page, order)
    dialog.locator("input[name=to_site]").fill("没有这个网点")
    dialog.locator("input[name=text]").fill("地址在隔壁区，客户电话确认")
    with page.expect_navigation():
        page.get_by_test_id("transfer-submit").click()
    expect(page.locator(".alert-danger")).to_contain_text("转")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[name=text]")).to_have_value("地址在隔壁区，客户电话确认")
    expect(dialog.locator("[data-order-label]")).to_have_text(order.channel_order_id)


def test_a_control_character_is_answered_next_to_its_field(net, live_server, page):
    """A control character in the transfer note comes back with the dialog open, the site code and the
    note as typed, and the error under the note (nothing was transferred)."""
    order = make_order()
    dialog = _transfer_dialog(net, live_server, page, order)
    dialog.locator("input[name=to_site]").fill(net.site_b.code)
    dialog.locator("input[name=text]").fill("地址在隔壁区\x01")
    with page.expect_navigation():
        page.get_by_test_id("transfer-submit").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[name=to_site]")).to_have_value(net.site_b.code)
    note = dialog.locator("input[name=text]")
    expect(note).to_have_class(re.compile(r"\bis-invalid\b"))
    error = dialog.locator("[data-testid=field-error][data-field=text]")
    expect(error).to_contain_text("控制字符")
    expect(error).to_contain_text("U+0001")
    order.refresh_from_db()
    assert order.site_id == net.site_a.id
