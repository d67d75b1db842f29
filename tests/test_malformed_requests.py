"""Malformed requests answer 4xx, never 500, each as a rule: out-of-range dates, huge or
negative page numbers, a slash in a tracking query, ids that are not ids, unsafe ``next`` targets and message
links. The fuzz crawler (tests/test_fuzz.py) covers the rest as a class."""

import json

import pytest
from django.urls import reverse

from core.exceptions import MessageError
from core.parsing import parse_date, parse_id, parse_int, parse_month, parse_year
from core.redirects import is_safe_path
from core.services import message_send

from .factories import make_order


def test_parsing_helpers_answer_a_value_or_the_default():
    assert parse_date("2026-11-24").isoformat() == "2026-11-24"
    assert parse_date("2026/11/24").isoformat() == "2026-11-24"
    for bad in ("9999-12-31", "0001-01-01", "2026-13-45", "", None, "x" * 100):
        assert parse_date(bad, "d") == "d"
    assert parse_int("12") == 12 and parse_int("-1", 0, lo=1) == 0 and parse_int("9" * 30) is None
    assert parse_id("0") is None and parse_id("99999999999999999999") is None and parse_id("7") == 7
    assert parse_month("2026-11").isoformat() == "2026-11-01" and parse_month("2026-13") is None
    assert parse_year("-1", 2026) == 2026 and parse_year("2030") == 2030


@pytest.mark.parametrize(
    "url,params",
    [
        ("orders:order_list", {"date_from": "9999-12-31", "date_to": "9999-12-31"}),
        ("orders:order_list", {"date_from": "0001-01-01"}),
        ("orders:order_list", {"page": "99999999999999999999"}),
        ("orders:order_list", {"page": "-1", "per_page": "-1"}),
        ("dispatch:unscanned", {"date_to": "9999-12-31"}),
        ("core:message_list", {"page": "-1", "per_page": "0"}),
        ("core:site_list", {"page": "0"}),
        ("core:alert_channels", {"alerts-page": "99999999999999999999", "alerts-per_page": "-1"}),
        ("inventory:stock", {"site": "33010601", "moves-page": "-1", "moves-per_page": "-1"}),
        ("inventory:stock", {"site": "33010601", "moves-page": "99999999999999999999", "moves-per_page": "0"}),
        ("penalties:violation_list", {"week": "9999-12-31"}),
        ("complaints:assessment", {"week": "0001-01-01"}),
        ("complaints:assessment", {"week": "9999-12-31"}),
        ("penalties:closures", {"year": "-1"}),
        ("penalties:rewards", {"month": "2026-13"}),
        ("logistics:track", {"q": "a/b"}),
        ("logistics:track", {"q": "//evil.example/x"}),
    ],
)
def test_malformed_queries_answer_the_page(net, login, url, params):
    r = login(net.hq).get(reverse(url), params)
    assert r.status_code == 200, (url, params, r.status_code)


def test_huge_ids_in_forms_are_refused_quietly(net, login):
    order = make_order()
    client = login(net.clerk_a)
    r = client.post(reverse("dispatch:order_courier", args=[order.pk]), {"courier": "99999999999999999999"})
    assert r.status_code == 302
    r = client.post(reverse("logistics:handover", args=["300000000301"]), {"carrier": "abc"})
    assert r.status_code in (302, 404)


@pytest.mark.parametrize(
    "target,safe",
    [
        ("/orders/", True),
        ("/orders/?state=PENDING", True),
        ("//evil.example/login", False),
        ("/\\evil.example", False),
        ("https://evil.example/", False),
        ("abc", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_safe_paths(target, safe):
    assert is_safe_path(target) is safe


@pytest.mark.parametrize("target", ["abc", "https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_post_next_never_leaves_the_site(net, login, target):
    order = make_order()
    r = login(net.clerk_a).post(reverse("dispatch:order_accept", args=[order.pk]), {"next": target})
    assert r.status_code == 302
    assert r["Location"].startswith("/") and not r["Location"].startswith("//") and "evil" not in r["Location"]


def test_message_links_stay_inside(net):
    from core.models import Message

    with pytest.raises(MessageError):
        message_send(audience=Message.Audience.HQ, title="t", link="//evil.example/login")
    assert message_send(audience=Message.Audience.HQ, title="t", link="/orders/").link == "/orders/"


@pytest.mark.parametrize("path,json_", [("/orders/", False), ("/api/orders", True)])
def test_errors_escaping_a_view_are_a_400_not_a_500(rf, path, json_):
    from django.db import DataError

    from config.middleware import InputGuardMiddleware
    from core.exceptions import DomainError

    guard = InputGuardMiddleware(lambda request: None)
    request = rf.get(path)
    for exc, needle in (
        (DataError("value too long for type character varying(64)"), "超出范围"),
        (DomainError("订单不能修改", field="goods"), "订单不能修改"),
    ):
        response = guard.process_exception(request, exc)
        assert response.status_code == 400
        if json_:
            assert response["Content-Type"].startswith("application/json")
            assert needle in json.loads(response.content)["error"]["message"]["zh"]
        else:
            assert needle in response.content.decode()
    assert guard.process_exception(request, RuntimeError("a bug")) is None  # bugs stay 500s, logged
