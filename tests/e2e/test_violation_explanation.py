"""The explanation of a fine in Chromium (issue 26): HQ opens a violation whose deadline a closure day moved and
reads how it was computed — the clock's start, the rule version, the spans counted, the closure day skipped, the
deadline, who is responsible and the answering act with its witnessed and received times. Screenshot for the note."""

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from core import clock
from dispatch import services as ops
from penalties import services
from penalties.models import Rule, Violation, ViolationStatus
from penalties.sweep import sla_sweep

from ..conftest import PASSWORD
from ..factories import make_order
from ..twofactor import browser_step_up

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")
SHOTS = os.environ.get("Q9_SHOTS", "")


def test_the_violation_page_explains_the_deadline(net, live_server, page):
    from tests.rulebook_seed import rules_seed

    rules_seed()
    t0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)  # a Monday in the past, whatever day the test runs
    order = make_order(order_time=t0)
    services.closure_confirm(
        day=t0.date(), province=None, reason="暴雪停工", actor=net.hq, at=datetime(2026, 11, 23, 7, tzinfo=SH)
    )
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=datetime(2026, 11, 24, 8, 50, tzinfo=SH))
    sla_sweep(since=t0, until=datetime(2026, 11, 24, 9, tzinfo=SH), at=datetime(2026, 11, 24, 9, tzinfo=SH))
    v = Violation.objects.get(rule=Rule.LATE_ACCEPT, status=ViolationStatus.CONFIRMED)
    clock.closures_changed()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", net.hq.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/violations/{v.pk}/")
    box = page.get_by_test_id("explanation")
    expect(box).to_contain_text("时限是怎样算出来的")
    expect(box).to_contain_text("停运日不计时（时钟停止）：11月23日")
    expect(box).to_contain_text("截止时间：2026-11-24 08:30")
    expect(box).to_contain_text("发生时间 2026-11-24 08:50")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "i26-violation-explanation.png"), full_page=True)


def test_a_closure_period_is_confirmed_after_saying_what_it_will_do(net, live_server, page):
    from tests.rulebook_seed import rules_seed

    rules_seed()
    t0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
    make_order(order_time=t0)
    sla_sweep(since=t0, until=datetime(2026, 11, 23, 11, tzinfo=SH), at=datetime(2026, 11, 23, 11, tzinfo=SH))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", net.hq.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    browser_step_up(page, live_server.url, net.hq)  # closure days void and raise fines: the second factor first
    page.goto(f"{live_server.url}/sla/closures/")
    expect(page.locator("body")).not_to_contain_text("chinese")
    page.fill("#id_first", "2026-11-23")
    page.fill("#id_last", "2026-11-24")
    page.fill("#id_reason", "暴雪停工")
    page.get_by_test_id("closure-submit").click()
    effect = page.get_by_test_id("closure-effect")
    expect(effect).to_contain_text("作废 1 条罚款")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "i26-closure-confirmation.png"), full_page=True)
    page.get_by_test_id("closure-confirm").click()
    expect(page.get_by_test_id("closures-confirmed")).to_contain_text("暴雪停工")
    # the fine at Monday 10:30 is voided; the moved deadlines, passed long ago on the real clock, stand instead
    assert Violation.objects.filter(status=ViolationStatus.VOIDED).count() == 1
