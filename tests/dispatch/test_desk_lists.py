"""网点接单 and 网点揽件 as list pages (selector + FilterSet + table): the filters narrow the rows (and the workbench's
poll keeps them), a one-site clerk gets no site column nor site filter, the header and the written-out rows stay
in step, and the order is urgent first with the id as the last tiebreaker."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from dispatch import selectors
from dispatch import services as ops
from dispatch.filters import PickupFilter
from orders.models import OnlineOrder

from ..factories import CourierFactory, channel_get, make_order


def accepted(net, *, hours_ago=0.0, **overrides):
    t = timezone.now() - timedelta(hours=hours_ago)
    order = make_order(at=t, order_time=t, **overrides)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=t + timedelta(minutes=1))
    return OnlineOrder.objects.get(pk=order.pk)


def head_and_rows(html: str, testid: str) -> tuple[int, list[int]]:
    """The number of header cells of the table and the number of cells of each of its order rows."""
    table = html[html.index(f'data-testid="{testid}"') :]
    table = table[: table.index("</table>")]
    head = table[table.index("<thead") : table.index("</thead>")]
    rows = re.findall(r"<tr[^>]*data-order=[^>]*>(.*?)</tr>", table, re.S)
    return len(re.findall(r"<th[ >]", head)), [len(re.findall(r"<td[ >]", row)) + colspans(row) for row in rows]


def colspans(row: str) -> int:
    return sum(int(n) - 1 for n in re.findall(r'colspan="(\d+)"', row))


# ---------------------------------------------------------------- 网点接单


def test_workbench_filters_narrow_the_rows_and_the_poll_keeps_them(net, login):
    taobao = make_order()
    other = make_order(channel="kuaidi100")
    client = login(net.clerk_a)
    kd = channel_get("kuaidi100")
    page = client.get(reverse("dispatch:workbench"), {"channel": kd.pk}).content.decode()
    assert f'data-order="{other.channel_order_id}"' in page
    assert f'data-order="{taobao.channel_order_id}"' not in page
    assert f'hx-get="{reverse("dispatch:workbench_rows")}?channel={kd.pk}"' in page  # the poll asks for the same
    assert 'data-pending="2"' in page  # the tab's count is the whole queue's
    rows = client.get(reverse("dispatch:workbench_rows"), {"channel": kd.pk}, HTTP_HX_REQUEST="true")
    assert taobao.channel_order_id not in rows.content.decode()
    everything = client.get(reverse("dispatch:workbench_rows"), HTTP_HX_REQUEST="true")
    assert taobao.channel_order_id in everything.content.decode()
    # a filtered page has its own validator: the unfiltered rows' ETag is no 304 for it
    refiltered = client.get(
        reverse("dispatch:workbench_rows"), {"channel": kd.pk}, HTTP_IF_NONE_MATCH=everything["ETag"]
    )
    assert refiltered.status_code == 200
    by_number = client.get(reverse("dispatch:workbench"), {"q": f" {taobao.channel_order_id} "}).content.decode()
    assert f'data-order="{taobao.channel_order_id}"' in by_number and other.channel_order_id not in by_number
    nothing = client.get(reverse("dispatch:workbench"), {"q": "LP-NONE"}).content.decode()
    assert 'data-testid="workbench-empty"' in nothing and "没有符合筛选条件的待接订单" in nothing


def test_workbench_site_column_only_for_a_clerk_of_several_sites(net, login):
    make_order()
    make_order(sender_address="开发区1号")  # the contract area's
    several = login(net.clerk_a).get(reverse("dispatch:workbench")).content.decode()
    assert "西湖开发区承包区" in several and 'name="site"' in several
    head, rows = head_and_rows(several, "workbench-table")
    assert len(rows) == 2 and rows == [head, head]
    one = login(net.clerk_area).get(reverse("dispatch:workbench")).content.decode()
    assert 'name="site"' not in one  # no 网点编码 filter either
    head_one, rows_one = head_and_rows(one, "workbench-table")
    assert head_one == head - 1 and rows_one == [head_one]


def test_pending_orders_are_urgent_first_with_the_id_as_tiebreaker(net):
    orders = [make_order() for _ in range(4)]
    due = timezone.now() + timedelta(minutes=30)
    OnlineOrder.objects.filter(pk__in=[o.pk for o in orders]).update(accept_due_at=due)
    earlier = make_order()
    OnlineOrder.objects.filter(pk=earlier.pk).update(accept_due_at=due - timedelta(minutes=5))
    got = list(selectors.pending_orders(user=net.clerk_a).values_list("pk", flat=True))
    assert got == [earlier.pk] + sorted(o.pk for o in orders)


# ---------------------------------------------------------------- 网点揽件


def test_pickup_orders_put_savable_first_then_the_overdue_with_the_id_as_tiebreaker(net):
    late_long = accepted(net, hours_ago=40)  # 24 h overdue
    late_just = accepted(net, hours_ago=16.2)  # overdue by minutes
    soon = accepted(net, hours_ago=15)  # 1 h left
    later = accepted(net, hours_ago=1)  # 15 h left
    now = timezone.now()
    got = [o.pk for o in selectors.pickup_orders(user=net.clerk_a, at=now)]
    assert got == [soon.pk, later.pk, late_just.pk, late_long.pk]
    twin_soon, twin_late = accepted(net, hours_ago=15), accepted(net, hours_ago=40)
    OnlineOrder.objects.filter(pk=twin_soon.pk).update(pickup_due_at=soon.pickup_due_at)
    OnlineOrder.objects.filter(pk=twin_late.pk).update(pickup_due_at=late_long.pickup_due_at)
    got = [o.pk for o in selectors.pickup_orders(user=net.clerk_a, at=now)]
    assert got == [soon.pk, twin_soon.pk, later.pk, late_just.pk, late_long.pk, twin_late.pk]


def test_pickup_filter_by_time_left_courier_and_number(net):
    courier = CourierFactory(site=net.site_a)
    late = accepted(net, hours_ago=40)
    soon = accepted(net, hours_ago=15)
    later = accepted(net, hours_ago=1, waybill_no="300000000401")
    ops.order_courier_assign(order_id=later.pk, actor=net.clerk_a, courier=courier)
    now = timezone.now()

    def pks(**data):
        flt = PickupFilter(
            data,
            queryset=selectors.pickup_orders(user=net.clerk_a, at=now),
            user=net.clerk_a,
            couriers=[courier],
            at=now,
        )
        return [o.pk for o in flt.qs]

    assert pks() == [soon.pk, later.pk, late.pk]
    assert pks(due="soon") == [soon.pk]
    assert pks(due="later") == [later.pk]
    assert pks(due="late") == [late.pk]
    assert pks(courier=str(courier.pk)) == [later.pk]
    assert pks(courier="none") == [soon.pk, late.pk]
    assert pks(q="300000000401") == pks(q=later.channel_order_id) == [later.pk]
    assert pks(courier="x'; --", due="whatever") == [soon.pk, later.pk, late.pk]  # a bad value narrows nothing


def test_pickup_page_filters_and_site_column(net, login):
    mine = accepted(net)
    area = make_order(sender_address="开发区1号")
    ops.order_accept(order_id=area.pk, actor=net.clerk_a)
    client = login(net.clerk_a)
    page = client.get(reverse("dispatch:pickup")).content.decode()
    head, rows = head_and_rows(page, "pickup-table")
    assert "西湖开发区承包区" in page and len(rows) == 2 and rows == [head, head]
    narrowed = client.get(reverse("dispatch:pickup"), {"site": net.area_a.code}).content.decode()
    assert f'id="pickup-row-{area.pk}"' in narrowed and f'id="pickup-row-{mine.pk}"' not in narrowed
    empty = client.get(reverse("dispatch:pickup"), {"q": "LP-NONE"}).content.decode()
    assert "没有符合筛选条件的已接单订单" in empty
    one = login(net.clerk_area).get(reverse("dispatch:pickup")).content.decode()
    head_one, rows_one = head_and_rows(one, "pickup-table")
    assert 'name="site"' not in one and head_one == head - 1 and rows_one == [head_one]
    # the row answered in place has the page's columns too
    answer = login(net.clerk_area).post(
        reverse("dispatch:order_pickup_confirm", args=[area.pk]),
        {f"waybill_{area.pk}": "300000000402"},
        HTTP_HX_REQUEST="true",
    )
    cells = answer.content.decode()
    assert 'data-row-state="confirmed"' in cells
    assert len(re.findall(r"<td[ >]", cells)) + colspans(cells) == head_one


def test_the_pickup_desk_counts_every_matching_order_and_pages_the_rest_with_the_filters_kept(net, login, monkeypatch):
    from dispatch.views import pickup as pickup_view

    monkeypatch.setattr(pickup_view, "ROWS_PER_PAGE", 3)
    orders = [accepted(net, hours_ago=1 + i * 0.1) for i in range(5)]
    kd = accepted(net, hours_ago=0.5, channel="kuaidi100")
    client = login(net.clerk_a)
    first = client.get(reverse("dispatch:pickup")).content.decode()
    assert "共 6 单，最紧急的在前" in first and "第 1 页 / 共 2 页" in first
    assert 'data-testid="pickup-next"' in first and 'data-testid="pickup-previous"' not in first
    second = client.get(reverse("dispatch:pickup"), {"page": 2}).content.decode()
    shown = {o.channel_order_id for o in [*orders, kd] if f'data-order="{o.channel_order_id}"' in second}
    assert len(shown) == 3 and 'data-testid="pickup-previous"' in second and 'data-testid="pickup-next"' not in second
    on_first = {o.channel_order_id for o in [*orders, kd] if f'data-order="{o.channel_order_id}"' in first}
    assert on_first.isdisjoint(shown) and len(on_first | shown) == 6  # every order on exactly one page
    # a filter narrows the count, and one page then holds it all: no pager, no count query needed
    only = client.get(reverse("dispatch:pickup"), {"channel": channel_get("kuaidi100").pk}).content.decode()
    assert "共 1 单" in only and 'data-testid="pickup-next"' not in only
    # the pager keeps the filters
    taobao = channel_get("taobao").pk
    filtered = client.get(reverse("dispatch:pickup"), {"channel": taobao}).content.decode()
    assert f"?channel={taobao}&amp;page=2" in filtered and "共 5 单" in filtered
    assert client.get(reverse("dispatch:pickup"), {"page": "abc"}).status_code == 200
