"""网点接单 in Chromium: a refused transfer says why inside its dialog (not behind the overlay) with the focus on
it; the keyboard reaches every row (a skip link; j/k, a, t, /, ? shortcuts that never fire while typing); rows that
arrived since the clerk last looked are marked 「新」 in words."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import OrderState

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


def _orders(n):
    """n waiting orders, the most urgent (the first row) first."""
    now = timezone.now()
    return [
        make_order(at=now - timedelta(minutes=20 - i), order_time=now - timedelta(minutes=20 - i)) for i in range(n)
    ]


def test_the_keyboard_reaches_and_works_every_row(net, live_server, page):
    first, second, third = _orders(3)
    _login(page, live_server.url, net.clerk_a)
    page.goto(f"{live_server.url}/desk/accept/")
    page.keyboard.press("Tab")  # the first Tab: the skip link
    skip = page.get_by_test_id("skip-to-rows")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id(f"accept-{first.channel_order_id}")).to_be_focused()
    page.keyboard.press("j")
    expect(page.get_by_test_id(f"accept-{second.channel_order_id}")).to_be_focused()
    expect(page.locator(f"tr[data-order='{second.channel_order_id}']")).to_have_class(re.compile("row-current"))
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.get_by_test_id(f"accept-{second.channel_order_id}")).to_be_focused()

    # typing in a box is typing: "/" goes to the search, where j and a are letters
    page.keyboard.press("/")
    search = page.get_by_test_id("header-search")
    expect(search).to_be_focused()
    page.keyboard.type("ja")
    expect(search).to_have_value("ja")
    expect(search).to_be_focused()
    search.fill("")

    # ? lists the keys
    page.locator("main h1").click()
    page.keyboard.press("?")
    overlay = page.get_by_test_id("shortcuts-overlay")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("当前订单接单")
    expect(overlay).to_contain_text("当前订单转单")
    expect(overlay).to_be_focused()  # shown (Bootstrap's fade ended): Esc reaches it
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()

    # t opens 转单 for the current row, a accepts it
    page.get_by_test_id(f"accept-{second.channel_order_id}").focus()
    page.keyboard.press("t")
    dialog = page.locator("#transfer-modal")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-order-label]")).to_have_text(second.channel_order_id)
    expect(dialog.get_by_test_id("site-picker")).to_be_focused()
    page.keyboard.press("j")  # inside the dialog: a letter typed, nothing moves behind it
    expect(dialog.get_by_test_id("site-picker")).to_have_value("j")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.get_by_test_id(f"accept-{second.channel_order_id}").focus()
    with page.expect_navigation():
        page.keyboard.press("a")
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.state == OrderState.ACCEPTED and first.state == OrderState.PENDING


def test_rows_that_arrived_since_the_last_look_are_marked_new(net, live_server, page, settings):
    settings.WORKBENCH_POLL_SECONDS = 1
    (old,) = _orders(1)
    _login(page, live_server.url, net.clerk_a)
    page.goto(f"{live_server.url}/desk/accept/")
    expect(page.locator(f"tr[data-order='{old.channel_order_id}']")).to_be_visible()
    assert page.get_by_test_id("new-mark").count() == 0  # the first look: nothing is "new"
    arrived = make_order()
    row = page.locator(f"tr[data-order='{arrived.channel_order_id}']")
    expect(row).to_be_visible(timeout=15000)
    mark = row.get_by_test_id("new-mark")
    expect(mark).to_be_visible()
    expect(mark).to_have_text("新（自您上次查看后到达）")  # the words, read by screen readers too
    assert page.locator(f"tr[data-order='{old.channel_order_id}']").get_by_test_id("new-mark").count() == 0
    page.wait_for_timeout(1500)  # the next polls keep the mark
    expect(mark).to_be_visible()
    page.reload()  # and so does the next look, for a while
    expect(page.locator(f"tr[data-order='{arrived.channel_order_id}']").get_by_test_id("new-mark")).to_be_visible()
    assert page.locator(f"tr[data-order='{old.channel_order_id}']").get_by_test_id("new-mark").count() == 0
