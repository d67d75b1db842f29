"""The 分件 queue names, in each row, what HQ decides on: the sender's city and district, the phone masked, how
long the order has waited at the data center and why no site took it."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Site
from dispatch import services as ops
from tests.pages import shown

from ..factories import make_order


def _rows(html: str) -> list[str]:
    return html.split('data-testid="dc-row"')[1:]


def test_each_row_says_where_who_how_long_and_why(net, login):
    Site.objects.filter(pk=net.site_b.pk).update(active=False)  # nobody serves 海曙区 now
    now = timezone.now()
    unserved = make_order(
        sender_province="",
        sender_city="",
        sender_district="",
        sender_address="浙江省宁波市海曙区老地方",
        sender_phone="13712345678",
        order_time=now - timedelta(minutes=95),
    )
    sent = make_order(order_time=now - timedelta(minutes=20))
    ops.order_transfer(order_id=sent.pk, actor=net.clerk_a, to_site=net.data_center, text="地址在山上，无人可去")
    html = shown(login(net.hq).get(reverse("dispatch:hq_dispatch")))
    rows = {row.split("</tr>")[0] for row in _rows(html)}
    assert len(rows) == 2
    first = next(r for r in rows if unserved.channel_order_id in r)
    assert "宁波市 海曙区" in first and "137****5678" in first and "13712345678" not in first
    assert "没有" in first and "海曙区" in first.split('data-testid="dc-why"')[1]  # the routing note
    assert "1小时35分" in first
    second = next(r for r in rows if sent.channel_order_id in r)
    assert "杭州市 西湖区" in second and "138****5678" in second
    assert f"{net.site_a.name}" in second.split('data-testid="dc-why"')[1] and "地址在山上" in second
    assert "0分" in second.split('data-testid="dc-waited"')[1].split("</td>")[0]


def _dc_order(**overrides):
    """An order no site serves (an address routing cannot place): it waits at the data center."""
    fields = {"sender_province": "", "sender_city": "", "sender_district": "", "sender_address": "火星基地1号"}
    order = make_order(**{**fields, **overrides})
    assert order.site.is_data_center
    return order


def _listed(response) -> list[int]:
    return [row.record.pk for row in response.context["table"].page.object_list]


def test_tied_rows_keep_one_order_across_pages_and_each_page_is_read_in_three_queries(net, login):
    same = timezone.now() - timedelta(minutes=40)
    orders = [_dc_order(order_time=same) for _ in range(5)]
    client = login(net.hq)
    seen = []
    for page in (1, 2, 3):
        response = client.get(reverse("dispatch:hq_dispatch"), {"per_page": 2, "page": page})
        seen += _listed(response)
        rows = _rows(response.content.decode())
        assert len(rows) == len(_listed(response))
        assert all('data-testid="dc-why"' in row and "40分" in row for row in rows)  # every page's rows are enriched
    assert seen == sorted(o.pk for o in orders)
    # newest first on request: the tie still broken, now the other way
    seen = []
    for page in (1, 2, 3):
        seen += _listed(
            client.get(reverse("dispatch:hq_dispatch"), {"per_page": 2, "page": page, "sort": "-order_time"})
        )
    assert seen == sorted((o.pk for o in orders), reverse=True)
    # the page's rows are enriched in the same queries whatever the page's length
    with CaptureQueriesContext(connection) as short:
        client.get(reverse("dispatch:hq_dispatch"), {"per_page": 1})
    with CaptureQueriesContext(connection) as full:
        client.get(reverse("dispatch:hq_dispatch"), {"per_page": 5})
    assert len(full) == len(short)


def test_the_number_and_the_channel_narrow_the_queue(net, login):
    wanted = _dc_order()
    other = _dc_order()
    hq_channel = _dc_order(channel="kuaidi100")
    client = login(net.hq)
    everything = client.get(reverse("dispatch:hq_dispatch"))
    assert set(_listed(everything)) == {wanted.pk, other.pk, hq_channel.pk}
    response = client.get(reverse("dispatch:hq_dispatch"), {"q": wanted.channel_order_id})
    assert _listed(response) == [wanted.pk]
    page = shown(response)
    assert 'data-testid="dc-waiting">3<' in page  # the stat still counts the whole queue
    assert 'name="q"' in page and 'data-testid="dispatch-submit"' in page and 'name="ids"' in page
    response = client.get(reverse("dispatch:hq_dispatch"), {"channel": hq_channel.channel_id})
    assert _listed(response) == [hq_channel.pk]
    response = client.get(reverse("dispatch:hq_dispatch"), {"q": "LP0"})
    assert _listed(response) == [] and "没有符合筛选条件" in shown(response)


def test_the_bulk_form_sends_the_checked_rows(net, login):
    order = _dc_order()
    client = login(net.hq)
    page = shown(client.get(reverse("dispatch:hq_dispatch")))
    assert f'name="ids" value="{order.pk}"' in page and "data-select-all" in page
    form = page.split('action="' + reverse("dispatch:hq_dispatch_submit") + '"')[1].split("</form>")[0]
    assert 'data-testid="dc-row"' in form  # the checkboxes are inside the 分件 form
    client.post(reverse("dispatch:hq_dispatch_submit"), {"ids": [order.pk], "to_site": net.site_a.code})
    order.refresh_from_db()
    assert order.site == net.site_a
