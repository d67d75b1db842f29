"""A clerk's day in Chromium: a new order appears on 网点接单 by itself (the selection survives the refresh),
the clerk accepts it, assigns a courier, confirms pickup by scanning the waybill (Enter), and finds the order
in 电商订单查询 with its timeline."""

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD
from ..factories import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_clerk_accepts_assigns_confirms_and_finds_the_order(net, live_server, page, settings):
    settings.WORKBENCH_POLL_SECONDS = 1
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", net.clerk_a.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/desk/accept/")
    expect(page.get_by_test_id("workbench-empty")).to_be_visible()

    first = make_order()
    row = page.locator(f"tr[data-order='{first.channel_order_id}']")
    expect(row).to_be_visible(timeout=10000)  # appeared without a reload
    row.locator("input[name=ids]").check()
    expect(page.locator("[data-selected-count]")).to_have_text("1")

    second = make_order(remark="到了打电话")
    expect(page.locator(f"tr[data-order='{second.channel_order_id}']")).to_be_visible(timeout=10000)
    expect(page.locator(f"tr[data-order='{first.channel_order_id}'] input[name=ids]")).to_be_checked()
    expect(page.locator("[data-selected-count]")).to_have_text("1")
    assert page.title().startswith("(2)")
    expect(page.get_by_test_id("pending-banner")).to_have_count(0)  # the workbench itself shows the queue
    countdown = page.locator(f"tr[data-order='{second.channel_order_id}'] .countdown")
    assert countdown.inner_text() != ""

    page.get_by_test_id(f"accept-{second.channel_order_id}").click()
    expect(page.locator(".alert-success")).to_contain_text(f"订单 {second.channel_order_id} 接单成功")

    page.goto(f"{live_server.url}/desk/pickup/")
    courier = net.site_a.couriers.first()
    page.get_by_test_id(f"courier-{second.channel_order_id}").select_option(str(courier.pk))
    page.get_by_test_id(f"assign-{second.channel_order_id}").click()
    expect(page.get_by_test_id(f"courier-note-{second.channel_order_id}")).to_contain_text(courier.name)  # in place
    waybill = page.get_by_test_id(f"waybill-{second.channel_order_id}")
    waybill.fill("31234567890")  # 11 digits: refused with the format
    waybill.press("Enter")
    expect(page.get_by_test_id(f"row-error-{second.channel_order_id}")).to_contain_text("12–15 位数字")  # by the row
    expect(page.get_by_test_id(f"waybill-{second.channel_order_id}")).to_have_value("31234567890")  # kept
    page.get_by_test_id(f"waybill-{second.channel_order_id}").fill("312345678901")
    page.get_by_test_id(f"waybill-{second.channel_order_id}").press("Enter")
    expect(page.get_by_test_id(f"row-done-{second.channel_order_id}")).to_contain_text("312345678901")

    page.click('nav >> text="电商订单"')  # the menu
    page.click("nav >> text=电商订单查询")
    page.fill("#id_q", "312345678901")
    page.click("form.filters button[type=submit]")
    page.click(f"text={second.channel_order_id}")
    timeline = page.get_by_test_id("timeline")
    for step in ("订单已接收", "接单成功", "指派业务员", "揽件确认"):
        expect(timeline).to_contain_text(step)
    expect(page.get_by_test_id("order-waybill")).to_contain_text("312345678901")
