"""Every desk list says how many rows match in all, not only the page shown: 站点未揽收查询 (past its 50-row
page), 撤单处理 and the silent sites."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dispatch import services as ops

from ..factories import make_order

pytestmark = pytest.mark.django_db


def _total(html: str) -> str:
    found = re.search(r'data-testid="rows-total" data-total="(\d+)">([^<]*)<', html)
    return found[1], found[2]


def test_unscanned_counts_every_matching_row(net, login):
    t = timezone.now() - timedelta(minutes=30)
    for _i in range(52):
        ops.order_accept(order_id=make_order(at=t, order_time=t).pk, actor=net.clerk_a)
    html = login(net.clerk_a).get(reverse("dispatch:unscanned")).content.decode()
    assert _total(html) == ("52", "共 52 条")


def test_cancellations_and_silent_sites_count(net, login):
    assert _total(login(net.clerk_a).get(reverse("dispatch:cancellations")).content.decode()) == ("0", "共 0 条")
    html = login(net.hq).get(reverse("dispatch:silent_sites")).content.decode()
    n, text = _total(html)
    assert text == f"共 {n} 条"
