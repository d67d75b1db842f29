"""The header search: 物流号, 运单号, a phone whole or by its last 4 digits, a name exactly; only what the user
may see; the phone lookups use the B-tree on right(phone, 4) (no contrib extension)."""

from django.db import connection
from django.db.models.functions import Right
from django.urls import reverse

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
