"""对账单 as a PDF: the statement's tables drawn with ReportLab (``core.pdf_tables.tables_pdf``), in the vendored
CJK font, embedded. WeasyPrint laid the nation's per-site table (one row a site) and a site's lines out at a few
pages a second; the same tables drawn directly take a small part of that (bench.statement)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from itertools import islice

from django.utils import timezone

from core.humanize import code_label
from core.pdf_tables import Column, LongTable, Pdf, tables_pdf
from core.templatetags.desk import cny, local

from .sources import source_lines

PAGE_MM = 182  # A4 less the 14 mm margins

PER_SITE_COLUMNS = (
    Column("网点", 42),
    Column("编码", 18),
    Column("省份", 20),
    Column("罚款（净）", 20.4, right=True),
    Column("返款", 20.4, right=True),
    Column("奖励", 20.4, right=True),
    Column("调整", 20.4, right=True),
    Column("合计", 20.4, right=True),
)
LINE_COLUMNS = (
    Column("记账时间", 30),
    Column("类型", 18),
    Column("订单", 34),
    Column("事由", 62),
    Column("金额", 22, right=True),
    Column("更正月份", 18),
)
SITES_LINE_COLUMNS = (
    Column("网点", 28),
    Column("记账时间", 28),
    Column("类型", 14),
    Column("订单", 30),
    Column("事由", 44),
    Column("金额", 20, right=True),
    Column("更正月份", 18),
)
CORRECTION_COLUMNS = (
    Column("网点", 36),
    Column("更正月份", 18),
    Column("类型", 18),
    Column("订单", 34),
    Column("金额", 22, right=True),
    Column("事由", 54),
)


def _what_for(entry, src) -> str:
    return src.text or code_label(entry.code)


def _streamed(entries) -> Iterator:
    """(entry, source) pairs read in chunks: a long statement is never held."""
    stream = entries.iterator(chunk_size=2000)
    while chunk := list(islice(stream, 2000)):
        yield from source_lines(chunk)


def statement_pdf_bytes(*, data: dict, scope: str, month: date, with_lines: bool, one_site: bool) -> bytes:
    """The statement download: ``statement_pdf``'s bytes."""
    return statement_pdf(data=data, scope=scope, month=month, with_lines=with_lines, one_site=one_site).content


def statement_pdf(
    *,
    data: dict,
    scope: str,
    month: date,
    with_lines: bool = False,
    one_site: bool = False,
    extra: Sequence[LongTable] = (),
) -> Pdf:
    """The statement (``finance.selectors.statement``) of ``scope`` for ``month``: the running mark or the closing
    time, the totals per heading and kind, the sites' totals, a site's lines (``with_lines``; ``one_site``: no site
    column), the lines correcting earlier months, then the caller's ``extra`` tables (the month-end documents'
    reward quotas)."""
    generated_at = timezone.localtime()
    closed = data["closed"]
    mark = f"已结账（{local(closed.closed_at)}）" if closed else f"截至 {generated_at:%Y-%m-%d %H:%M} · 未结账"
    tables = []
    for h in data["by_heading"]:
        columns = [Column(str(label), PAGE_MM / (len(h["kinds"]) + 1), right=True) for _k, label, _a in h["kinds"]]
        cells = tuple(cny(amount) for _k, _l, amount in h["kinds"]) + (cny(h["total"]),)
        tables.append(
            LongTable(
                columns=(*columns, Column("小计", PAGE_MM / (len(h["kinds"]) + 1), right=True)),
                rows=lambda cells=cells: [cells],
                heading=str(h["label"]),
            )
        )
    tables.append(
        LongTable(
            columns=PER_SITE_COLUMNS,
            rows=lambda: (
                (
                    s["site__name"],
                    s["site__code"],
                    s["province__name"] or "",
                    cny(s["fines"]),
                    cny(s["refunds"]),
                    cny(s["rewards"]),
                    cny(s["adjustments"]),
                    cny(s["total"]),
                )
                for s in data["per_site"]
            ),
            heading="分网点明细",
            total=("合计", cny(data["total"])),
            total_span=7,
        )
    )
    if with_lines:

        def lines():
            empty = True
            for e, src in _streamed(data["entries"]):
                empty = False
                cells = (
                    local(e.created_at),
                    e.get_kind_display(),
                    src.order_no or "—",
                    _what_for(e, src),
                    cny(e.amount),
                    f"{e.month:%Y-%m}" if e.month < e.posted_month else "",
                )
                yield cells if one_site else (e.site.name, *cells)
            if empty:
                yield ("本月无分录。", *[""] * (len(LINE_COLUMNS if one_site else SITES_LINE_COLUMNS) - 1))

        tables.append(LongTable(columns=LINE_COLUMNS if one_site else SITES_LINE_COLUMNS, rows=lines, heading="明细"))
    if data["corrected_months"]:
        months = "、".join(f"{m:%Y-%m}" for m in data["corrected_months"])
        tables.append(
            LongTable(
                columns=CORRECTION_COLUMNS,
                rows=lambda: (
                    (
                        e.site.name,
                        f"{e.month:%Y-%m}",
                        e.get_kind_display(),
                        src.order_no or "—",
                        cny(e.amount),
                        _what_for(e, src),
                    )
                    for e, src in _streamed(data["corrections"])
                ),
                heading="更正以前月份的分录",
                lead=(f"以下分录记入本月，更正已出具对账单的月份（{months}）；已出具的对账单不作改动。",),
            )
        )
    tables.extend(extra)
    return tables_pdf(
        tables,
        running=f"{scope} {month:%Y-%m} 对账单",
        generated_at=generated_at,
        title=f"{scope}对账单（{month.year}年{month.month}月）",
        meta=((mark, True), ("罚款为负，返款、奖励为正；电商订单与菜鸟工单分列。", False)),
    )
