"""The one text policy at every door (core.textpolicy) and the request guard (config.middleware): a control
character or an over-long text is refused naming its field — in the API (a 422), the intake service (imports and
hand entry), any form (a Chinese 400 or the form's message) and any model save (the admin) — and a NUL in a
path or a query is a 400, never a 500."""

import json

import pytest
from django.urls import reverse

from core.exceptions import TextError
from core.models import Site
from core.signing import headers
from core.textpolicy import text_problem
from orders.models import ApiClient, OnlineOrder
from orders.services import api_client_create, channels_ensure, order_create

from .factories import channel_get, order_data


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x1f", "\x7f", "\ud800"])
def test_policy_refuses_every_control_character(char):
    assert text_problem(f"a{char}b")
    assert text_problem("a\tb\r\nc") is None  # tab and line breaks are text


@pytest.mark.parametrize(
    "field,value,needle",
    [
        ("goods", "a\x01b", "U+0001"),
        ("sender_name", "张" * 65, "64"),
        ("remark", "x\x7f", "U+007F"),
        ("channel_order_id", "A" * 65, "64"),
    ],
)
def test_intake_names_the_field(net, field, value, needle):
    with pytest.raises(TextError) as caught:
        order_create(channel=channel_get("taobao"), data=order_data(**{field: value}))
    assert caught.value.field == field and needle in str(caught.value.message)
    assert not OnlineOrder.objects.exists()


def test_every_model_save_follows_the_policy(net):
    net.site_a.name = "西湖\x01网点"
    with pytest.raises(TextError) as caught:
        net.site_a.save()
    assert caught.value.field == "name"
    assert Site.objects.get(pk=net.site_a.pk).name == "杭州西湖网点"


def _signed(client, api_client, secret, path, body: bytes):
    return client.post(
        path,
        data=body,
        content_type="application/json",
        headers=headers(key=api_client.key, secret=secret, method="POST", path=path, body=body),
    )


def test_api_refuses_a_control_character_with_a_field_error(net, client):
    channels = channels_ensure()
    api_client, secret = api_client_create(name="淘宝", kind="channel", channel=channels["taobao"], adapter="generic")
    body = {
        "channel_order_id": "TB1",
        "sender": {"name": "张三", "phone": "13812345678", "address": "杭州市西湖区文三路90号"},
        "goods": "a\u0001b",
    }
    r = _signed(client, api_client, secret, "/api/orders", json.dumps(body).encode())
    assert r.status_code == 422 and r.json()["error"]["field"] == "goods", r.content
    bulk = {"orders": [dict(body, channel_order_id="TB2", goods="ok"), dict(body, channel_order_id="TB3")]}
    r = _signed(client, api_client, secret, "/api/orders/bulk", json.dumps(bulk).encode())
    assert r.status_code == 422  # the schema refuses the whole request, naming the item and field
    assert r.json()["error"]["field"] == "orders.1.goods"
    assert not OnlineOrder.objects.exists()


@pytest.mark.parametrize("url", ["/tracking/?q=a%00b", "/orders/?q=%01", "/orders/?date_from=%00", "/audit/?x%00=1"])
def test_control_character_in_a_query_is_a_chinese_400(net, login, url):
    r = login(net.clerk_a).get(url)
    assert r.status_code == 400
    assert "控制字符" in r.content.decode()


def test_nul_in_an_api_path_is_a_json_400(net, client):
    r = client.get("/api/orders/ab%00cd")
    assert r.status_code == 400 and r["Content-Type"].startswith("application/json")
    assert r.json()["error"]["field"] == "path"


def test_form_field_with_a_control_character_is_refused_naming_it(net, login):
    from .factories import make_order

    order = make_order()
    r = login(net.clerk_a).post(
        reverse("dispatch:order_transfer", args=[order.pk]), {"to_site": net.site_b.code, "text": "原因\x00"}
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "text" in page and "U+0000" in page
    assert OnlineOrder.objects.get(pk=order.pk).site_id == net.site_a.id


def test_over_long_api_client_name_is_a_message_not_a_500(net, login):
    r = login(net.hq).post(
        reverse("orders:api_clients"),
        {"action": "create", "name": "长" * 300, "kind": "channel", "channel": channel_get("taobao").pk},
        follow=True,
    )
    assert r.status_code == 200
    assert "最多" in r.content.decode()
    assert not ApiClient.objects.exists()
