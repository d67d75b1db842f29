"""Proof at the door in Chromium (a 390 px phone): offline, the courier taps 📞, records a pickup failure "cannot
enter the premises" with a photo taken in the page (a 3000×2000 picture, downscaled on the phone) and a coarse
place; the act and its photo wait in IndexedDB; back online they reach the server together. HQ's audit page shows
the photo, the place, the call and both times beside the act. Screenshots of both go to the notes."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from courier import services
from courier.models import DoorPhoto
from dispatch import services as ops
from orders.models import EventKind, FailReason, OrderEvent, OrderState

from ..conftest import PASSWORD
from ..factories import make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/notes/shots")


def _photo(path: Path) -> Path:
    image = Image.new("RGB", (3000, 2000), (120, 130, 140))
    draw = ImageDraw.Draw(image)
    for x in range(0, 3000, 40):  # detail, so that the JPEG is not trivially small
        draw.line([(x, 0), (3000 - x, 2000)], fill=(x % 255, 80, 200 - x % 200), width=6)
    draw.rectangle([900, 500, 2100, 1500], fill=(60, 60, 60))
    draw.text((1000, 900), "GATE CLOSED", fill=(255, 255, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_photo_taken_offline_reaches_the_server_with_its_act(net, live_server, browser, tmp_path):
    courier = net.site_a.couriers.first()
    t = timezone.now() - timedelta(hours=1)
    order = make_order(at=t, order_time=t)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=t + timedelta(minutes=1))
    ops.order_courier_assign(order_id=order.pk, actor=net.clerk_a, courier=courier, at=t + timedelta(minutes=2))
    issued = services.signin_code_issue(actor=net.clerk_a, courier=courier)
    picture = _photo(tmp_path / "gate.jpg")
    assert picture.stat().st_size > 300 * 1024

    phone_ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        permissions=["geolocation"],
        geolocation={"latitude": 30.27415, "longitude": 120.15515, "accuracy": 40},
    )
    phone = phone_ctx.new_page()
    phone.set_default_timeout(15000)
    phone.goto(f"{live_server.url}/courier/signin/{issued.secret}/")
    with phone.expect_navigation():
        phone.get_by_test_id("signin-button").click()
    no = order.channel_order_id
    expect(phone.get_by_test_id(f"order-{no}")).to_be_visible()

    phone_ctx.route("**/*", lambda route: route.abort())
    phone_ctx.set_offline(True)
    expect(phone.get_by_test_id("net-status")).to_have_text("离线")
    # the tap on 📞 is recorded before dialing (the test's phone does not dial)
    phone.evaluate(
        "document.addEventListener('click', function (e) { if (e.target.closest('[data-call]')) e.preventDefault(); })"
    )
    phone.get_by_test_id(f"tel-{no}").click()
    expect(phone.get_by_test_id(f"called-{no}")).to_contain_text("已致电")
    phone.get_by_test_id(f"open-stop-{no}").click()
    phone.get_by_test_id(f"open-fail-{no}").click()
    phone.get_by_test_id(f"reason-{no}").select_option(FailReason.PREMISES)
    phone.get_by_test_id(f"fail-text-{no}").fill("小区门禁，保安不让进")
    phone.get_by_test_id(f"fail-{no}").click()  # no photo yet: the phone asks for one
    expect(phone.get_by_test_id(f"status-{no}")).to_contain_text("拍照")
    phone.get_by_test_id(f"photo-{no}").set_input_files(str(picture))
    expect(phone.get_by_test_id(f"photo-preview-{no}")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "i27-phone-act-with-photo.png"), full_page=True)
    phone.get_by_test_id(f"fail-{no}").click()
    expect(phone.get_by_test_id(f"status-{no}")).to_contain_text("已保存在手机上")
    expect(phone.get_by_test_id("queue-info")).to_contain_text("1")
    stored = phone.evaluate(
        """new Promise(function (resolve) {
             var open = indexedDB.open('q9-courier', 1);
             open.onsuccess = function () {
               var all = open.result.transaction('acts').objectStore('acts').getAll();
               all.onsuccess = function () { resolve(all.result.map(function (a) { return (a.photo || '').length; })); };
             };
           })"""
    )
    assert len(stored) == 1 and 1000 < stored[0] < 300 * 1024 * 4 / 3 + 100  # the downscaled photo waits with it
    assert not DoorPhoto.objects.exists() and order.__class__.objects.get(pk=order.pk).state == OrderState.ACCEPTED

    phone_ctx.unroute("**/*")
    phone_ctx.set_offline(False)
    expect(phone.get_by_test_id(f"status-{no}")).to_contain_text("揽收失败", timeout=20000)
    expect(phone.get_by_test_id("queue-info")).to_be_hidden()
    phone_ctx.close()

    photo = DoorPhoto.objects.get()
    assert photo.order_id == order.pk and photo.act.kind == "fail" and photo.act.outcome == "applied"
    assert photo.size <= 300 * 1024 and max(photo.width, photo.height) <= 1600
    event = OrderEvent.objects.get(order=order, kind=EventKind.PICKUP_FAILED)
    assert event.data["photos"] == [photo.pk] and event.data["geo"]["accuracy_m"] == 40
    assert event.data["geo"]["lat"] == "30.274" and "called_at" in event.data

    hq_ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    hq = hq_ctx.new_page()
    hq.goto(f"{live_server.url}/accounts/login/")
    hq.fill("#id_username", net.hq.username)
    hq.fill("#id_password", PASSWORD)
    with hq.expect_navigation():
        hq.keyboard.press("Enter")
    hq.goto(f"{live_server.url}/audit/orders/{order.pk}/")
    evidence = hq.get_by_test_id("act-evidence")
    expect(evidence).to_contain_text("30.274, 120.155")
    expect(evidence).to_contain_text("致电寄件人时间")
    expect(evidence.get_by_test_id("act-photo")).to_be_visible()
    assert hq.evaluate("document.querySelector('[data-testid=act-photo]').naturalWidth") > 0  # the image loads
    hq.screenshot(path=str(SHOTS / "i27-hq-audit-evidence.png"), full_page=True)
    hq_ctx.close()
