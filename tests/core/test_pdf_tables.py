"""A document of tables (``core.pdf_tables.tables_pdf``, the 对账单's PDF): the title and its lines on the first page,
each table after the last on the same page, a heading never left alone at a page's foot, the header row on every page
a table runs onto, every row once, the total row last, 第 N 页 / 共 M 页 right on every page, the vendored font alone."""

import subprocess
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from core.pdf_tables import Column, LongTable, tables_layout, tables_pdf

SH = ZoneInfo("Asia/Shanghai")


def _tables(streams):
    def rows(prefix, n):
        def make():
            streams.append(prefix)
            return ((f"{prefix}{i:05d}", "接单超时（违规 1）", "\u2212¥100.00") for i in range(n))

        return make

    columns = (Column("编号", 40), Column("事由", 100), Column("金额", 42, right=True))
    return [
        LongTable(columns=columns, rows=rows("A", 3), heading="第一表"),
        LongTable(
            columns=columns, rows=rows("B", 140), heading="第二表", total=("合计", "\u2212¥14,000.00"), total_span=2
        ),
        LongTable(columns=columns, rows=rows("C", 30), heading="第三表", lead=("以下分录更正以前月份。",)),
    ]


def test_tables_follow_each_other_across_pages(tmp_path):
    streams = []
    pdf = tables_pdf(
        _tables(streams),
        running="杭州西湖网点 2026-11 对账单",
        generated_at=datetime(2026, 11, 24, 9, tzinfo=SH),
        title="杭州西湖网点对账单（2026年11月）",
        meta=(("截至 2026-11-24 09:00 · 未结账", True), ("罚款为负。", False)),
    )
    assert sorted(streams) == ["A", "A", "B", "B", "C", "C"]  # each table counted, then drawn
    pages = [page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages]
    assert len(pages) == pdf.pages >= 4
    for number, text in enumerate(pages, 1):
        flat = text.replace(" ", "").replace("\n", "")
        assert f"第{number}页/共{pdf.pages}页" in flat and "杭州西湖网点2026-11对账单" in flat
        assert "编号" in text and "事由" in text  # the header row on every page
    assert "杭州西湖网点对账单（2026年11月）" in pages[0] and "截至 2026-11-24 09:00 · 未结账" in pages[0]
    assert "第一表" in pages[0] and "第二表" in pages[0]  # the short table leaves room for the next one
    body = "".join(pages)
    for prefix, n in (("A", 3), ("B", 140), ("C", 30)):
        assert all(f"{prefix}{i:05d}" in body for i in range(n))
    assert body.count("第二表") == 1 and body.count("第三表") == 1  # a heading once, on the table's first page
    for text in pages:  # a heading stands with its table's first row
        if "第三表" in text:
            assert "C00000" in text and "以下分录更正以前月份。" in text
    last_b = max(i for i, text in enumerate(pages) if "B00139" in text)
    assert "合计" in pages[last_b] and "\u2212¥14,000.00" in pages[last_b]
    path = tmp_path / "tables.pdf"
    path.write_bytes(pdf.content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("WenQuanYiMicroHei" in r[0] and r[-5] == "yes" for r in rows), fonts


def test_a_table_that_does_not_fit_starts_on_the_next_page():
    streams = []
    tables = _tables(streams)
    _layouts, pages = tables_layout(tables, title="对账单", meta=(("未结账", True),))
    for index in range(len(tables)):
        segments = [(n, s) for n, page in enumerate(pages) for s in page if s.table == index]
        assert segments[0][1].first and not any(s.first for _n, s in segments[1:])
        assert [n for n, _s in segments] == list(range(segments[0][0], segments[0][0] + len(segments)))
    assert sum(s.count for page in pages for s in page if s.table == 1) == 141  # the rows and the total
    assert all(page for page in pages)
