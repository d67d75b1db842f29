"""A work order's waybill leads to its order's timeline (the order's page), for those who may see the order; the
nation's roles reach the scans of a waybill no order of theirs holds; others read it as plain text."""

import re

from django.urls import reverse

from dispatch import services as ops

from ..factories import make_order
from .test_answer_page import _work_order


def _waybill_cell(html: str) -> str:
    return re.search(r"运单号</th><td>(.*?)</td>", html, re.S)[1]


def test_the_waybill_links_to_the_order_timeline(net, login):
    order = make_order()
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000951")
    wo = _work_order(net, waybill="300000000951")
    url = reverse("complaints:detail", args=[wo.pk])
    timeline = reverse("orders:order_detail", args=[order.pk]) + "#timeline"
    for user in (net.clerk_a, net.lcs_zj, net.hq):
        cell = _waybill_cell(login(user).get(url).content.decode())
        assert f'href="{timeline}"' in cell and "300000000951" in cell, user.username
    page = login(net.clerk_a).get(timeline.split("#")[0]).content.decode()
    assert 'id="timeline"' in page


def test_without_a_visible_order_the_nation_reaches_the_scans_and_others_read_text(net, login):
    wo = _work_order(net, waybill="300000000952")  # scanned at site_a, no order holds it
    url = reverse("complaints:detail", args=[wo.pk])
    cell = _waybill_cell(login(net.hq).get(url).content.decode())
    assert f'href="{reverse("logistics:track_detail", args=["300000000952"])}"' in cell
    assert "<a" not in _waybill_cell(login(net.lcs_zj).get(url).content.decode())


def test_the_work_order_list_links_each_waybill_the_same_way(net, login):
    order = make_order()
    ops.order_accept(order_id=order.pk, actor=net.clerk_a)
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000953")
    _work_order(net, waybill="300000000953")
    _work_order(net, waybill="300000000954")  # no order holds it
    timeline = reverse("orders:order_detail", args=[order.pk]) + "#timeline"
    hq = login(net.hq).get(reverse("complaints:list"), {"state": ""}).content.decode()
    assert f'href="{timeline}" data-testid="wo-waybill"' in hq
    assert f'href="{reverse("logistics:track_detail", args=["300000000954"])}" data-testid="wo-waybill"' in hq
    clerk = login(net.clerk_a).get(reverse("complaints:list"), {"state": ""}).content.decode()
    assert f'href="{timeline}" data-testid="wo-waybill"' in clerk
    assert "/tracking/300000000954/" not in clerk
