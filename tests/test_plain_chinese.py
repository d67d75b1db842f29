"""Plain Chinese on every page: the translation catalogue is complete (msgfmt: 0 untranslated, 0 fuzzy), and a
crawl of each role's pages finds no English word in the visible text outside a short allowlist (brand names,
units, codes people type) and no "---------" empty option (全部)."""

import re
import subprocess
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from core.navigation import nav_pages
from dispatch import services as ops
from penalties.models import Violation
from penalties.sweep import sla_sweep

from .factories import make_order

BASE = Path(__file__).resolve().parents[1]
ALLOW = {
    "Q9",
    "Esc",  # the names printed on the keys (网点接单's keyboard shortcuts)
    "Tab",
    "English",
    "CNY",
    "API",
    "Excel",
    "PDF",
    "CSV",
    "HQ",
    "LCS",
    "SLA",
    "URL",
    "ID",
    "Cainiao",
    "CRM",
    "WeChat",
    "WenQuanYi",
    "Code",
    "EMS",
    "SF",
    "JD",
    "YTO",
    "ZTO",
    "STO",
    "YD",
    "Noto",
    "CJK",
    "Sans",
    "SC",
    "APP",
    "PC",
    "kg",
    # operator-facing names of software and formats (HQ's system pages)
    "Celery",
    "beat",
    "worker",
    "HMAC",
    "SHA",
    "JSON",
    "OpenAPI",
    "http",
    "https",
    "xlsx",
    "chinese",
    "calendar",
    # sign-in names on the people pages are ASCII by nature (the fixtures' users: clerk-a, lcs-zj, …)
    "clerk",
    "area",
    "lcs",
    "hq",
    "manager",
    "zj",
    "xj",
}


class _Visible(HTMLParser):
    """The text a person reads: no script, style, template or hidden element."""

    def __init__(self):
        super().__init__()
        self.skip = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (
            self.skip
            or tag in ("script", "style", "template")
            or "d-none" in (attrs.get("class") or "")
            or "hidden" in attrs
        ):
            if tag not in ("br", "img", "input", "meta", "link", "hr", "source"):
                self.skip += 1
        elif tag in ("input", "textarea") and attrs.get("placeholder"):
            self.parts.append(attrs["placeholder"])

    def handle_endtag(self, tag):
        if self.skip and tag not in ("br", "img", "input", "meta", "link", "hr", "source"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def english_words(html: str, *, username: str = "") -> set[str]:
    parser = _Visible()
    parser.feed(html)
    text = " ".join(parser.parts)
    if username:  # what the person typed to log in is theirs
        text = text.replace(username, " ")
    text = re.sub(r"\b[A-Z]{1,4}\d[\w-]*\b|\bLP\d+\b|\b\d+[a-z]*\b", " ", text)  # order numbers, codes, units
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOW}


def test_translation_catalogue_is_complete():
    po = BASE / "locale/zh_Hans/LC_MESSAGES/django.po"
    result = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True, check=True
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert re.search(r"^\d+ translated messages\.$", result.stderr.strip()), result.stderr


@pytest.mark.parametrize("role", ["clerk", "lcs", "hq", "manager"])
def test_no_english_on_any_page_of_a_role(net, login, role):
    order = make_order(remark="请下午来")
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    make_order()
    now = timezone.now()
    late = make_order(order_time=now - timedelta(hours=3), at=now - timedelta(hours=3))
    ops.order_accept_fail(order_id=late.pk, actor=net.clerk_a, reason="phone", text="空号")
    sla_sweep(since=now - timedelta(days=1), until=now, at=now)
    violation = Violation.objects.get(order=late)
    user = net.users()[role]
    client = login(user)
    found = {}
    urls = [reverse("orders:order_detail", args=[late.pk]), reverse("penalties:violation_detail", args=[violation.pk])]
    urls += [reverse(n) for n in nav_pages(role)]
    for page in urls:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        words = english_words(html, username=user.username)
        if "---------" in html:  # an empty filter option reads 全部
            words.add("---------")
        if words:
            found[page] = sorted(words)
    assert not found, repr(found)


def test_styled_500_page_favicon_and_admin_title(net, login, rf):
    from django.views.defaults import server_error

    page = server_error(rf.get("/")).content.decode()
    assert "<style>" in page and "系统暂时出错" in page and "返回首页" in page and "favicon.svg" in page
    assert english_words(page) == set()
    client = login(net.hq)
    assert 'rel="icon"' in client.get(reverse("home")).content.decode()
    assert client.get("/favicon.ico")["Location"].endswith("favicon.svg")
    admin = client.get("/admin/").content.decode()
    assert "Q9 电商订单系统 · 主数据管理" in admin and "Q9 Order Desk" not in admin
