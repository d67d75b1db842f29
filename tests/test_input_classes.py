"""Classes of input a hostile probe found breaking pages (500s) or slipping past the rules, each tried in its
several forms: digits that are not ASCII, well-formed impossible times, JSON that cannot be read, times far in
the future, numbers out of range, choices not on the list."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from complaints.models import WorkOrder
from core.parsing import is_digits, parse_id, parse_int, parse_moment
from orders.models import ApiClient, OnlineOrder, OrderState
from penalties.models import Appeal, Violation
from penalties.sweep import sla_sweep

from .factories import make_order
from .orders.test_api_edges import api, order  # noqa: F401  (the signed-client fixture)

SH = ZoneInfo("Asia/Shanghai")
NOT_ASCII_NUMBERS = ["²", "①", "１２", "١٢", "٣", "Ⅻ", "12²"]
IMPOSSIBLE_TIMES = ["2026-13-45T09:00", "2026-02-30 10:00", "2026-11-24T25:00", "2026-11-24T10:61"]


@pytest.mark.parametrize("text", NOT_ASCII_NUMBERS)
def test_only_ascii_digits_are_numbers(text):
    assert not is_digits(text)
    assert parse_int(text) is None and parse_id(text) is None and parse_int("-" + text) is None


def test_ascii_numbers_still_read():
    assert parse_int("12") == 12 and parse_int("-5") == -5 and parse_id(" 7 ") == 7 and parse_id("0") is None


@pytest.mark.parametrize("text", IMPOSSIBLE_TIMES + ["1999-12-31T23:00", "2101-01-01T00:00", "x" * 41, "", None])
def test_impossible_or_out_of_range_times_are_none(text):
    assert parse_moment(text) is None and parse_moment(text, date_only=True) is None


def test_possible_times_read_as_beijing_time():
    assert parse_moment("2026-11-24T10:30") == datetime(2026, 11, 24, 10, 30, tzinfo=SH)
    assert parse_moment("2026-11-24 10:30:00+00:00") == datetime(2026, 11, 24, 18, 30, tzinfo=SH)
    assert parse_moment("2026/11/24", date_only=True) == datetime(2026, 11, 24, tzinfo=SH)


@pytest.mark.parametrize("value", NOT_ASCII_NUMBERS[:3])
def test_paging_with_other_digits_is_a_page_for_anyone(net, client, login, value):
    for url in ("/accounts/login/", "/healthz/", "/api/openapi.json"):
        assert client.get(url, {"page": value, "per_page": value}).status_code in (200, 302), url
    clerk = login(net.clerk_a)
    for url in ("/orders/", "/desk/accept/", "/violations/"):
        assert clerk.get(url, {"page": value}).status_code == 200, url
    assert clerk.get("/desk/pickup/", {"courier": value}).status_code == 200


@pytest.mark.parametrize("value", NOT_ASCII_NUMBERS[:3])
def test_forms_naming_records_with_other_digits_refuse_cleanly(net, login, value):
    a = make_order()
    clerk = login(net.clerk_a)
    for url, data in (
        (reverse("dispatch:orders_accept_batch"), {"ids": value}),
        (reverse("dispatch:orders_pickup_batch"), {"ids": value}),
        (reverse("dispatch:cancellations_handle"), {"ids": value}),
        (reverse("dispatch:order_courier", args=[a.pk]), {"courier": value}),
        (reverse("dispatch:pickup_scan"), {"code": "123456789099", "armed": value}),
        (reverse("dispatch:couriers"), {"name": "甲", "phone": "13912340000", "site": value}),
    ):
        assert clerk.post(url, data).status_code in (200, 302, 303), url
    assert OnlineOrder.objects.get(pk=a.pk).state == OrderState.PENDING
    hq = login(net.hq)
    for url, data in (
        (reverse("dispatch:hq_dispatch_submit"), {"ids": value, "to_site": net.site_a.pk}),
        (reverse("orders:callbacks"), {"ids": value}),
        (reverse("orders:imports"), {"kind": "orders", "channel": value}),
    ):
        assert hq.post(url, data).status_code in (200, 302, 303), url
    assert hq.get(reverse("people:area_export"), {"province": value}).status_code == 200


@pytest.mark.parametrize("when", IMPOSSIBLE_TIMES)
def test_an_impossible_reappointment_time_is_a_message(net, login, when):
    a = make_order()
    clerk = login(net.clerk_a)
    clerk.post(reverse("dispatch:order_accept", args=[a.pk]))
    due = OnlineOrder.objects.get(pk=a.pk).pickup_due_at
    r = clerk.post(
        reverse("dispatch:order_reappoint", args=[a.pk]),
        {"window_start": when, "window_end": when, "text": "电话约好"},
        follow=True,
    )
    assert r.status_code == 200 and OnlineOrder.objects.get(pk=a.pk).pickup_due_at == due


def test_a_reappointment_ends_within_seven_days(net, login):
    a = make_order()
    clerk = login(net.clerk_a)
    clerk.post(reverse("dispatch:order_accept", args=[a.pk]))
    due = OnlineOrder.objects.get(pk=a.pk).pickup_due_at
    r = clerk.post(
        reverse("dispatch:order_reappoint", args=[a.pk]),
        {"window_start": "2099-12-31T09:00", "window_end": "2099-12-31T10:00", "text": "电话约好"},
        follow=True,
    )
    assert "7 天之内" in r.content.decode() and OnlineOrder.objects.get(pk=a.pk).pickup_due_at == due
    clerk.post(
        reverse("dispatch:order_reappoint", args=[a.pk]),
        {"window_start": "2026-11-30T09:00", "window_end": "2026-11-30T11:00", "text": "电话约好"},
    )
    assert OnlineOrder.objects.get(pk=a.pk).pickup_due_at == datetime(2026, 11, 30, 11, tzinfo=SH)


@pytest.mark.parametrize("when", IMPOSSIBLE_TIMES)
def test_an_impossible_email_receipt_time_is_a_message(net, login, when):
    t0 = datetime(2026, 11, 23, 10, tzinfo=SH)
    make_order(order_time=t0)
    sla_sweep(since=t0 - timedelta(days=1), until=t0 + timedelta(hours=1), at=t0 + timedelta(hours=1))
    violation = Violation.objects.get()
    r = login(net.hq).post(
        reverse("penalties:appeal_email", args=[violation.pk]), {"received_at": when, "text": "邮件申诉"}, follow=True
    )
    assert r.status_code == 200 and "请填写邮件收到的日期和时间" in r.content.decode()
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("hours", ["99999999999999999999", "0", "721", "-1", "１２", "②", "3.5"])
def test_a_work_order_limit_outside_1_to_720_hours_is_refused(net, login, hours):
    r = login(net.hq).post(
        reverse("complaints:new"),
        {
            "wo_id": "WO-LIMIT",
            "type": WorkOrderType_first(),
            "source": "guoguo",
            "waybill_no": "300000000001",
            "description": "没收到",
            "limit_hours": hours,
        },
    )
    assert r.status_code == 200 and "1 到 720" in r.content.decode()
    assert not WorkOrder.objects.exists()


def WorkOrderType_first():  # noqa: N802
    from complaints.models import WorkOrderType

    return WorkOrderType.values[0]


def test_a_work_order_limit_of_720_hours_is_taken(net, login):
    login(net.hq).post(
        reverse("complaints:new"),
        {
            "wo_id": "WO-720",
            "type": WorkOrderType_first(),
            "source": "guoguo",
            "waybill_no": "300000000001",
            "description": "没收到",
            "limit_hours": "720",
        },
    )
    assert WorkOrder.objects.get().limit_hours == 720


@pytest.mark.parametrize("waybill", ["１２３４５６７８９０１２", "١٢٣٤٥٦٧٨٩٠١٢", "12345678901²"])
def test_a_waybill_number_is_ascii_digits(net, login, api, waybill):  # noqa: F811
    a = make_order()
    clerk = login(net.clerk_a)
    clerk.post(reverse("dispatch:order_accept", args=[a.pk]))
    clerk.post(reverse("dispatch:order_pickup_confirm", args=[a.pk]), {"waybill": waybill})
    assert OnlineOrder.objects.get(pk=a.pk).state == OrderState.ACCEPTED
    r = api("POST", "/api/orders", order("WB-UNI", waybill_no=waybill))
    assert r.status_code == 422 and r.json()["error"]["field"] == "waybill_no"


@pytest.mark.parametrize(
    "raw, words",
    [
        (b"[" * 5000 + b"]" * 5000, "嵌套层数过多"),
        (b'{"orders": [', "第 1 行第 13 列"),
        (b'{"a": "\xff"}', "UTF-8"),
        (b'{"n": ' + b"9" * 5000 + b"}", "4,300"),
    ],
)
def test_a_body_that_cannot_be_read_is_a_chinese_422_even_unsigned(net, client, raw, words):
    for path in ("/api/orders", "/api/orders/bulk", "/api/tracking/scans", "/api/nonexistent"):
        r = client.generic("POST", path, data=raw, content_type="application/json")
        assert r.status_code == 422 and r["Content-Type"].startswith("application/json"), path
        error = r.json()["error"]
        assert error["field"] == "body" and words in error["message"]["zh"], error


@pytest.mark.parametrize(
    "body, field, words",
    [
        (order("ZH-1", sender=None), "sender", "必填"),
        (order("ZH-2", goods="长" * 201), "goods", "最多 200 个字符"),
        (order("ZH-3", order_time="2026-13-45T10:00:00+08:00"), "order_time", "时间"),
        (order("ZH-4", weight_kg="abc"), "weight_kg", "须为"),
        (order("ZH-5", is_online="maybe"), "is_online", "true 或 false"),
    ],
)
def test_the_apis_zh_message_is_chinese(api, body, field, words):  # noqa: F811
    if body.get("sender", 1) is None:
        del body["sender"]
    r = api("POST", "/api/orders", body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    zh = error["message"]["zh"]
    assert error["field"] == field and words in zh, error
    assert not any(english in zh for english in ("Field required", "String should", "Input should", "must match"))


def test_an_order_time_in_the_future_is_refused_everywhere(api):  # noqa: F811
    now = datetime(2026, 11, 24, 9, 0, tzinfo=SH)  # the suite's clock
    r = api("POST", "/api/orders", order("FUT-1", order_time=(now + timedelta(days=1)).isoformat()))
    assert r.status_code == 422 and r.json()["error"]["field"] == "order_time", r.text
    assert "晚于当前时间" in r.json()["error"]["message"]["zh"]
    r = api(
        "POST",
        "/api/orders/bulk",
        {
            "orders": [
                order("FUT-2", order_time="2099-01-01T00:00:00+08:00"),
                order("FUT-3", order_time=(now + timedelta(minutes=5)).isoformat()),
            ]
        },
    )
    assert [x["status"] for x in r.json()["results"]] == ["invalid", "created"]
    assert not OnlineOrder.objects.filter(channel_order_id__in=["FUT-1", "FUT-2"]).exists()


@pytest.mark.parametrize(
    "kind, adapter", [("bogus", "generic"), ("channel", "zzz"), ("Channel", "generic"), ("channel", "kuaidi100 ")]
)
def test_an_api_client_is_of_a_listed_kind_and_format(net, login, kind, adapter):
    from orders.services import channels_ensure

    channel = channels_ensure()["taobao"]
    hq = login(net.hq)
    r = hq.post(
        reverse("orders:api_clients"),
        {"action": "create", "name": "x", "kind": kind, "channel": channel.pk, "adapter": adapter},
        follow=True,
    )
    assert r.status_code == 200 and not ApiClient.objects.exists() and "从列表中选择" in r.content.decode()
    hq.post(
        reverse("orders:api_clients"),
        {"action": "create", "name": "x", "kind": "channel", "channel": channel.pk, "adapter": "generic"},
    )
    assert ApiClient.objects.get().channel == channel  # the same form with listed values is taken


@pytest.mark.parametrize(
    "priority, ok",
    [
        ("99999999999999999999", False),
        ("10000", False),
        ("-10000", False),
        ("②", False),
        ("5", True),
        (5.0, True),
        ("-3", True),
    ],
)
def test_an_area_priority_is_a_small_whole_number(net, priority, ok):
    from people.areas import areas_check

    problems = list(
        areas_check([{"site": net.site_a.code, "district": "330106", "keywords": "", "priority": priority}])
    )
    assert (not any(p[1] == "priority" for p in problems)) is ok, problems


def test_an_order_id_with_a_slash_is_refused_since_the_channel_could_never_reach_it(api):  # noqa: F811
    for cid in ("a/b", "/x", "TB/1/"):
        r = api("POST", "/api/orders", order(cid))
        assert r.status_code == 422 and r.json()["error"]["field"] == "channel_order_id", r.text
    r = api("POST", "/api/orders/bulk", {"orders": [order("ok-1"), order("no/1")]})
    assert [x["status"] for x in r.json()["results"]] == ["created", "invalid"]
    assert api("GET", "/api/orders/ok-1").status_code == 200


def test_the_scan_feed_stores_the_good_scans_and_names_the_bad(net):
    from logistics.models import TrackingEvent
    from logistics.services import scans_ingest

    at = datetime(2026, 11, 24, 9, 0, tzinfo=SH)
    good = {
        "waybill_no": "300000000555",
        "scan_type": "到件",
        "site_code": net.site_a.code,
        "scanned_at": at - timedelta(hours=1),
    }
    result = scans_ingest(
        scans=[
            {**good, "waybill_no": "abc"},
            {**good, "waybill_no": "３００００００００５５５"},
            {**good, "scanned_at": datetime(2099, 1, 1, tzinfo=SH)},
            good,
            {**good, "scanned_at": at + timedelta(minutes=5)},  # another system's clock a little ahead
            {**good, "site_code": "P0001"},  # a partner carrier's site: stored, without a site of ours
        ],
        at=at,
    )
    assert [(i, name) for i, name, _m in result.rejected] == [(0, "waybill_no"), (1, "waybill_no"), (2, "scanned_at")]
    assert "晚于当前时间" in result.rejected[2][2]
    assert result.stored == 3 and TrackingEvent.objects.filter(site__isnull=True).count() == 1


@pytest.mark.parametrize("when", IMPOSSIBLE_TIMES[:2])
def test_the_couriers_phone_gets_json_for_impossible_times_nul_and_deep_nesting(net, login, when):
    import uuid

    from .courier.test_phone import assigned, courier_of

    me = courier_of(net)
    one = assigned(net, me)
    client = login(me)
    url = reverse("courier:acts")
    for body in (
        json.dumps(
            {
                "acts": [
                    {
                        "id": str(uuid.uuid4()),
                        "kind": "confirm",
                        "order": one.pk,
                        "waybill": "300000000202",
                        "done_at": when,
                    }
                ]
            }
        ),
        json.dumps(
            {
                "acts": [
                    {
                        "id": str(uuid.uuid4()),
                        "kind": "fail",
                        "order": one.pk,
                        "reason": "phone",
                        "text": "无人\u0000接听",
                    }
                ]
            }
        ),
        "[" * 5000 + "]" * 5000,
    ):
        r = client.post(url, body, content_type="application/json")
        assert r["Content-Type"].startswith("application/json") and r.status_code in (200, 400), r.content[:200]
    assert OnlineOrder.objects.get(pk=one.pk).state in (OrderState.ACCEPTED, OrderState.PICKED_UP)


def test_a_long_courier_name_is_refused_not_cut(net, login):
    from core.models import Courier

    clerk = login(net.clerk_a)
    r = clerk.post(reverse("dispatch:couriers"), {"name": "长" * 33, "phone": "13912340001"}, follow=True)
    assert "最多 32 个字" in r.content.decode() and not Courier.objects.filter(phone="13912340001").exists()
    clerk.post(reverse("dispatch:couriers"), {"name": "长" * 32, "phone": "13912340001"})
    assert Courier.objects.get(phone="13912340001").name == "长" * 32


def test_an_attachments_kept_name_keeps_its_extension():
    from core.validators import attachment_name

    assert attachment_name("证据" * 150 + ".pdf") == "证据" * 98 + ".pdf"
    assert len(attachment_name("x" * 300 + ".jpeg")) == 200 and attachment_name("x" * 300 + ".jpeg").endswith(".jpeg")
    assert attachment_name("a.pdf") == "a.pdf" and attachment_name("y" * 250) == "y" * 200


def test_a_choice_off_the_list_is_not_echoed_and_a_hidden_field_is_named(net, login):
    t0 = datetime(2026, 11, 23, 10, tzinfo=SH)
    a = make_order(order_time=t0)
    lcs = login(net.lcs_zj)
    r = lcs.post(
        reverse("penalties:audit_raise", args=[a.pk]),
        {"event": "abc", "rule": "<b>LATE_ACCEPT</b>", "evidence": "x"},
        follow=True,
    )
    page = r.content.decode()
    assert "请从列表中选择" in page and "所稽核的记录" in page
    assert "None" not in page.split('class="alert')[1][:300] and "&lt;b&gt;LATE_ACCEPT" not in page


def test_a_channels_window_ends_within_seven_days(api):  # noqa: F811
    r = api(
        "POST",
        "/api/orders",
        order("WIN-1", window_start="2026-11-24T10:00:00+08:00", window_end="2099-01-01T00:00:00+08:00"),
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "window_end"
    assert "7 天之内" in r.json()["error"]["message"]["zh"]
    assert (
        api(
            "POST",
            "/api/orders",
            order("WIN-2", window_start="2026-11-30T10:00:00+08:00", window_end="2026-12-01T08:00:00+08:00"),
        ).status_code
        == 201
    )
    r = api(
        "POST",
        "/api/orders/WIN-2/change",
        {"window_start": "2026-11-24T10:00:00+08:00", "window_end": "2027-01-01T10:00:00+08:00"},
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "window_end"
    assert OnlineOrder.objects.get(channel_order_id="WIN-2").window_end == datetime(2026, 12, 1, 8, tzinfo=SH)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2026/1/5", datetime(2026, 1, 5, tzinfo=SH)),
        ("2026-1-5 9:05", datetime(2026, 1, 5, 9, 5, tzinfo=SH)),
        ("2026-11-23 10:30", datetime(2026, 11, 23, 10, 30, tzinfo=SH)),
    ],
)
def test_import_cells_read_dates_as_spreadsheets_write_them(cell, expected):
    assert parse_moment(cell, date_only=True) == expected


def test_the_search_finds_what_was_typed_and_its_ascii_reading(net):
    from orders.search import order_search

    wide = make_order(channel_order_id="ＬＰ１２３")  # an id stored with full-width characters
    plain = make_order(sender_phone="13812340777")
    assert [o.pk for o in order_search(user=net.hq, q="ＬＰ１２３")] == [wide.pk]
    assert plain.pk in [o.pk for o in order_search(user=net.hq, q="０７７７")]
