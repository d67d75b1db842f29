"""The 分件 queue names, in each row, what HQ decides on: the sender's city and district, the phone masked, how
long the order has waited at the data center and why no site took it."""

from datetime import timedelta

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
