"""The spreadsheet kit (core.sheets) and the exports that use it: whatever text is stored, a file comes out
readable and inert — no formula, no illegal character — with typed times, a frozen bold header, a named sheet."""

from datetime import datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

from django.urls import reverse
from openpyxl import load_workbook

from core import sheets

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
HOSTILE = ['=HYPERLINK("http://evil.example","点击")', "+1+2", "-3+4", "@SUM(A1)", "a\x01b\x1fc\x7fd"]


def test_xlsx_text_is_never_a_formula_nor_illegal():
    data = sheets.xlsx_bytes(
        headers=["名称", "数量", "时间"],
        sheet="订单/导出[1]",
        rows=[[t, Decimal("1.50"), datetime(2026, 11, 24, 1, 30, tzinfo=ZoneInfo("UTC"))] for t in HOSTILE],
    )
    wb = load_workbook(BytesIO(data))
    ws = wb.active
    assert ws.title == "订单_导出_1_"
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    assert ws.column_dimensions["A"].width >= 8
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells)  # strings, not formulas ("f")
    assert cells[0].value == HOSTILE[0]
    assert cells[4].value == "a\ufffdb\ufffdc\ufffdd"
    amount, moment = ws["B2"], ws["C2"]
    assert amount.data_type == "n" and amount.value == 1.5
    assert moment.is_date and moment.value == datetime(2026, 11, 24, 9, 30)  # Beijing time
    assert moment.number_format == sheets.DATETIME_FORMAT


def test_order_export_survives_a_control_character_and_a_formula(net, login):
    """A stored U+0001 (an older row, or the admin's) is exported as U+FFFD: /orders/export/ never answers 500."""
    order = make_order(sender_name='=HYPERLINK("http://evil.example","点击")')
    from orders.models import OnlineOrder

    OnlineOrder.objects.filter(pk=order.pk).update(sender_address="a\x01b")  # stored past every door, as old data is
    for user in (net.clerk_a, net.lcs_zj, net.hq):
        response = login(user).get(reverse("orders:order_export"))
        assert response.status_code == 200
        ws = load_workbook(BytesIO(response.content)).active
        row = next(ws.iter_rows(min_row=2))
        by_header = {h.value: c for h, c in zip(ws[1], row)}
        assert by_header["寄件人"].data_type == "s" and by_header["寄件人"].value.startswith("=HYPERLINK")
        assert by_header["寄件地址"].value.endswith("a\ufffdb")
        assert by_header["订单时间"].is_date
        assert ws.freeze_panes == "A2" and ws.title == "orders"
