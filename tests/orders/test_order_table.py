"""The order list's rows are written out in a template (orders/_order_table.html) for speed: they must
be exactly what OrderTable's columns and render_* methods give cell by cell, for every kind of row."""

import re

from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from orders.models import OrderState
from orders.tables import OrderTable

from ..factories import CourierFactory, make_order


def _rows(html: str) -> str:
    return re.sub(r"\s+", "", html[html.index("<tbody") : html.index("</tbody>")])


def test_written_out_rows_equal_the_cell_by_cell_table(net):
    plain = make_order()
    full = make_order(sender_name="<b>王五</b>", waybill_no="300000000123", is_online=False)
    full.courier = CourierFactory(site=net.site_a, name="快递员 & 小李")
    full.state = OrderState.ACCEPTED
    handled, open_ = make_order(), make_order()
    for order, at in ((handled, timezone.now()), (open_, None)):
        order.state, order.cancelled_at, order.cancel_handled_at = OrderState.CANCELLED, timezone.now(), at
    orders = [plain, full, handled, open_]
    request = RequestFactory().get("/orders/")
    request.user = net.hq
    fast = OrderTable(orders, viewer=net.hq).as_html(request)
    slow = OrderTable(orders, viewer=net.hq, template_name=settings.DJANGO_TABLES2_TEMPLATE).as_html(request)
    assert "&lt;b&gt;王五&lt;/b&gt;" in fast and "300000000123" in fast and "快递员 &amp; 小李" in fast
    assert _rows(fast) == _rows(slow)
    assert fast.count("<tr") == slow.count("<tr") == 5  # header and four rows
