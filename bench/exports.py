"""Excel exports: the cells of the orders list's export (``OrderTable``, the page's 11 exported columns) through
django-tables2's generic path and through the product's ``core.sheets.table_export``.

    python -m bench.exports [--quick|--smoke] [--rows N]

No database: ``--rows`` orders are built in memory (one channel, one site, a quarter of them with a waybill, a
tenth cancelled, every fifth offline, no courier), as the export reads them from a queryset. "before" is
django-tables2's own per-cell path, ``Table.as_values()`` (each cell: the accessor resolved, ``inspect.signature``
of its value function), its cells as the export writes them, then the same xlsx writer; "after" is the product's
``table_export`` (the whole response). Both give the same cells (checked here; ``tests/test_fast_export.py``
checks it for every export). The cells alone are timed too (``cells_before_s``, ``cells_after_s``).

Last line: RESULT exports rows=… before_s=… after_s=… ratio=<before ÷ after> cells_before_s=… cells_after_s=…
"""

from __future__ import annotations

import os
import sys
import time

# the keys of the RESULT line (tests/ops/test_benches.py runs every bench with --smoke and checks them)
PROMISED = ("rows", "before_s", "after_s", "ratio", "cells_before_s", "cells_after_s")


def _orders(count: int):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from core.models import Province, Site
    from orders.models import Channel, OnlineOrder

    province = Province(id=1, code="330000", name="浙江省")
    site = Site(id=1, code="ZJ-HZ-001", name="杭州西湖网点", province=province)
    channel = Channel(id=1, code="taobao", name="淘宝")
    t = datetime(2026, 11, 17, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    orders = []
    for i in range(count):
        state = "CANCELLED" if i % 10 == 0 else "ACCEPTED" if i % 4 else "PICKED_UP"
        orders.append(
            OnlineOrder(
                id=i + 1,
                channel=channel,
                channel_order_id=f"LP{i:010d}",
                waybill_no=f"3{i:011d}" if state == "PICKED_UP" else None,
                business_type="send",
                is_online=i % 5 != 0,
                sender_name="张三",
                sender_phone="13812345678",
                sender_district="西湖区",
                sender_address=f"文三路{i % 900}号",
                order_time=t - timedelta(minutes=i),
                state=state,
                site=site,
                province=province,
                courier=None,
            )
        )
    return orders


def main(argv):
    smoke, quick = "--smoke" in argv, "--quick" in argv
    rows = int(argv[argv.index("--rows") + 1]) if "--rows" in argv else 200 if smoke else 5000 if quick else 20000
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.utils import translation
    from django.utils.encoding import force_str

    from core.sheets import export_cell, table_export, table_values, xlsx_bytes
    from orders.tables import OrderTable

    translation.activate("zh-hans")
    orders = _orders(rows)

    def table():
        return OrderTable(orders, viewer=None)

    def generic_cells(t):
        values = t.as_values()
        return next(values), [[export_cell(v) for v in row] for row in values]

    table_values(table())  # imports and translations out of the measurement
    out = {}
    started = time.perf_counter()
    headers, before_rows = generic_cells(table())
    out["cells_before_s"] = time.perf_counter() - started
    xlsx_bytes(headers=headers, rows=before_rows, sheet="orders")
    out["before_s"] = time.perf_counter() - started

    started = time.perf_counter()
    after_headers, after_rows = table_values(table())
    after_rows = list(after_rows)
    out["cells_after_s"] = time.perf_counter() - started

    started = time.perf_counter()
    response = table_export(table(), filename="orders")
    out["after_s"] = time.perf_counter() - started
    assert response.status_code == 200 and len(response.content) > 0
    assert after_headers == headers and len(after_rows) == len(before_rows) == rows
    assert [[force_str(v, strings_only=True) for v in row] for row in after_rows] == before_rows, "the same cells"
    print(
        f"{rows:,} orders × {len(headers)} columns: cells {out['cells_before_s']:.2f} s → {out['cells_after_s']:.2f} s;"
        f" with the xlsx {out['before_s']:.2f} s → {out['after_s']:.2f} s"
    )
    ratio = out["before_s"] / max(out["after_s"], 1e-6)
    print(
        f"RESULT exports rows={rows} before_s={out['before_s']:.3f} after_s={out['after_s']:.3f} ratio={ratio:.1f}"
        f" cells_before_s={out['cells_before_s']:.3f} cells_after_s={out['cells_after_s']:.3f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
