"""The courier's list on a 390×844 phone shows several stops per screen: each stop folded to its clock, address, call
and navigate, the door's acts behind one button that opens in place. A screenshot goes to the notes."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courier import services
from dispatch import services as ops

from ..factories import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/notes/shots")
ADDRESSES = [
    "文三路90号华星科技大厦B座12楼1203室（前台代收，工作日9点到18点）",
    "古墩路702号",
    "天目山路176号西湖数源软件园8号楼东门快递柜旁",
    "教工路18号",
    "留和路318号浙江科技大学东和公寓3幢",
]


def test_several_stops_fit_one_phone_screen(net, live_server, browser):
    courier = net.site_a.couriers.first()
    orders = []
    for i, address in enumerate(ADDRESSES):
        t = timezone.now() - timedelta(hours=1 + i)
        order = make_order(at=t, order_time=t, sender_address=address, remark="到了先打电话" if i == 0 else "")
        ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=t + timedelta(minutes=1))
        ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=courier, at=t + timedelta(minutes=2))
        orders.append(order)
    issued = services.signin_code_issue(actor=net.clerk_a, courier=courier)

    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    phone = context.new_page()
    phone.set_default_timeout(15000)
    phone.goto(f"{live_server.url}/courier/signin/{issued.secret}/")
    with phone.expect_navigation():
        phone.get_by_test_id("signin-button").click()
    for order in orders:
        expect(phone.get_by_test_id(f"order-{order.channel_order_id}")).to_be_visible()

    heads = phone.locator("[data-testid^=stop-head-]")
    assert heads.count() == len(orders)
    boxes = [heads.nth(i).bounding_box() for i in range(heads.count())]
    on_screen = [b for b in boxes if b and b["y"] >= 0 and b["y"] + b["height"] <= 844]
    assert len(on_screen) >= 3, f"stops' headers within the first screen: {len(on_screen)} ({boxes})"
    # each folded stop still carries its call and navigate buttons, in view, at touch size
    first = orders[-1].channel_order_id  # the least time left is on top
    tel = phone.get_by_test_id(f"tel-{first}").bounding_box()
    assert tel["height"] >= 44 and tel["y"] + tel["height"] <= 844
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "i27-courier-stops-390.png"))

    # the door's acts open in place
    expect(phone.get_by_test_id(f"confirm-{first}")).to_be_hidden()
    phone.get_by_test_id(f"open-stop-{first}").click()
    expect(phone.get_by_test_id(f"confirm-{first}")).to_be_visible()
    expect(phone.get_by_test_id(f"scan-{first}")).to_be_visible()
    context.close()
