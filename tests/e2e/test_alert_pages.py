"""HQ in Chromium: 更多 → 告警通道 adds a 企业微信 robot and sends it a test message through the worker-less outbox
(delivered here by the task the page kicks), the key shown masked; 更多 → 系统状态 shows the figures. Neither page
scrolls sideways or breaks a header or button at 1024 px; screenshots go to var/test/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from core import alerts

from ..core.test_alerts import KEY, FakeRobots
from .test_layout import BROKEN, OVERFLOW, _login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test"


def test_hq_adds_a_robot_tests_it_and_reads_the_system_page(net, live_server, browser):
    robots = FakeRobots()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1024, "height": 900}, timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _login(page, live_server.url, net.hq)
        page.get_by_role("button", name="更多").click()
        page.get_by_role("link", name="告警通道").click()
        expect(page.get_by_role("heading", name="告警通道")).to_be_visible()
        form = page.locator("[data-testid=alert-channel-form]")
        form.get_by_label("类型").select_option("wecom")
        form.get_by_label("通道名称").fill("总部值班群")
        form.get_by_label("地址").fill(f"{robots.base}/cgi-bin/webhook/send?key={KEY}")
        form.get_by_role("button", name="保存").click()
        expect(page.get_by_text("通道 总部值班群 已保存。")).to_be_visible()
        target = page.locator("[data-testid=alert-target]").first
        expect(target).to_contain_text("key=weco…6789")
        assert KEY not in page.content()
        page.locator("[data-testid=alert-test]").first.click()
        expect(page.get_by_text("测试消息正在发往 总部值班群。")).to_be_visible()
        alerts.alerts_deliver()  # what the minute's worker does
        assert robots.received and robots.received[0]["body"]["msgtype"] == "markdown"
        page.reload()
        expect(page.locator("[data-testid=alert-messages]")).to_contain_text("已送达")
        assert page.evaluate(OVERFLOW) <= 0 and page.evaluate(BROKEN) == []
        page.screenshot(path=str(ARTEFACTS / "hq-alert-channels-1024.png"), full_page=True)

        page.get_by_role("button", name="更多").click()
        page.get_by_role("link", name="系统状态").click()
        expect(page.get_by_role("heading", name="系统状态")).to_be_visible()
        expect(page.locator("[data-testid=system-alerts]")).to_contain_text("已发送 1")
        expect(page.locator("[data-testid=system-queues]")).to_be_visible()
        assert page.evaluate(OVERFLOW) <= 0 and page.evaluate(BROKEN) == []
        page.screenshot(path=str(ARTEFACTS / "hq-system-1024.png"), full_page=True)
    finally:
        context.close()
        robots.close()
