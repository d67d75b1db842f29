"""A statement's PDF and Excel are made once per statement and state: two clicks at once make one file, a click on
an unchanged statement gets the file already made, a line booked meanwhile makes a new one, and with Redis away every
click still gets its file."""

import threading
import time
from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import rediscache
from finance import files, views
from penalties.money import ledger_sync
from penalties.sweep import sla_sweep

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 17, 10, 0, tzinfo=SH)


def _late_order(**kw):
    order = make_order(order_time=T0, **kw)
    sla_sweep(since=T0 - timedelta(days=1), until=T0 + timedelta(hours=1), at=T0 + timedelta(hours=1))
    ledger_sync(at=T0 + timedelta(hours=1))  # the fine booked in the running month
    return order


def test_two_clicks_at_once_make_one_file():
    made = []

    def make():
        made.append(1)
        time.sleep(0.5)  # a render takes a while: the second click arrives meanwhile
        return b"%PDF-statement"

    got = []
    threads = [
        threading.Thread(
            target=lambda: got.append(
                files.statement_file(scope=("t", 1), state="3.9.running", closed=False, make=make)
            )
        )
        for _ in range(2)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert got == [b"%PDF-statement", b"%PDF-statement"] and len(made) == 1
    # the same statement in another state is another file
    assert files.statement_file(scope=("t", 1), state="4.10.running", closed=False, make=lambda: b"new") == b"new"


def test_without_redis_every_click_gets_its_file(monkeypatch):
    rediscache._trip(ConnectionError("stopped"), 60)
    made = []
    for _ in range(2):
        assert files.statement_file(scope=("t", 2), state="1", closed=True, make=lambda: made.append(1) or b"x") == b"x"
    assert len(made) == 2


@pytest.mark.django_db
def test_the_pdf_and_excel_are_made_once_until_a_line_is_booked(net, login, monkeypatch):
    renders = []
    real = views.statement_pdf_bytes
    monkeypatch.setattr(views, "statement_pdf_bytes", lambda **k: renders.append("pdf") or real(**k))
    real_xlsx = views.xlsx_bytes
    monkeypatch.setattr(views, "xlsx_bytes", lambda **k: renders.append("xlsx") or real_xlsx(**k))
    _late_order()
    client = login(net.clerk_a)
    params = {"month": "2026-11"}
    first = client.get(reverse("finance:statement_pdf"), params)
    again = client.get(reverse("finance:statement_pdf"), params)
    assert first.content == again.content and first.content[:5] == b"%PDF-" and renders == ["pdf"]
    assert again["Content-Disposition"] == 'attachment; filename="statement-202611.pdf"'
    sheet = client.get(reverse("finance:statement_export"), params)
    assert sheet["Content-Disposition"].startswith('attachment; filename="statement-202611-')
    rows = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2
    client.get(reverse("finance:statement_export"), params)
    assert renders == ["pdf", "xlsx"]
    # another scope's statement is its own file
    login(net.clerk_b).get(reverse("finance:statement_pdf"), params)
    assert renders == ["pdf", "xlsx", "pdf"]

    _late_order()  # a second fine is booked in the running month: the next click gets it
    client = login(net.clerk_a)
    rows = list(
        load_workbook(BytesIO(client.get(reverse("finance:statement_export"), params).content)).active.iter_rows(
            values_only=True
        )
    )
    assert len(rows) == 3
    assert client.get(reverse("finance:statement_pdf"), params).content != first.content
    assert renders == ["pdf", "xlsx", "pdf", "xlsx", "pdf"]
