"""Accounts in Chromium: HQ creates a clerk, who signs in and must choose a password first; a province LCS
cannot open another province's user (404); a password reset by e-mail (locmem backend) ends in a sign-in."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from core.models import User

from ..conftest import PASSWORD
from ..twofactor import browser_step_up

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def sign_out(page):
    page.get_by_test_id("account-menu").click()  # 退出 sits in the account menu
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/accounts/login/")


def test_hq_creates_a_clerk_who_must_change_the_password_first(net, live_server, page):
    base = live_server.url
    sign_in(page, base, net.hq.username, PASSWORD)
    page.wait_for_url(f"{base}/")
    browser_step_up(page, base, net.hq)  # administering accounts needs the second factor
    page.goto(f"{base}/people/")
    page.get_by_test_id("user-new").click()
    page.fill("#id_username", "e2e-clerk")
    page.fill("#id_first_name", "新客服")
    page.fill("#id_phone", "13800000009")
    page.select_option("#id_role", "clerk")
    page.fill("#id_site", net.site_a.code)
    page.get_by_test_id("user-save").click()
    temporary = page.get_by_test_id("temporary-password").inner_text().strip()
    assert len(temporary) == 12
    sign_out(page)

    sign_in(page, base, "e2e-clerk", temporary)
    page.wait_for_url("**/accounts/password/")
    expect(page.get_by_test_id("password-forced")).to_contain_text("请先设置您自己的密码")
    page.goto(f"{base}/orders/")  # any other page sends the clerk back
    page.wait_for_url("**/accounts/password/")
    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password1", "Lq7-wrt-Kp92")
    page.fill("#id_new_password2", "Lq7-wrt-Kp92")
    page.click("button[type=submit]")
    page.goto(f"{base}/")
    expect(page.get_by_test_id("home-title")).to_contain_text("杭州西湖网点")
    assert User.objects.get(username="e2e-clerk").check_password("Lq7-wrt-Kp92")


def test_an_lcs_gets_404_for_another_provinces_user(net, live_server, page):
    base = live_server.url
    sign_in(page, base, net.lcs_zj.username, PASSWORD)
    page.wait_for_url(f"{base}/")
    browser_step_up(page, base, net.lcs_zj)
    page.goto(f"{base}/people/")
    expect(page.locator("table")).to_contain_text("clerk-b")
    expect(page.locator("table")).not_to_contain_text("clerk-x")
    response = page.goto(f"{base}/people/{net.clerk_b.pk}/")
    assert response.status == 200
    response = page.goto(f"{base}/people/{net.clerk_x.pk}/")
    assert response.status == 404


def test_a_password_reset_by_email_ends_in_a_sign_in(net, live_server, page, settings):
    settings.SITE_URL = live_server.url
    net.clerk_b.email = "clerk-b@example.com"
    net.clerk_b.save()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.click("text=忘记密码？")
    page.fill("#id_email", "clerk-b@example.com")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("reset-sent")).to_be_visible()
    assert len(mail.outbox) == 1
    link = re.search(r"(http://\S+/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    assert link.startswith(base)  # absolute, from SITE_URL
    page.goto(link)
    page.fill("#id_new_password1", "Zt5-mkq-Rw83")
    page.fill("#id_new_password2", "Zt5-mkq-Rw83")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("reset-complete")).to_be_visible()
    sign_in(page, base, "clerk-b", "Zt5-mkq-Rw83")
    expect(page.get_by_test_id("home-title")).to_contain_text("宁波海曙网点")
