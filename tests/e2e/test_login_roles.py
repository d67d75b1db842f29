"""Each demo role logs in through Debian Chromium and sees its own home page, in Chinese."""

import pytest
from django.core.management import call_command

HOME_TITLES = {
    "demo-clerk": "网点首页",
    "demo-lcs": "省平台",
    "demo-hq": "总部电商组",
    "demo-manager": "管理概览",
}


@pytest.fixture
def demo_network(transactional_db, settings):
    settings.DEMO_MODE = True
    call_command("load_network")
    call_command("demo_data")


@pytest.mark.e2e
def test_each_demo_role_sees_its_home_in_chinese(demo_network, live_server, page):
    for username, title in HOME_TITLES.items():
        page.goto(f"{live_server.url}/")
        assert "登录" in page.title()
        page.fill("#id_username", username)
        page.fill("#id_password", "demo12345")
        page.click("button[type=submit]")
        heading = page.get_by_test_id("home-title")
        assert title in heading.inner_text()
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        nav = page.locator("nav").text_content()  # the bar and its menus (更多, the account menu) as written
        assert "退出" in nav and page.locator("nav a.message-bell").count() == 1
        assert ("主数据管理" in nav) == (username == "demo-hq")
        if username == "demo-clerk":
            assert "杭州西湖区网点" in heading.inner_text()
            page.click("nav a.message-bell")
            page.click("text=欢迎使用 Q9 电商订单系统")
            assert page.get_by_test_id("message-title").inner_text() == "欢迎使用 Q9 电商订单系统"
        page.get_by_test_id("account-menu").click()
        page.get_by_test_id("logout").click()
        page.wait_for_url("**/accounts/login/")


@pytest.mark.e2e
def test_wrong_password_shows_a_chinese_error(demo_network, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "demo-clerk")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "请输入一个正确的用户名和密码" in page.locator(".alert-danger").inner_text()
    assert page.input_value("#id_username") == "demo-clerk"
