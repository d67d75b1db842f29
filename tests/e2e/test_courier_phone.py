"""The courier's phone in Chromium (390 px wide): signed in by the clerk's one-time QR link, the courier sees only
their orders, confirms one by scanning its Code 128 waybill with the (fake) camera, fails one with a reason, goes
offline (the browser's network and the service worker's requests cut), confirms another, comes back online — and
the order is PICKED_UP exactly once, with one event. Meanwhile the clerk's 网点揽件, never reloaded, shows the
counts change and flags the courier's untouched order due within 2 hours."""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courier.models import CourierAct
from dispatch import services as ops
from orders.models import EventKind, FailReason, OnlineOrder, OrderEvent, OrderState

from ..conftest import PASSWORD
from ..courier.barcode import y4m_write
from ..factories import CourierFactory, make_order
from .conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test"
SCANNED = "330106000123"
TYPED = "330106000456"


def _assigned(net, courier, *, hours_ago=0.1):
    t = timezone.now() - timedelta(hours=hours_ago)
    order = make_order(at=t, order_time=t)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=t + timedelta(minutes=1))
    ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=courier, at=t + timedelta(minutes=2))
    return order


def _until(page, predicate: str, seconds: float = 15.0) -> None:
    """Poll a predicate from Python (wait_for_function would eval a string, which the desk's CSP forbids)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {predicate}"
        page.wait_for_timeout(100)


def _watch_csp(page, violations):
    page.on(
        "console",
        lambda msg: violations.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None,
    )


def test_courier_journey_on_the_phone_with_the_desk_following(net, live_server, settings, tmp_path, browser):
    settings.SITE_URL = live_server.url
    courier = net.site_a.couriers.first()
    other = CourierFactory(site=net.site_a, name="王五")
    scanned, failed, offline = (_assigned(net, courier) for _ in range(3))
    untouched = _assigned(net, courier, hours_ago=15)  # the 16-hour clock: about an hour left
    not_mine = _assigned(net, other)
    video = y4m_write(tmp_path / "waybill.y4m", SCANNED)
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is missing: run `make test`, which installs it")

    violations = []
    # a Chromium of its own (from the session's Playwright) whose fake camera plays the waybill
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        desk_ctx = camera.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        desk = desk_ctx.new_page()
        desk.set_default_timeout(15000)
        _watch_csp(desk, violations)
        # the clerk signs in and hands the courier a one-time sign-in QR code
        desk.goto(f"{live_server.url}/accounts/login/")
        desk.fill("#id_username", net.clerk_a.username)
        desk.fill("#id_password", PASSWORD)
        with desk.expect_navigation():
            desk.keyboard.press("Enter")
        desk.goto(f"{live_server.url}/desk/pickup/")
        expect(desk.get_by_test_id(f"flag-{untouched.channel_order_id}")).to_be_visible()
        expect(desk.get_by_test_id(f"done-{courier.pk}")).to_have_text("0")
        with desk.expect_navigation():
            desk.get_by_test_id(f"signin-qr-{courier.pk}").click()
        expect(desk.get_by_test_id("signin-qr").locator("svg")).to_be_visible()
        link = desk.get_by_test_id("signin-link").inner_text().strip()
        assert link.startswith(f"{live_server.url}/courier/signin/")
        desk.goto(f"{live_server.url}/desk/pickup/")
        desk.evaluate("window.__q9_loaded = true")  # survives only if the page never reloads

        phone_ctx = camera.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            permissions=["camera"],
        )
        phone = phone_ctx.new_page()
        phone.set_default_timeout(15000)
        _watch_csp(phone, violations)
        phone.goto(link)
        with phone.expect_navigation():
            phone.get_by_test_id("signin-button").click()
        assert phone.url == f"{live_server.url}/courier/"
        for order in (scanned, failed, offline, untouched):
            expect(phone.get_by_test_id(f"order-{order.channel_order_id}")).to_be_visible()
        expect(phone.get_by_test_id(f"order-{not_mine.channel_order_id}")).to_have_count(0)
        expect(phone.get_by_test_id(f"tel-{scanned.channel_order_id}")).to_have_attribute(
            "href", f"tel:{scanned.sender_phone}"
        )
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        # the service worker takes the page over (the shell and the last list for offline use)
        _until(phone, "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)")

        # 1. scan at the door with the camera (the stop opened first), confirm in one tap
        phone.get_by_test_id(f"open-stop-{scanned.channel_order_id}").click()
        phone.get_by_test_id(f"scan-{scanned.channel_order_id}").click()
        expect(phone.get_by_test_id(f"waybill-{scanned.channel_order_id}")).to_have_value(SCANNED)
        expect(phone.get_by_test_id("scanner")).to_be_hidden()
        phone.get_by_test_id(f"confirm-{scanned.channel_order_id}").click()
        expect(phone.get_by_test_id(f"status-{scanned.channel_order_id}")).to_contain_text(SCANNED)

        # 2. pickup failed, with a true reason
        phone.get_by_test_id(f"open-stop-{failed.channel_order_id}").click()
        phone.get_by_test_id(f"open-fail-{failed.channel_order_id}").click()
        phone.get_by_test_id(f"reason-{failed.channel_order_id}").select_option(FailReason.PHONE)
        phone.get_by_test_id(f"fail-text-{failed.channel_order_id}").fill("三次致电均无人接听")
        phone.get_by_test_id(f"fail-{failed.channel_order_id}").click()
        expect(phone.get_by_test_id(f"status-{failed.channel_order_id}")).to_contain_text("揽收失败")

        # the desk follows without a reload
        expect(desk.get_by_test_id(f"done-{courier.pk}")).to_have_text("1", timeout=20000)
        expect(desk.get_by_test_id(f"failed-{courier.pk}")).to_have_text("1")
        # the rows the desk loaded while these were open are marked in place
        expect(desk.locator(f"#pickup-row-{scanned.pk} [data-closed-note]")).to_contain_text(SCANNED)
        expect(desk.locator(f"#pickup-row-{failed.pk} [data-closed-note]")).to_contain_text("揽收失败")

        # 3. offline: the browser's network and the service worker's requests are cut
        phone_ctx.route("**/*", lambda route: route.abort())
        phone_ctx.set_offline(True)
        expect(phone.get_by_test_id("net-status")).to_have_text("离线")
        phone.get_by_test_id(f"open-stop-{offline.channel_order_id}").click()
        phone.get_by_test_id(f"waybill-{offline.channel_order_id}").fill(TYPED)
        phone.get_by_test_id(f"confirm-{offline.channel_order_id}").click()
        expect(phone.get_by_test_id(f"status-{offline.channel_order_id}")).to_contain_text("已保存在手机上")
        expect(phone.get_by_test_id("queue-info")).to_contain_text("1")
        # the page opens again offline: the service worker serves the last list, the act is still queued
        phone.reload()
        expect(phone.get_by_test_id(f"order-{offline.channel_order_id}")).to_be_visible()
        expect(phone.get_by_test_id(f"status-{offline.channel_order_id}")).to_contain_text("已保存在手机上")
        assert OnlineOrder.objects.get(pk=offline.pk).state == OrderState.ACCEPTED
        # the camera still reads offline: the reader's script and its WebAssembly come from the worker's cache
        phone.get_by_test_id(f"open-stop-{untouched.channel_order_id}").click()
        phone.get_by_test_id(f"scan-{untouched.channel_order_id}").click()
        expect(phone.get_by_test_id(f"waybill-{untouched.channel_order_id}")).to_have_value(SCANNED)
        phone.get_by_test_id(f"waybill-{untouched.channel_order_id}").fill("")

        # 4. back online: the queue is sent and answered
        phone_ctx.unroute("**/*")
        phone_ctx.set_offline(False)
        expect(phone.get_by_test_id(f"status-{offline.channel_order_id}")).to_contain_text(TYPED, timeout=20000)
        expect(phone.get_by_test_id("queue-info")).to_be_hidden()
        expect(desk.get_by_test_id(f"done-{courier.pk}")).to_have_text("2", timeout=20000)
        expect(desk.get_by_test_id(f"flag-{untouched.channel_order_id}")).to_be_visible()
        assert desk.evaluate("window.__q9_loaded") is True  # the desk never reloaded

        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(ARTEFACTS / "courier-phone.png"), full_page=True)
        desk.screenshot(path=str(ARTEFACTS / "courier-desk-panel.png"), full_page=True)
    finally:
        camera.close()

    assert not violations, "CSP violations:\n" + "\n".join(violations)
    states = dict(
        OnlineOrder.objects.filter(pk__in=[scanned.pk, failed.pk, offline.pk, untouched.pk]).values_list("pk", "state")
    )
    assert states == {
        scanned.pk: OrderState.PICKED_UP,
        failed.pk: OrderState.PICKUP_FAILED,
        offline.pk: OrderState.PICKED_UP,
        untouched.pk: OrderState.ACCEPTED,
    }
    assert OnlineOrder.objects.get(pk=scanned.pk).waybill_no == SCANNED
    assert OnlineOrder.objects.get(pk=offline.pk).waybill_no == TYPED
    picked = OrderEvent.objects.filter(order_id=offline.pk, kind=EventKind.PICKED_UP)
    assert picked.count() == 1 and picked.get().data["source"] == "courier"
    assert CourierAct.objects.filter(order_id=offline.pk).count() == 1
