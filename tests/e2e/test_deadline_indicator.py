"""Passing warnings are live, not stored (issue 28.2): an order whose accept deadline comes within 10 minutes shows
in the header's bar of every clerk page, counted live from the polled queue, and raises one desktop notification;
no message is stored for it (the beat has no such job) and the message centre keeps what must be read."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from config.beat import beat_schedule
from core.models import Message
from orders.models import OnlineOrder

from ..conftest import PASSWORD
from ..factories import make_order
from .test_new_order_alert import SPIES, _wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WARNINGS = "window.__q9.notes.filter(function (n) { return n.title === 'Q9 接单提醒'; })"  # not the new-order ones


def test_deadline_warning_is_a_live_indicator_not_a_message(net, live_server, page, settings):
    settings.WORKBENCH_POLL_SECONDS = 1
    calm, urgent = make_order(), make_order()
    page.add_init_script(SPIES.replace('|| "default"', '|| "granted"'))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", net.clerk_a.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{live_server.url}/orders/")  # any page of the clerk
    soon = page.get_by_test_id("due-soon")
    expect(page.get_by_test_id("pending-banner")).to_contain_text("2 个订单等待接单")
    expect(soon).to_be_hidden()
    # the accept clocks run in service hours; the test names the deadlines itself (its clock is the real one)
    now = timezone.now()
    OnlineOrder.objects.filter(pk=calm.pk).update(accept_due_at=now + timedelta(minutes=25), updated_at=now)
    OnlineOrder.objects.filter(pk=urgent.pk).update(accept_due_at=now + timedelta(minutes=5), updated_at=now)
    expect(soon).to_have_text("1 个订单须在 10 分钟内接单或转单", timeout=10000)
    _wait_until(page, WARNINGS + ".length === 1")
    note = page.evaluate(WARNINGS + "[0]")
    assert "1 个订单须在 10 分钟内接单" in note["body"]

    # a second order enters the window: the count follows without a reload, one more notification
    later = timezone.now()
    OnlineOrder.objects.filter(pk=calm.pk).update(accept_due_at=later + timedelta(minutes=8), updated_at=later)
    expect(soon).to_have_text("2 个订单须在 10 分钟内接单或转单", timeout=10000)
    _wait_until(page, WARNINGS + ".length === 2")
    page.wait_for_timeout(2500)
    assert page.evaluate(WARNINGS + ".length") == 2  # each order once

    # the workbench shows it too, and the next page does not notify again for the same deadlines
    page.goto(f"{live_server.url}/desk/accept/")
    expect(page.get_by_test_id("due-soon")).to_have_text("2 个订单须在 10 分钟内接单或转单")
    page.wait_for_timeout(1500)
    assert page.evaluate(WARNINGS + ".length") == 0

    # nothing stored: no beat job sends such warnings, the message centre stays for what must be read
    assert not [e for e in beat_schedule().values() if "deadline" in e["task"]]
    assert not Message.objects.exists()
    page.goto(f"{live_server.url}/messages/")
    header = page.locator("main table thead").inner_text() if page.locator("main table").count() else ""
    assert "Sender" not in header
