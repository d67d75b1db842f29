"""Login, throttling, password change, home pages per role and the network pages, in Chinese."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_login_page_is_chinese_and_logs_in(net, client):
    page = client.get(reverse("login")).content.decode()
    assert "登录" in page and "用户名" in page
    response = client.post(reverse("login"), {"username": "clerk-a", "password": PASSWORD}, follow=True)
    assert "网点首页" in response.content.decode()


@pytest.mark.django_db
def test_failed_logins_are_throttled(net, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "clerk-a", "password": "wrong"})
        assert response.status_code == 200 and "请输入一个正确的用户名和密码" in response.content.decode()
    assert client.post(reverse("login"), {"username": "clerk-a", "password": "wrong"}).status_code == 429
    # even the right password is refused while locked
    locked = client.post(reverse("login"), {"username": "clerk-a", "password": PASSWORD})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()


@pytest.mark.django_db
def test_password_change(net, client):
    client.post(reverse("login"), {"username": "clerk-b", "password": PASSWORD})
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Xihu-2026-new", "new_password2": "Xihu-2026-new"},
        follow=True,
    )
    assert "您的密码已修改" in response.content.decode()
    net.clerk_b.refresh_from_db()
    assert net.clerk_b.check_password("Xihu-2026-new")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who,title,number",
    [
        ("clerk_a", "网点首页", None),
        ("lcs_zj", "省平台", "4"),  # active sites in Zhejiang: a, its contract area, b, data center
        ("hq", "总部电商组", "5"),
        ("manager", "管理概览", "5"),
    ],
)
def test_home_page_per_role_with_real_numbers(net, login, who, title, number):
    html = login(getattr(net, who)).get(reverse("home")).content.decode()
    assert title in html
    if number:
        assert f'data-testid="stat-sites">{number}<' in html
    else:
        assert 'data-testid="stat-couriers">1<' in html


@pytest.mark.django_db
def test_navigation_shows_each_role_only_what_it_may_use(net, login):
    assert "发送消息" not in login(net.clerk_a).get(reverse("home")).content.decode()
    html = login(net.hq).get(reverse("home")).content.decode()
    assert "发送消息" in html and "主数据管理" in html
    assert "主数据管理" not in login(net.lcs_zj).get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_site_list_filter_and_export_is_exactly_the_filtered_list(net, login):
    client = login(net.lcs_zj)
    html = client.get(reverse("core:site_list"), {"q": "宁波"}).content.decode()
    assert net.site_b.name in html and net.site_a.name not in html
    response = client.get(reverse("core:site_export"), {"q": "3301"})
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][0] == "网点编码"
    assert sorted(r[0] for r in rows[1:]) == [net.site_a.code, net.area_a.code]


@pytest.mark.django_db
def test_empty_list_says_why(net, login):
    html = login(net.clerk_a).get(reverse("core:site_list"), {"q": "不存在"}).content.decode()
    assert "没有符合条件的网点" in html


@pytest.mark.django_db
def test_english_is_available(net, login):
    client = login(net.hq)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "HQ e-commerce team" in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_chinese_even_for_an_english_browser(net, client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "用户名" in html


@pytest.mark.django_db
def test_home_shows_what_waits(net, login):
    from .factories import make_order

    make_order()
    clerk = login(net.clerk_a).get(reverse("home")).content.decode()
    assert 'data-testid="work"' in clerk and "等待接单" in clerk and "/desk/accept/" in clerk
    hq = login(net.hq).get(reverse("home")).content.decode()
    assert "数据中心待分件" in hq and "回传失败" in hq
    lcs = login(net.lcs_zj).get(reverse("home")).content.decode()
    assert "待处理申诉" in lcs
