"""Layout in Chromium: no page of any role scrolls sideways at 1280 or 1024 px, no column header or button breaks over
lines, and the header's last item stays on screen, even with a three-digit unread count (issue 28.1, 28.4); the header search finds an order by the last 4 digits of a phone, and screenshots of the main pages at 1366×768
and at a 390×844 phone are saved under var/test/ (artefacts of the suite, not committed)."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.models import Message
from core.navigation import nav_pages
from core.services import message_send
from dispatch import services as ops

from ..conftest import PASSWORD
from ..factories import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _login(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def _pages(role):
    return [reverse(n) for n in nav_pages(role)]


def _orders(net):
    for i in range(3):
        make_order(sender_name=f"寄件人{'甲乙丙'[i]}", remark="到了请打电话，谢谢" * 3)
    accepted = make_order(sender_phone="13822223333")
    ops.order_accept(order_id=accepted.pk, actor=net.clerk_a)
    return accepted


HEADER_END = "[data-testid=desk-header] [data-testid=account-menu]"  # the header's last item
# the column headers and buttons of a page whose text runs over more than one line (「线/上」, 「业务/员」, 保存)
BROKEN = """Array.prototype.filter.call(document.querySelectorAll('main th, main .btn'), function (el) {
  if (!el.getBoundingClientRect().width || !el.textContent.trim()) return false;
  var cs = getComputedStyle(el), lh = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.5;
  var range = document.createRange(); range.selectNodeContents(el);
  var tops = Array.prototype.filter.call(range.getClientRects(), function (r) { return r.width > 0 && r.height > 0; })
    .map(function (r) { return r.top; }).sort(function (a, b) { return a - b; });
  var lines = tops.length ? 1 : 0;
  for (var i = 1; i < tops.length; i++) if (tops[i] - tops[i - 1] > lh / 2) lines++;
  return lines > 1;
}).map(function (el) { return el.textContent.trim().slice(0, 20); })"""


def test_no_page_scrolls_sideways_nor_breaks_its_headers_at_1280_or_1024(net, live_server, browser):
    _orders(net)
    for user in net.users().values():  # a three-digit unread count, the widest the bell gets ("99+")
        for i in range(120):
            message_send(audience=Message.Audience.USER, user=user, title=f"通知 {i}")
    wide, off_screen, broken = [], [], []
    for role, user in net.users().items():
        context = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800}
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        _login(page, live_server.url, user)
        for path in _pages(role):
            page.goto(f"{live_server.url}{path}")
            for width in (1280, 1024):
                page.set_viewport_size({"width": width, "height": 800})
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 0:
                    wide.append((role, width, path, overflow))
                split = page.evaluate(BROKEN)
                if split:
                    broken.append((role, width, path, split))
                box = page.locator(HEADER_END).bounding_box()
                if not box or box["x"] + box["width"] > width:
                    off_screen.append((role, width, path, box))
            page.set_viewport_size({"width": 1280, "height": 800})
        expect(page.get_by_test_id("unread-count")).to_have_text("99+")
        context.close()
    assert wide == [], f"pages wider than the screen (role, width, path, extra px): {wide}"
    assert off_screen == [], f"the header's last item off screen: {off_screen}"
    assert broken == [], f"headers or buttons broken over lines: {broken}"


def test_screenshots_of_the_main_pages(net, live_server, browser):
    _orders(net)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    main = ["/", "/desk/accept/", "/desk/pickup/", "/orders/", "/violations/"]
    for label, viewport in (("1366x768", {"width": 1366, "height": 768}), ("390x844", {"width": 390, "height": 844})):
        context = browser.new_context(
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport=viewport,
            is_mobile=viewport["width"] < 500,
            has_touch=viewport["width"] < 500,
        )
        page = context.new_page()
        _login(page, live_server.url, net.clerk_a)
        for path in main:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            name = path.strip("/").replace("/", "-") or "home"
            page.screenshot(path=str(ARTEFACTS / f"clerk-{name}-{label}.png"), full_page=True)
        context.close()
    assert (ARTEFACTS / "clerk-desk-pickup-390x844.png").exists()


def test_header_search_by_the_last_four_digits_of_a_phone(net, live_server, page):
    order = _orders(net)
    _login(page, live_server.url, net.clerk_a)
    box = page.get_by_test_id("header-search")
    box.fill("3333")
    with page.expect_navigation():
        box.press("Enter")
    expect(page.locator("h1")).to_contain_text(order.channel_order_id)  # one hit: the order itself
    page.get_by_test_id("header-search").fill("寄件人乙")
    with page.expect_navigation():
        page.get_by_test_id("header-search").press("Enter")
    assert "/orders/" in page.url and "寄件人乙" in page.content()  # a name, exactly: that order's page


def test_phone_accepts_and_confirms_an_order(net, live_server, browser):
    order = make_order(sender_phone="13844445555")
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    _login(page, live_server.url, net.clerk_a)
    page.goto(f"{live_server.url}/desk/accept/")
    accept = page.get_by_test_id(f"accept-{order.channel_order_id}")
    accept.scroll_into_view_if_needed()
    box = accept.bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= 390  # the action is on screen, not off to the right
    assert page.evaluate(OVERFLOW) <= 0
    page.screenshot(path=str(ARTEFACTS / "phone-accept-390x844.png"), full_page=True)
    accept.tap()
    expect(page.locator(".alert-success")).to_contain_text(f"订单 {order.channel_order_id} 接单成功")

    page.goto(f"{live_server.url}/desk/pickup/")
    assert page.evaluate(OVERFLOW) <= 0
    waybill = page.get_by_test_id(f"waybill-{order.channel_order_id}")
    waybill.tap()
    waybill.fill("312345678955")
    confirm = page.get_by_test_id(f"confirm-{order.channel_order_id}")
    box = confirm.bounding_box()
    assert box and box["x"] + box["width"] <= 390
    confirm.tap()
    expect(page.get_by_test_id(f"row-done-{order.channel_order_id}")).to_contain_text("312345678955")
    page.screenshot(path=str(ARTEFACTS / "phone-pickup-390x844.png"), full_page=True)
    # the other lists are cards too: nothing scrolls sideways
    for path in ("/orders/", "/violations/", "/work-orders/", "/desk/couriers/", "/search/?q=5555&list=1"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate(OVERFLOW) <= 0, path
    context.close()
