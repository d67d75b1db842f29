"""One word per act, in Chinese: a closure day is 停运日 everywhere, a failed accept and a failed pickup are named
as such on their buttons, the administration's groups and models read in Chinese, the countdown speaks the page's
language, and an address is shown without its district code."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from core.humanize import countdown_text
from tests.pages import shown

ROOT = Path(__file__).resolve().parents[1]


def _msgstrs() -> str:
    text = (ROOT / "locale/zh_Hans/LC_MESSAGES/django.po").read_text()
    return "\n".join(re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', text, re.M))


def test_a_closure_day_has_one_name():
    places = [_msgstrs()] + [
        p.read_text() for pattern in ("templates/**/*.html", "*/rule_docs.py", "docs/*.md") for p in ROOT.glob(pattern)
    ]
    for text in places:
        assert "停摆日" not in text and "停工日" not in text


def test_the_fail_buttons_name_their_act():
    for name, word in (
        ("cells/workbench_actions.html", "Accept failed"),
        ("cells/pickup_actions.html", "Pickup failed"),
    ):
        template = (ROOT / "templates/dispatch" / name).read_text()
        assert '{% translate "Fail" %}' not in template and f'{{% translate "{word}" %}}' in template


@pytest.mark.django_db
def test_the_administration_reads_in_chinese(net, client):
    client.force_login(net.hq, backend="core.auth.UserBackend")
    html = shown(client.get(reverse("admin:index")))
    captions = re.findall(r"<caption>\s*<a[^>]*>([^<]+)</a>", html)
    models = re.findall(r'<th scope="row"[^>]*>\s*(?:<a[^>]*>)?([^<]+)', html)
    assert captions and models
    english = [name for name in captions + models if re.search(r"[A-Za-z]", name)]
    assert not english, english


def test_the_countdown_speaks_the_pages_language():
    with translation.override("en"):
        assert countdown_text(29 * 60) == "29 min left" and countdown_text(-2 * 3600) == "2 h overdue"
    with translation.override("zh-hans"):
        assert countdown_text(29 * 60) == "还剩 29 分" and countdown_text(-2 * 3600) == "已超时 2 小时"


@pytest.mark.django_db
def test_an_address_is_shown_without_its_district_code(net, login):
    from .factories import make_order

    order = make_order()
    html = shown(login(net.hq).get(reverse("orders:order_detail", args=[order.pk])))
    assert order.sender_adcode == "330106" and not re.search(r"(?<!\d)330106(?!\d)", html)


@pytest.mark.django_db
def test_hand_entry_keeps_the_province_once(net, login):
    from orders.models import Channel, OnlineOrder

    login(net.hq).post(
        reverse("orders:order_new"),
        {
            "channel": Channel.objects.get(slug="hq").pk,
            "sender_name": "王五",
            "sender_phone": "13700000001",
            "sender_province": "浙江省",
            "sender_city": "杭州市",
            "sender_district": "西湖区",
            "sender_address": "浙江省杭州市西湖区文三路90号",
            "receiver_province": "北京市",
            "receiver_address": "北京市朝阳区建国路1号",
            "business_type": "send",
            "is_online": "on",
        },
    )
    order = OnlineOrder.objects.get(sender_name="王五")
    assert order.sender_address == "文三路90号" and order.receiver_address == "朝阳区建国路1号"
    assert order.site == net.site_a
    html = shown(login(net.hq).get(reverse("orders:order_detail", args=[order.pk])))
    assert html.count("浙江省杭州市西湖区") == 1
