"""到期提醒 (``penalties:deadlines``): one table of the running deadlines of the clerk's sites, soonest first (a
pending order's accept deadline, an accepted order's pickup deadline), filtered by kind, site and order, paged;
a clerk bound to one site sees neither the site column nor the 网点编码 filter."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from dispatch import services as ops
from orders.models import OnlineOrder, OrderState
from penalties import selectors, views

from ..factories import make_order
from ..pages import shown


def _rows(response) -> list[int]:
    assert response.status_code == 200
    return [row.record.pk for row in response.context["table"].page.object_list]


def _columns(response) -> list[str]:
    return [column.name for column in response.context["table"].columns]


def _deadlines(net):
    """A pending order at site_a, one at its contract area, an accepted one at site_a, one at site_b."""
    pending = make_order()
    area = make_order(sender_address="开发区科技园1号")
    accepted = make_order()
    ops.order_accept(order_id=accepted.pk, actor=net.clerk_a)
    other = make_order(sender_city="宁波市", sender_district="海曙区")
    assert area.site == net.area_a and other.site == net.site_b
    now = timezone.now()
    OnlineOrder.objects.filter(pk=pending.pk).update(accept_due_at=now + timedelta(minutes=20))
    OnlineOrder.objects.filter(pk=area.pk).update(accept_due_at=now + timedelta(minutes=5))
    OnlineOrder.objects.filter(pk=accepted.pk).update(pickup_due_at=now + timedelta(minutes=10))
    return pending, area, accepted, other


def test_one_table_of_the_sites_deadlines_soonest_first(net, login):
    pending, area, accepted, other = _deadlines(net)
    r = login(net.clerk_a).get(reverse("penalties:deadlines"))
    assert _rows(r) == [area.pk, accepted.pk, pending.pk]  # accept and pickup deadlines mixed, by their time
    page = shown(r)
    assert 'data-testid="deadline-table"' in page and 'data-testid="my-violations"' in page
    assert 'data-warn="600"' in page and 'data-warn="7200"' in page  # each kind's countdown turns amber in time
    assert "网点接单" in page and "网点揽件" in page and other.channel_order_id not in page
    assert "site" in _columns(r) and net.area_a.name in page  # a site and its contract area: which one says


def test_filters_narrow_the_rows(net, login):
    pending, area, accepted, _other = _deadlines(net)
    clerk = login(net.clerk_a)
    url = reverse("penalties:deadlines")
    assert _rows(clerk.get(url, {"deadline": "pickup"})) == [accepted.pk]
    assert _rows(clerk.get(url, {"deadline": "accept"})) == [area.pk, pending.pk]
    assert _rows(clerk.get(url, {"site": net.area_a.code})) == [area.pk]
    assert _rows(clerk.get(url, {"order": f" {pending.channel_order_id} "})) == [pending.pk]
    assert len(_rows(clerk.get(url, {"deadline": "nonsense"}))) == 3  # an unknown kind is ignored, not an error


def test_one_site_clerk_sees_no_site_column_nor_site_filter(net, login):
    mine = make_order(sender_city="宁波市", sender_district="海曙区")
    r = login(net.clerk_b).get(reverse("penalties:deadlines"))
    assert _rows(r) == [mine.pk]
    assert "site" not in _columns(r) and "site" not in r.context["filter"].form.fields
    assert "网点编码" not in shown(r)
    assert "site" in login(net.clerk_a).get(reverse("penalties:deadlines")).context["filter"].form.fields


def test_ties_keep_one_order_across_pages(net, login, monkeypatch):
    orders = [make_order() for _ in range(5)]
    due = timezone.now() + timedelta(hours=1)
    OnlineOrder.objects.filter(pk__in=[o.pk for o in orders]).update(accept_due_at=due)  # all due at once
    expected = sorted(o.pk for o in orders)
    qs = selectors.deadlines_for(user=net.clerk_a)
    assert [o.pk for o in qs] == expected
    assert all(o.state == OrderState.PENDING and o.due_at == due for o in qs)
    clerk = login(net.clerk_a)
    url = reverse("penalties:deadlines")
    monkeypatch.setattr(views, "DEADLINE_ROWS", 2)
    pages = [_rows(clerk.get(url, {"page": n})) for n in (1, 2, 3)]
    assert [pk for page in pages for pk in page] == expected  # no row twice, none lost between pages
