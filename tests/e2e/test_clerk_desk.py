"""The clerk's desk in Chromium (issue 28): assigning a courier answers in place (no reload, the scroll and what
was typed in other rows kept), a row's answer does not re-flow the columns."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Courier
from dispatch import services as ops

from ..conftest import PASSWORD
from ..factories import CourierFactory, make_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def _accepted(net, n):
    t = timezone.now() - timedelta(minutes=5)
    out = []
    for _i in range(n):
        order = make_order(at=t, order_time=t)
        ops.order_accept(order_id=order.pk, actor=net.clerk_a)
        out.append(order)
    return out


def _column_widths(page):
    return page.evaluate(
        "Array.prototype.map.call(document.querySelectorAll('main table thead th'), "
        "function (th) { return Math.round(th.getBoundingClientRect().width); })"
    )


def test_assigning_a_courier_answers_in_place(net, live_server, browser):
    orders = _accepted(net, 25)
    courier = Courier.objects.filter(site=net.site_a).first() or CourierFactory(site=net.site_a)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    _login(page, live_server.url, net.clerk_a)
    page.goto(f"{live_server.url}/desk/pickup/")
    page.evaluate("window.__q9_loaded = true")  # survives only if the page never reloads
    page.locator("main h1").click()  # the first click switches the sound on and folds its hint away
    expect(page.get_by_test_id("sound-hint")).to_be_hidden()
    first, last = orders[0].channel_order_id, orders[-1].channel_order_id
    page.get_by_test_id(f"waybill-{first}").fill("312345678901")  # typed in another row, not yet confirmed
    before = _column_widths(page)
    # the row mid-screen: a row at the very bottom edge leaves the test at the mercy of a few pixels of growth above
    page.get_by_test_id(f"courier-{last}").evaluate("el => el.scrollIntoView({block: 'center', behavior: 'instant'})")
    assert page.evaluate("window.scrollY") > 0
    at = page.get_by_test_id(f"assign-{last}").bounding_box()
    page.get_by_test_id(f"courier-{last}").select_option(str(courier.pk))
    page.get_by_test_id(f"assign-{last}").click()
    expect(page.get_by_test_id(f"courier-note-{last}")).to_have_text(f"已指派 {courier.name} 上门取件。")
    assert page.evaluate("window.__q9_loaded") is True  # no page load
    # no jump to the top: the row stays on screen where it was (the courier panel above may grow or shrink meanwhile)
    box = page.get_by_test_id(f"assign-{last}").bounding_box()
    assert page.evaluate("window.scrollY") > 0 and box and 0 <= box["y"] < 800 - box["height"] / 2
    assert abs(box["y"] - at["y"]) < 120, (at, box)
    expect(page.get_by_test_id(f"waybill-{first}")).to_have_value("312345678901")
    expect(page.get_by_test_id(f"assign-{last}")).to_have_text("改派")
    assert _column_widths(page) == before  # the answer wraps in its cell
    orders[-1].refresh_from_db()
    assert orders[-1].courier_id == courier.pk

    # no courier chosen: the refusal in the row, nothing else moves
    page.get_by_test_id(f"courier-{first}").select_option("")
    page.get_by_test_id(f"assign-{first}").click()
    expect(page.get_by_test_id(f"courier-note-{first}")).to_have_text("请从列表中选择业务员。")
    expect(page.get_by_test_id(f"waybill-{first}")).to_have_value("312345678901")
    assert page.evaluate("window.__q9_loaded") is True
    assert _column_widths(page) == before
    context.close()


def test_statement_download_says_it_is_working_and_renders_once(net, live_server, browser, monkeypatch):
    from finance import views

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    _login(page, live_server.url, net.clerk_a)
    # the live server runs in this process: count the renders themselves. How many requests the two clicks make
    # depends on whether the first file is back before the second click (the render takes a few hundredths of a
    # second); either way the statement is drawn once.
    renders, real = [], views.statement_pdf_bytes
    monkeypatch.setattr(views, "statement_pdf_bytes", lambda **k: renders.append(k["month"]) or real(**k))
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/finance/statement/pdf/" in r.url else None)
    page.goto(f"{live_server.url}/finance/statement/")
    link = page.get_by_test_id("statement-pdf")
    with page.expect_download() as download:
        link.click()
        expect(link).to_have_text("正在生成…")
        link.click(force=True)  # a manager's second click while it is made
    assert download.value.suggested_filename.startswith("statement-") and download.value.suggested_filename.endswith(
        ".pdf"
    )
    expect(link).to_have_text("PDF")
    page.wait_for_timeout(500)
    assert len(renders) == 1 and 1 <= len(requests) <= 2, (renders, requests)
    context.close()
