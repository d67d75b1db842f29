"""HQ's pages in Chromium at 1280 px: a courier's account is saved as it stands, a clerk's site is picked by name,
the account's history reads in Chinese, and the dashboard shows its filter, the week over week and worst sites
that open their violations. Screenshots are saved under var/test/ (artefacts of the suite, not committed)."""

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.models import User
from penalties.sweep import sla_sweep
from people.services import Unit, account_deactivate, account_update, courier_account_open

from ..conftest import PASSWORD
from ..factories import make_order
from ..rulebook_seed import rules_seed
from ..twofactor import browser_step_up

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test"


def _hq_page(browser, base, net):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", net.hq.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    browser_step_up(page, base, net.hq)  # the people pages administer accounts: the second factor first
    return page


def test_hq_saves_a_couriers_account_and_reads_a_clerks_history(net, live_server, browser):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    courier = courier_account_open(actor=net.clerk_a, courier=net.site_a.couriers.first())
    page = _hq_page(browser, live_server.url, net)
    page.goto(f"{live_server.url}/people/{courier.pk}/")
    expect(page.locator("#id_role")).to_have_value("courier")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".alert-success, .toast, [role=alert]").first).to_contain_text("已保存")
    assert User.objects.get(pk=courier.pk).role == User.Role.COURIER

    # a clerk moved by the picker: type part of the name, pick it from the list
    page.goto(f"{live_server.url}/people/{net.clerk_b.pk}/")
    box = page.locator("#id_site")
    box.fill("")
    box.press_sequentially("乌鲁木齐", delay=30)
    picked = page.locator("#id_site-options option[value*='乌鲁木齐']")
    expect(picked).to_have_count(1)
    box.fill(picked.get_attribute("value"))
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("body")).to_contain_text("已保存")
    assert User.objects.get(pk=net.clerk_b.pk).site == net.site_x
    account_update(
        actor=net.hq,
        user=User.objects.get(pk=net.clerk_b.pk),
        first_name="宁波客服",
        phone="13900000001",
        email="",
        unit=Unit(role=User.Role.LCS, province=net.xj),
    )
    account_deactivate(actor=net.hq, user=User.objects.get(pk=net.clerk_b.pk))
    page.goto(f"{live_server.url}/people/{net.clerk_b.pk}/")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("乌鲁木齐天山网点")
    expect(history).to_contain_text("是 → 否")
    for raw in ("site_id", "role:", "导入类型", "有 →"):
        expect(page.locator("body")).not_to_contain_text(raw)
    page.screenshot(path=str(ARTEFACTS / "hq-history-1280.png"), full_page=True)


def test_the_dashboard_in_the_browser(net, live_server, browser):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    from django.utils import timezone

    from core import clock

    rules_seed()
    today = timezone.localdate()
    for days in (1, 2, 3, 5, 8, 9, 10):
        morning = clock.day_start(today - timedelta(days=days)) + timedelta(hours=10)
        for district, city in (("西湖区", "杭州市"), ("海曙区", "宁波市"), ("西湖区", "杭州市")):
            make_order(order_time=morning, sender_city=city, sender_district=district)
        sla_sweep(
            since=morning - timedelta(days=1), until=morning + timedelta(hours=1), at=morning + timedelta(hours=1)
        )
    page = _hq_page(browser, live_server.url, net)
    page.goto(f"{live_server.url}/sla/dashboard/")
    expect(page.get_by_test_id("week-over-week")).to_contain_text("按时接单率")
    expect(page.locator("#id_province option").first).to_have_text("全网")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.screenshot(path=str(ARTEFACTS / "hq-dashboard-1280.png"), full_page=True)
    page.get_by_test_id("worst-sites").locator("a").first.click()
    page.wait_for_url("**/violations/?site=*")
    expect(page.locator("body")).to_contain_text("接单超时")
