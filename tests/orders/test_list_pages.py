"""The order record's lists converted to the list kit (a selector, a ``ListFilter``, a ``ListTable``): 撤单处理 and
HQ's API clients, status callbacks and file imports. Each keeps its page's forms and buttons; its filters narrow
the rows; its rows keep one order whatever ties (the id breaks them), so paging neither repeats nor skips a row."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import selectors
from orders.models import OnlineOrder, OrderState
from orders.services import order_cancel

from ..factories import channel_get, make_order

pytestmark = pytest.mark.django_db


def _heads(html: str) -> list[str]:
    table = html[html.index("<table") : html.index("</thead>")]
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]


def _numbers(html: str, orders) -> list[str]:
    """The orders' logistics numbers in the order the page lists them."""
    found = {o.channel_order_id: html.find(o.channel_order_id) for o in orders}
    return [n for n, at in sorted(found.items(), key=lambda kv: kv[1]) if at >= 0]


def _cancelled(n: int = 1, **kwargs) -> list[OnlineOrder]:
    orders = [make_order(**kwargs) for _i in range(n)]
    for o in orders:
        order_cancel(order_id=o.pk, actor_label="淘宝")
    return orders


# ---------------------------------------------------------------- 撤单处理


def test_cancellations_filter_by_number_and_channel(net, login):
    a, b = _cancelled(2)
    (c,) = _cancelled(channel="kuaidi100")
    client = login(net.clerk_a)
    page = client.get(reverse("dispatch:cancellations"), {"q": a.channel_order_id}).content.decode()
    assert a.channel_order_id in page and b.channel_order_id not in page and c.channel_order_id not in page
    page = client.get(reverse("dispatch:cancellations"), {"channel": channel_get("kuaidi100").pk}).content.decode()
    assert _numbers(page, [a, b, c]) == [c.channel_order_id]
    assert 'name="handled" value="open"' in page  # the filters keep the open/done switch's position


def test_cancellations_site_column_only_for_a_clerk_of_several_sites(net, login):
    (a,) = _cancelled()
    (area,) = _cancelled(sender_address="开发区1号")
    assert area.site_id != a.site_id
    (b,) = _cancelled()
    OnlineOrder.objects.filter(pk=b.pk).update(site=net.site_b)
    several = login(net.clerk_a).get(reverse("dispatch:cancellations")).content.decode()
    assert "网点" in _heads(several) and net.site_a.name in several
    assert sorted(_numbers(several, [a, area, b])) == sorted([a.channel_order_id, area.channel_order_id])
    assert 'name="site"' in several  # a clerk of a site and its contract area picks one of them
    page = login(net.clerk_area).get(reverse("dispatch:cancellations"), {"site": net.site_a.pk}).content.decode()
    assert area.channel_order_id in page  # a one-site clerk has no site filter: the value is ignored
    one = login(net.clerk_b).get(reverse("dispatch:cancellations")).content.decode()
    assert b.channel_order_id in one and "网点" not in _heads(one) and 'name="site"' not in one


def test_cancellations_keep_one_order_when_times_tie(net, login):
    orders = _cancelled(5)
    OnlineOrder.objects.filter(pk__in=[o.pk for o in orders]).update(cancelled_at=timezone.now())
    newest_first = [o.channel_order_id for o in sorted(orders, key=lambda o: -o.pk)]
    client = login(net.clerk_a)
    seen = []
    for page in (1, 2, 3):
        html = client.get(reverse("dispatch:cancellations"), {"per_page": 2, "page": page}).content.decode()
        seen += _numbers(html, orders)
    assert seen == newest_first
    assert selectors.orders_cancelled(user=net.clerk_a).query.order_by[-1] == "-id"


def test_cancellations_bulk_handle_from_the_page(net, login):
    a, b = _cancelled(2)
    client = login(net.clerk_a)
    page = client.get(reverse("dispatch:cancellations")).content.decode()
    assert 'data-testid="handle-cancellations"' in page and "data-select-all" in page
    assert f'name="ids" value="{a.pk}"' in page and f'name="ids" value="{b.pk}"' in page
    r = client.post(reverse("dispatch:cancellations_handle"), {"ids": [a.pk, b.pk], "next": "/desk/cancellations/"})
    assert r.status_code == 302
    assert OnlineOrder.objects.filter(pk__in=[a.pk, b.pk], cancel_handled_at__isnull=False).count() == 2
    assert 'data-testid="cancellations-empty"' in client.get(reverse("dispatch:cancellations")).content.decode()
    done = client.get(reverse("dispatch:cancellations"), {"handled": "done"}).content.decode()
    assert _numbers(done, [a, b]) == [b.channel_order_id, a.channel_order_id]
    assert 'name="ids" value=' not in done and "已做" in done  # a handled order has no checkbox
    assert (
        len(_numbers(client.get(reverse("dispatch:cancellations"), {"handled": "all"}).content.decode(), [a, b])) == 2
    )
    assert OnlineOrder.objects.get(pk=a.pk).state == OrderState.CANCELLED
