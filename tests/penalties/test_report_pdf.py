"""The province weekly report's long detail table (penalties.pdf.long_table_pdf behind penalties.reports.province_pdf):
every row once, the header row on every page, 第 N 页 / 共 M 页 right on every page of the joined document (the
WeasyPrint cover included), the vendored font embedded in both parts, and the rows read as a stream, twice, never
held (bench.reports measures the memory)."""

import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils.safestring import mark_safe
from pypdf import PdfReader

from penalties.charts import bar_chart
from penalties.reports import province_pdf

SH = ZoneInfo("Asia/Shanghai")
WEEK = date(2026, 11, 16)


class Detail:
    """Stands for the violations queryset: what province_pdf asks of it, and how often it streams."""

    def __init__(self, n):
        self.n, self.streams = n, 0

    def values_list(self, *fields):
        assert "site__name" in fields
        return self

    def iterator(self, chunk_size):
        assert chunk_size <= 5000
        self.streams += 1
        for i in range(self.n):
            long_name = "（一个很长的网点名称，换行）" if i % 17 == 0 else ""
            yield (
                f"杭州西湖区第{i % 7}网点{long_name}",
                "LATE_PICKUP" if i % 3 == 0 else "LATE_ACCEPT",
                f"LP{i:010d}",
                "",
                datetime(2026, 11, 17, 10, tzinfo=SH) + timedelta(minutes=i),
                Decimal(100),
                date(2026, 11, 9) if i == 5 else WEEK,
            )


def render(n):
    detail = Detail(n)
    pdf = province_pdf(
        province=SimpleNamespace(name="浙江省"),
        week=WEEK,
        count=n,
        total=Decimal(100 * n),
        worst=[{"site__code": "33010601", "site__name": "杭州西湖区第1网点", "n": n, "total": 100 * n}],
        chart_rules=mark_safe(bar_chart(items=[("接单超时", n), ("揽件超时", 0)])),
        detail=detail,
    )
    return pdf, detail


def test_long_table_pages_numbers_header_and_rows(tmp_path):
    pdf, detail = render(700)
    assert detail.streams == 2  # counted, then drawn
    pages = [page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages]
    assert len(pages) == pdf.pages > 10
    for number, text in enumerate(pages, 1):
        assert f"第 {number} 页 / 共 {pdf.pages} 页" in text.replace(
            "\n", " "
        ) or f"第{number}页/共{pdf.pages}页" in text.replace(" ", "").replace("\n", ""), text[-200:]
        assert "浙江省 11月16日–11月22日 周报" in text
    assert "浙江省电商订单服务质量周报" in pages[0] and "违规最多的网点" in pages[0]
    detail_pages = pages[1:]
    assert "违规明细" in detail_pages[0]
    assert all("物流号" in text and "时限/行为时间" in text for text in detail_pages)  # the header repeats
    body = "".join(detail_pages)
    assert all(f"LP{i:010d}" in body for i in range(700))
    assert body.count("补充通报") == 1 and "合计 700 条" in body and "¥70,000.00" in body
    assert "2026-11-17 10:05" in body  # Beijing time
    path = tmp_path / "province.pdf"
    path.write_bytes(pdf.content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert {("Q9-CJK" in r[0] or "WenQuanYiMicroHei" in r[0]) for r in rows} == {True}, fonts  # no other font
    assert any("WenQuanYiMicroHei" in r[0] for r in rows) and all(r[-5] == "yes" for r in rows), fonts


def test_small_report_is_one_detail_page():
    pdf, _detail = render(3)
    pages = [page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages]
    assert pdf.pages == len(pages) == 2
    assert "合计 3 条" in pages[1] and "¥300.00" in pages[1]
