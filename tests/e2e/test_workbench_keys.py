"""网点接单 in Chromium: a refused transfer says why inside its dialog (not behind the overlay) with the focus on
it; the keyboard reaches every row (a skip link; j/k, a, t, /, ? shortcuts that never fire while typing); rows that
arrived since the clerk last looked are marked 「新」 in words."""

import time

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..factories import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def _wait_until(page, expression: str, timeout_ms: int = 10000) -> None:
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def test_a_refused_transfer_says_why_inside_its_dialog(net, live_server, page):
    order = make_order()
    _login(page, live_server.url, net.clerk_a)
    page.goto(f"{live_server.url}/desk/accept/")
    row = page.locator(f"tr[data-order='{order.channel_order_id}']")
    row.get_by_role("button", name="转单").click()
    dialog = page.locator("#transfer-modal")
    expect(dialog).to_be_visible()
    picker = dialog.get_by_test_id("site-picker")
    # the picker's list: never the clerk's own site, the order's own province first
    _wait_until(page, "document.querySelectorAll('#transfer-options option').length > 0")
    offered = page.eval_on_selector_all("#transfer-options option", "els => els.map(e => e.value)")
    assert not any(value.startswith(net.site_a.code) for value in offered)
    assert offered[0].startswith(net.area_a.code)
    picker.fill(f"{net.site_a.code} {net.site_a.name}")  # typed by hand: the server refuses it
    with page.expect_navigation():
        dialog.get_by_test_id("transfer-submit").click()
    error = page.get_by_test_id("dialog-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("是您自己的网点")
    expect(error).to_be_focused()
    assert page.locator("#transfer-modal").get_by_test_id("dialog-error").count() == 1
    # on top: what the browser shows at the error's centre is the error itself, not the overlay
    box = error.bounding_box()
    on_top = page.evaluate(
        "([x, y]) => !!document.elementFromPoint(x, y).closest('[data-testid=dialog-error]')",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top
    expect(picker).to_have_value(f"{net.site_a.code} {net.site_a.name}")  # what was typed comes back
    # closed, the dialog gives the message back to the page
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("main > .alert-danger")).to_contain_text("是您自己的网点")
