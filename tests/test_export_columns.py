"""Every export opens readable and is the page's table (issue 28.6): the header row is exactly the page's column
headers in their order (a row's checkbox and its buttons aside), each column is as wide as its content, and the
header row carries an autofilter. The order of the rows is the page's."""

from datetime import timedelta
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.sheets import cell_width
from dispatch import services as ops

from .factories import make_order


class _Heads(HTMLParser):
    """The header cells of the first table inside <main>, as text."""

    def __init__(self):
        super().__init__()
        self.in_main = self.in_th = self.done = False
        self.heads, self.text = [], ""

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        elif tag == "th" and self.in_main and not self.done:
            self.in_th, self.text = True, ""

    def handle_endtag(self, tag):
        if tag == "th" and self.in_th:
            self.heads.append(" ".join(self.text.split()))
            self.in_th = False
        elif tag == "thead" and self.in_main and self.heads:
            self.done = True

    def handle_data(self, data):
        if self.in_th:
            self.text += data


def _page_heads(html: str) -> list[str]:
    parser = _Heads()
    parser.feed(html)
    return [h for h in parser.heads if h and h not in ("操作",)]  # the checkbox's and the buttons' columns


def _sheet(response):
    assert response.status_code == 200
    return load_workbook(BytesIO(response.content)).active


def _orders(net):
    t = timezone.now() - timedelta(hours=1)
    orders = [make_order(order_time=t + timedelta(minutes=i), at=t + timedelta(minutes=i)) for i in range(3)]
    for o in orders:
        ops.order_accept(order_id=o.pk, actor=net.clerk_a)
    return orders


# (role, page, export) for every list with an export button whose table is the page's
PAIRS = [
    ("clerk", "dispatch:unscanned", "dispatch:unscanned_export"),
    ("hq", "dispatch:unscanned", "dispatch:unscanned_export"),
]


@pytest.mark.parametrize(("role", "page", "export"), PAIRS)
def test_export_is_the_page_table(net, login, role, page, export):
    orders = _orders(net)
    client = login(net.users()[role])
    heads = _page_heads(client.get(reverse(page)).content.decode())
    ws = _sheet(client.get(reverse(export)))
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == heads
    # the same order as the page: the newest first by default
    assert [r[heads.index("物流号")] for r in rows[1:]] == [o.channel_order_id for o in reversed(orders)]
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(heads)).column_letter}{len(rows)}"
    for i, head in enumerate(heads, start=1):
        letter = ws.cell(1, i).column_letter
        width = ws.column_dimensions[letter].width
        longest = max(cell_width(r[i - 1]) for r in rows[1:])  # as the cell shows it (a time to the minute)
        assert width >= min(longest, 60), (head, width, longest)
    if role == "clerk":  # site a and its contract area: the site column stays
        assert "网点" in heads


def test_a_clerk_of_one_site_sees_no_site_column_nor_site_filter(net, login):
    client = login(net.clerk_b)
    html = client.get(reverse("dispatch:unscanned")).content.decode()
    ws = _sheet(client.get(reverse("dispatch:unscanned_export")))
    heads = [c.value for c in ws[1]]
    assert "订单时间" in heads and "网点" not in heads and "网点编码" not in html
