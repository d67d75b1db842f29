"""Every Excel export is its page's table (issue 28.6), and no export escapes the check: the exports are found in
the URLconf, and each is either compared with its page here or named below as not a list's export (with why).

For each export and the roles that use it: the sheet's header row is exactly the page's header cells (those a
column marks ``data-export="no"`` aside: a row's checkbox, its forms and buttons), in the page's order; its first
rows are the page's first rows in the same order (text cells equal the page's text, times its compact time,
numbers its figures); every column is at least as wide as its content; the header row carries the autofilter."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints import services as wo_services
from core.sheets import cell_width
from dispatch import services as ops
from inventory import services as stock
from inventory.models import Consumable
from logistics.services import scans_ingest
from penalties import appeals
from penalties.models import RewardRank, Violation
from penalties.reports import weekly_notices
from penalties.sweep import sla_sweep

from .factories import CourierFactory, make_order
from .rulebook_seed import rules_seed

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 17, 10, 0, tzinfo=SH)
NOTICE_AT = datetime(2026, 11, 23, 9, 0, tzinfo=SH)

# export (URL name) -> (page URL name, the page's table: its data-testid or None for the first table, query, roles)
PAGES = {
    "orders:order_export": ("orders:order_list", "order-table", {}, ("clerk", "clerk_b", "lcs", "hq")),
    "dispatch:unscanned_export": ("dispatch:unscanned", "order-table", {}, ("clerk", "clerk_b", "hq")),
    "penalties:violation_export": ("penalties:violation_list", "violation-table", {}, ("clerk", "clerk_b", "lcs")),
    "penalties:appeal_export": ("penalties:appeal_queue", "appeal-queue", {}, ("lcs",)),
    "penalties:rewards_export": ("penalties:rewards", "rank-table", {"month": "2026-10"}, ("hq", "lcs")),
    "complaints:export": ("complaints:list", "wo-table", {"state": ""}, ("clerk", "clerk_b", "hq")),
    "dispatch:couriers_export": ("dispatch:couriers", "courier-table", {}, ("clerk", "clerk_b")),
    "dispatch:silent_sites_export": ("dispatch:silent_sites", None, {}, ("hq", "lcs")),
    "inventory:stock_export": ("inventory:stock", "stock-table", {"site": "site_a"}, ("clerk", "hq")),
    "core:site_export": ("core:site_list", None, {}, ("lcs", "hq")),
    "finance:statement_export": ("finance:statement", "statement-entries", {"month": "2026-11"}, ("clerk", "hq")),
}
# exports that are not a list page's table
NOT_A_LIST = {
    # the file the service-area import reads (its own columns: 网点编码, 区县代码, 关键词, 优先级), for a round trip
    "people:area_export": "the service-area import's own file",
}


def _names(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{prefix}{p.name}", str(p.pattern)


def test_every_export_is_checked():
    """A new export (a URL named or routed ``…export…``) must be compared with its page here, or named above."""
    exports = {name for name, route in _names(get_resolver().url_patterns) if "export" in name or "export" in route}
    assert exports == set(PAGES) | set(NOT_A_LIST)


class _Tables(HTMLParser):
    """The tables inside <main>: each its attributes, header cells (text, exported?) and rows (cells: text, and
    whether the cell holds a form control)."""

    def __init__(self):
        super().__init__()
        self.in_main, self.tables, self.stack, self.cell = False, [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        if not self.in_main:
            return
        if tag == "table":
            self.stack.append({"attrs": attrs, "heads": [], "rows": []})
        elif not self.stack:
            return
        elif tag == "tr":
            self.row = []
        elif tag in ("th", "td"):
            self.cell = {"tag": tag, "text": "", "control": False, "export": attrs.get("data-export") != "no"}
        elif tag in ("input", "select", "button") and self.cell is not None:
            self.cell["control"] = True

    def handle_endtag(self, tag):
        if not self.stack:
            return
        table = self.stack[-1]
        if tag in ("th", "td") and self.cell is not None:
            self.cell["text"] = " ".join(self.cell["text"].split())
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr":
            if self.row and all(c["tag"] == "th" for c in self.row) and not table["heads"]:
                table["heads"] = self.row
            elif self.row:
                table["rows"].append(self.row)
        elif tag == "table":
            self.tables.append(self.stack.pop())

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def _page_table(html: str, testid: str | None) -> dict:
    parser = _Tables()
    parser.feed(html)
    found = [t for t in parser.tables if testid is None or t["attrs"].get("data-testid") == testid]
    assert found, f"no table {testid!r} on the page"
    return found[0] if testid else parser.tables[0]


def _matches(value, text: str) -> bool:
    """The sheet's cell shows what the page's cell shows."""
    if value is None:
        return text in ("", "—")
    if isinstance(value, str):
        return " ".join(value.split()) == text
    if isinstance(value, datetime):  # the page writes it compact (a countdown's cell is filled by the browser)
        return text == "" or text.endswith(value.strftime("%m-%d %H:%M"))
    if isinstance(value, bool):
        return True
    if isinstance(value, (int, Decimal)):  # a count, or money as the page writes it (−¥1,400.00)
        sign = value >= 0 or "−" in text or "-" in text
        return sign and (str(abs(value)) in text.replace(",", "") or f"{abs(value):,.2f}" in text)
    return True  # a rate: the page shows it as a percentage


@pytest.fixture
def lists(net):
    """A row or more on every list: orders accepted and not scanned, a confirmed fine with its appeal and ledger
    line, a work order, couriers, stock, a month's ranking. The rule book is seeded again for a browser test, whose
    database a transactional test before it may have emptied."""
    rules_seed()
    t = timezone.now() - timedelta(hours=1)
    for i in range(3):
        o = make_order(order_time=t + timedelta(minutes=i), at=t + timedelta(minutes=i))
        ops.order_accept(order_id=o.pk, actor=net.clerk_a)
    b = make_order(order_time=t, at=t, sender_city="宁波市", sender_district="海曙区", sender_address="中山路1号")
    ops.order_accept(order_id=b.pk, actor=net.clerk_b)
    late = [make_order(order_time=T0 + timedelta(minutes=i)) for i in range(2)]
    make_order(order_time=T0, sender_city="宁波市", sender_district="海曙区", sender_address="中山路2号")
    sla_sweep(since=T0 - timedelta(days=1), until=T0 + timedelta(hours=1), at=T0 + timedelta(hours=1))
    weekly_notices(week=date(2026, 11, 16), at=NOTICE_AT)
    v = Violation.objects.get(order=late[0])
    appeals.appeal_file(violation_id=v.pk, actor=net.clerk_a, text="系统故障", at=NOTICE_AT + timedelta(hours=1))
    for n, site in enumerate((net.site_a, net.site_b, net.site_a)):
        waybill = f"30000000098{n}"
        scan = {
            "waybill_no": waybill,
            "scan_type": "到件",
            "site_code": site.code,
            "scanned_at": T0 - timedelta(hours=5),
        }
        scans_ingest(scans=[scan])
        wo_services.work_order_receive(
            data={"wo_id": f"EV{n}", "type": "where", "source": "guoguo", "waybill_no": waybill,
                  "description": "在哪", "consumer_phone": "13700001234"},
            at=T0 + timedelta(minutes=n),
        )  # fmt: skip
    CourierFactory(site=net.site_a, name="甲")
    CourierFactory(site=net.site_b, name="乙")
    paper = Consumable.objects.get_or_create(code="LABEL", defaults={"name": "热敏面单纸", "unit": "卷"})[0]
    stock.stock_move(site=net.site_a, consumable=paper, kind="in", quantity_=12, actor=net.clerk_a)
    for rank, site in enumerate((net.site_a, net.site_b), start=1):
        RewardRank.objects.create(
            month=date(2026, 10, 1), province=net.zj, site=site, rank=rank, picked_up=100 - rank,
            on_time_rate=Decimal("0.9500"), awarded=rank == 1,
        )  # fmt: skip
    return net


CASES = [(export, role) for export, (_p, _t, _q, roles) in PAGES.items() for role in roles]


@pytest.mark.parametrize(("export", "role"), CASES)
def test_the_export_is_the_page_table(lists, login, export, role):
    page, testid, query, _roles = PAGES[export]
    query = {k: (lists.site_a.code if v == "site_a" else v) for k, v in query.items()}
    user = lists.clerk_b if role == "clerk_b" else lists.users()[role]
    client = login(user)
    table = _page_table(client.get(reverse(page), query).content.decode(), testid)
    response = client.get(reverse(export), query)
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    exported = [i for i, h in enumerate(table["heads"]) if h["export"]]
    assert list(rows[0]) == [table["heads"][i]["text"] for i in exported]
    page_rows = [r for r in table["rows"] if len(r) == len(table["heads"])]
    assert len(rows) - 1 >= len(page_rows) > 0, "the list has rows to compare"
    for page_row, sheet_row in zip(page_rows[:5], rows[1:6], strict=False):
        for value, i in zip(sheet_row, exported, strict=True):
            cell = page_row[i]
            if not cell["control"]:
                assert _matches(value, cell["text"]), (table["heads"][i]["text"], value, cell["text"])
    last = ws.cell(1, len(rows[0])).column_letter
    assert ws.auto_filter.ref == f"A1:{last}{len(rows)}"
    for i, head in enumerate(rows[0], start=1):
        width = ws.column_dimensions[ws.cell(1, i).column_letter].width
        longest = max(cell_width(r[i - 1]) for r in rows[1:])
        assert width >= min(longest, 60), (head, width, longest)
