"""The list kit's tables (core.tables): rows whose sort keys tie keep one order, on the page, across pages and in
the export, because the primary key breaks the tie in the direction of the first key."""

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.urls import reverse
from openpyxl import load_workbook

from orders.models import OnlineOrder
from orders.tables import OrderTable

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
SAME = datetime(2026, 11, 24, 9, 30, tzinfo=SH)


def _tied(n: int) -> list[OnlineOrder]:
    return [make_order(order_time=SAME) for _ in range(n)]


def test_a_tie_on_the_sort_key_is_broken_by_the_primary_key_in_the_first_key_direction(net):
    orders = _tied(5)
    ids = sorted(o.pk for o in orders)
    newest_first = OrderTable(OnlineOrder.objects.all(), viewer=net.hq, order_by=("-order_time",))
    assert list(newest_first.data.data.query.order_by) == ["-order_time", "-pk"]
    assert [r.pk for r in newest_first.data] == ids[::-1]
    oldest_first = OrderTable(OnlineOrder.objects.all(), viewer=net.hq, order_by=("order_time",))
    assert [r.pk for r in oldest_first.data] == ids
    # a sort chosen after construction (RequestConfig does this) is made total as well
    oldest_first.order_by = "-order_time"
    assert [r.pk for r in oldest_first.data] == ids[::-1]


def test_an_order_that_already_ends_on_the_key_or_a_grouped_query_is_left_alone(net):
    _tied(2)
    table = OrderTable(OnlineOrder.objects.order_by("order_time", "id"), viewer=net.hq, order_by=())
    assert list(table.data.data.query.order_by) == ["order_time", "id"]
    grouped = OnlineOrder.objects.values("site_id").annotate(n=Count("id")).order_by("site_id")
    table = OrderTable(grouped, viewer=net.hq, order_by=())
    assert list(table.data.data.query.order_by) == ["site_id"]


def test_pages_and_the_export_agree_on_tied_rows(net, login):
    orders = _tied(7)
    client = login(net.hq)
    seen = []
    for page in (1, 2, 3):
        response = client.get(reverse("orders:order_list"), {"sort": "-order_time", "per_page": 3, "page": page})
        seen += [row.record.channel_order_id for row in response.context["table"].page.object_list]
    exported = load_workbook(BytesIO(client.get(reverse("orders:order_export"), {"sort": "-order_time"}).content))
    ws = exported.active
    column = [c.value for c in ws[1]].index("物流号")
    rows = [r[column].value for r in ws.iter_rows(min_row=2)]
    expected = [o.channel_order_id for o in sorted(orders, key=lambda o: -o.pk)]
    assert seen == expected and rows == expected
