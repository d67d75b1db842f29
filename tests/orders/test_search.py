"""The header search: 物流号, 运单号, a phone whole or by its last 4 digits, a name exactly; only what the user
may see; the phone lookups use the B-tree on right(phone, 4) (no contrib extension)."""

import re
from datetime import timedelta

from django.db import connection
from django.db.models.functions import Right
from django.urls import reverse
from django.utils import timezone

from dispatch import services as ops
from orders.models import OnlineOrder
from orders.search import order_search

from ..factories import make_order


def _pks(found):
    return [o.pk for o in found]


def test_each_reading_of_the_query_finds_the_order(net):
    a = make_order(sender_name="王小明", sender_phone="13811112222", receiver_name="赵六", receiver_phone="13933334444")
    b = make_order(sender_phone="13700002222", waybill_no="300000000555")
    ops.order_accept(order_id=a.pk, actor=net.clerk_a)
    for q in (
        a.channel_order_id,
        "13811112222",
        "138-1111-2222",
        "+86 138 1111 2222",
        "王小明",
        "赵六",
        "4444",
        "13933334444",
    ):
        assert _pks(order_search(user=net.clerk_a, q=q)) == [a.pk], q
    assert _pks(order_search(user=net.clerk_a, q="2222")) == [b.pk, a.pk]  # both senders end in 2222, newest first
    assert _pks(order_search(user=net.clerk_a, q="300000000555")) == [b.pk]
    for q in ("", "   ", "王小", "1111", "1381111222", "x" * 500, "'; DROP TABLE x; --"):
        assert order_search(user=net.clerk_a, q=q) == [], q


def test_search_is_scoped(net):
    there = make_order(sender_city="宁波市", sender_district="海曙区", sender_phone="13855556666")
    assert there.site == net.site_b
    assert order_search(user=net.clerk_a, q="6666") == []
    assert _pks(order_search(user=net.clerk_b, q="6666")) == [there.pk]
    assert _pks(order_search(user=net.lcs_zj, q="6666")) == [there.pk]
    assert order_search(user=net.lcs_xj, q="6666") == []
    assert _pks(order_search(user=net.hq, q="13855556666")) == [there.pk]


def test_page_opens_a_single_hit_and_lists_several(net, login):
    one = make_order(sender_phone="13877778888")
    make_order(sender_phone="13600008888")
    client = login(net.clerk_a)
    single = client.get(reverse("orders:order_search"), {"q": "13877778888"})
    assert single.status_code == 302 and single["Location"] == reverse("orders:order_detail", args=[one.pk])
    many = client.get(reverse("orders:order_search"), {"q": "8888"}).content.decode()
    assert many.count('<tr data-order="') == 2 and "138****8888" in many and "13877778888" not in many  # masked
    empty = client.get(reverse("orders:order_search"), {"q": "没有这个人"}).content.decode()
    assert 'data-testid="search-empty"' in empty and "后 4 位" in empty


def test_phone_lookups_use_the_last_four_digits_index(net):
    make_order()
    qs = OnlineOrder.objects.alias(p4=Right("sender_phone", 4)).filter(p4="5678").order_by("-order_time")[:50]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "order_sender_phone4" in plan, plan


def _listed(response) -> list[int]:
    return [row.record.pk for row in response.context["table"].rows]


def _headers(response) -> list[str]:
    return re.findall(r"<th\b[^>]*>\s*(.*?)\s*</th>", response.content.decode(), re.S)


def _columns(response) -> list[str]:
    return [column.name for column in response.context["table"].columns]


def test_results_are_a_table_newest_first_the_id_breaking_ties(net, login):
    same = timezone.now() - timedelta(hours=1)
    tied = [make_order(sender_phone="13800004321", order_time=same) for _ in range(3)]
    newer = make_order(sender_phone="13900004321", order_time=same + timedelta(minutes=5))
    make_order(sender_phone="13900009999")  # another phone: the search leaves it out
    client = login(net.clerk_a)
    expected = [newer.pk, *sorted((o.pk for o in tied), reverse=True)]
    for _ in range(2):  # the same order on every load
        response = client.get(reverse("orders:order_search"), {"q": "4321"})
        assert _listed(response) == expected
    page = response.content.decode()
    assert 'data-testid="search-results"' in page and 'data-testid="search-page-input"' in page
    assert page.count('<tr data-order="') == 4 and 'data-label="物流号"' in page and 'class="cell-date' in page
    assert reverse("orders:order_detail", args=[newer.pk]) in page
    # the search narrows: a whole number finds its order alone (kept as a list on request)
    assert _listed(client.get(reverse("orders:order_search"), {"q": "13900004321", "list": "1"})) == [newer.pk]


def test_a_clerk_of_one_site_sees_no_site_column(net, login):
    mine = make_order(sender_city="宁波市", sender_district="海曙区", sender_phone="13800002468")
    assert mine.site == net.site_b
    make_order(sender_phone="13900002468")
    one_site = login(net.clerk_b).get(reverse("orders:order_search"), {"q": "2468", "list": "1"})
    assert _listed(one_site) == [mine.pk] and "site" not in _columns(one_site)
    assert "网点" not in _headers(one_site) and "物流号" in _headers(one_site)
    national = login(net.hq).get(reverse("orders:order_search"), {"q": "2468"})
    assert len(_listed(national)) == 2 and "site" in _columns(national)
    assert "网点" in _headers(national) and net.site_b.name in national.content.decode()
