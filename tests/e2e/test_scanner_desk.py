"""网点揽件 with a scanner, in Chromium: the clerk logs in and scans ten waybills in a row without touching the
mouse. The scan box keeps the focus, each row is confirmed in place (no page load), an order without a waybill
is scanned by its 物流号 and then its waybill, and a wrong waybill is flagged by its row with the reason."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dispatch import services as ops
from orders.models import OnlineOrder, OrderState

from ..conftest import PASSWORD
from ..factories import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test"


def _accepted(net, **overrides):
    t = timezone.now() - timedelta(minutes=5)
    order = make_order(at=t, order_time=t, **overrides)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    return order


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_clerk_scans_ten_waybills_without_the_mouse(net, live_server, page):
    carried = [_accepted(net, waybill_no=f"3000000010{i:02d}") for i in range(9)]
    bare = _accepted(net)  # no waybill yet: scanned by 物流号, then its waybill

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", net.clerk_a.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{live_server.url}/desk/pickup/")
    expect(page.get_by_test_id("scan-input")).to_be_focused()
    page.evaluate("window.__q9_loaded = true")  # survives only if the page never reloads

    def scan(code):
        page.keyboard.type(code)
        page.keyboard.press("Enter")

    for order in carried[:5]:
        scan(order.waybill_no)
        expect(page.get_by_test_id(f"row-done-{order.channel_order_id}")).to_contain_text(order.waybill_no)
        assert _focused_id(page) == "scan-input"

    # the order without a waybill: its 物流号 arms the row, a wrong waybill is flagged there, the right one confirms
    scan(bare.channel_order_id)
    expect(page.get_by_test_id(f"row-armed-{bare.channel_order_id}")).to_be_visible()
    scan("3123")
    error = page.get_by_test_id(f"row-error-{bare.channel_order_id}")
    expect(error).to_contain_text("12–15 位数字")
    expect(page.get_by_test_id("scan-result")).to_contain_text("12–15 位数字")
    assert _focused_id(page) == "scan-input" and page.get_by_test_id("scan-input").input_value() == ""
    scan(bare.channel_order_id)  # a refusal disarmed it: its 物流号 again, then its waybill
    expect(page.get_by_test_id("armed-order")).to_have_text(bare.channel_order_id)
    scan("300000001099")
    expect(page.get_by_test_id(f"row-done-{bare.channel_order_id}")).to_contain_text("300000001099")

    # an unknown number is said next to the box; nothing changes
    scan("300000009999")
    expect(page.get_by_test_id("scan-result")).to_contain_text("300000009999")

    for order in carried[5:]:
        scan(order.waybill_no)
        expect(page.get_by_test_id(f"row-done-{order.channel_order_id}")).to_be_visible()
        assert _focused_id(page) == "scan-input"

    assert page.evaluate("window.__q9_loaded") is True  # never reloaded
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "pickup-scanner-desk.png"), full_page=True)
    picked = OnlineOrder.objects.filter(pk__in=[o.pk for o in [*carried, bare]], state=OrderState.PICKED_UP)
    assert picked.count() == 10
    assert OnlineOrder.objects.get(pk=bare.pk).waybill_no == "300000001099"


def _login_desk(page, live_server, net):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", net.clerk_a.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_armed_desk_shows_disarms_and_sounds(net, live_server, page):
    """An order armed, two refused scans, then an unrelated parcel's number: refused, not
    applied. The armed order is shown (物流号, sender); Esc and 30 seconds disarm; a confirmation sounds and
    flashes unlike a refusal."""
    bare = _accepted(net, sender_name="周寄件")
    unrelated = _accepted(net, waybill_no="300000001201")
    page.clock.install()
    _login_desk(page, live_server, net)
    page.goto(f"{live_server.url}/desk/pickup/")
    expect(page.get_by_test_id("armed-box")).to_be_hidden()

    def scan(code):
        page.keyboard.type(code)
        page.keyboard.press("Enter")

    scan(bare.channel_order_id)
    expect(page.get_by_test_id("armed-order")).to_have_text(bare.channel_order_id)
    expect(page.get_by_test_id("armed-sender")).to_contain_text("周寄件")
    scan("31")
    expect(page.get_by_test_id("scan-result")).to_have_attribute("data-scan-result", "refused")
    expect(page.get_by_test_id("armed-box")).to_be_hidden()
    # the tone and flash follow htmx's settle, a moment after the swap: waited for, not read at once
    expect(page.locator("body")).to_have_attribute("data-scan-sound", "bad")
    expect(page.get_by_test_id("scan-input")).to_have_class(re.compile(r"\bscan-flash\b"))
    scan("32")
    expect(page.get_by_test_id("scan-result")).to_have_attribute("data-scan-result", "not_found")
    scan("300000001299")  # an unrelated parcel's number: nothing is armed, so nothing is applied
    expect(page.get_by_test_id("scan-result")).to_contain_text("300000001299")
    expect(page.get_by_test_id("scan-result")).to_have_attribute("data-scan-result", "not_found")
    assert OnlineOrder.objects.get(pk=bare.pk).state == OrderState.ACCEPTED

    # Esc disarms
    scan(bare.channel_order_id)
    expect(page.get_by_test_id("armed-box")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("armed-box")).to_be_hidden()
    expect(page.get_by_test_id("scan-status")).to_contain_text("已取消")
    scan("300000001298")
    expect(page.get_by_test_id("scan-result")).to_have_attribute("data-scan-result", "not_found")

    # 30 seconds disarm
    scan(bare.channel_order_id)
    expect(page.get_by_test_id("armed-box")).to_be_visible()
    page.clock.run_for(31_000)
    expect(page.get_by_test_id("armed-box")).to_be_hidden()

    # another order's scan disarms it (a carried waybill confirms that order), with the success tone and flash
    scan(bare.channel_order_id)
    expect(page.get_by_test_id("armed-box")).to_be_visible()
    scan(unrelated.waybill_no)
    expect(page.get_by_test_id(f"row-done-{unrelated.channel_order_id}")).to_be_visible()
    expect(page.get_by_test_id("armed-box")).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-scan-sound", "ok")
    expect(page.get_by_test_id("scan-input")).to_have_class(re.compile(r"\bscan-flash-ok\b"))
    assert OnlineOrder.objects.get(pk=bare.pk).state == OrderState.ACCEPTED
    assert not OnlineOrder.objects.get(pk=bare.pk).waybill_no
