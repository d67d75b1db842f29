"""The 对账单 PDF (``finance.documents``, drawn with ReportLab): an issued month says when it was closed and not that it
is running; a month holding a correction of an issued one lists it under its own heading, with the month corrected,
the order and the act in words."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from django.urls import reverse
from pypdf import PdfReader

from finance.services import month_close
from penalties.models import ViolationStatus
from penalties.money import ledger_sync, monthly_settlement

from ..penalties.test_rulebook_defects import _fine

SH = ZoneInfo("Asia/Shanghai")


def _text(response) -> str:
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"
    return "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


def test_a_closed_month_and_a_correction_in_the_next(net, login):
    v = _fine(net.site_a, datetime(2026, 3, 10, 10, tzinfo=SH))
    monthly_settlement(month=date(2026, 3, 1), at=datetime(2026, 4, 1, 1, tzinfo=SH))
    month_close(month=date(2026, 3, 1), at=datetime(2026, 4, 1, 2, tzinfo=SH))  # March's statements issued
    v.status = ViolationStatus.CANCELLED  # cancelled on appeal in April
    v.save()
    ledger_sync(at=datetime(2026, 4, 5, 10, tzinfo=SH))
    client = login(net.hq)
    march = _text(client.get(reverse("finance:statement_pdf"), {"month": "2026-03"}))
    assert "全网对账单（2026年3月）" in march and "已结账（2026-04-01" in march and "未结账" not in march
    assert net.site_a.name in march and "\u2212¥100.00" in march and "更正以前月份的分录" not in march
    april = _text(client.get(reverse("finance:statement_pdf"), {"month": "2026-04"}))
    assert "未结账" in april and "更正以前月份的分录" in april and "更正已出具对账单的月份（2026-03）" in april
    assert v.order.channel_order_id in april and f"违规 {v.pk}" in april and "¥100.00" in april
    site = _text(client.get(reverse("finance:statement_pdf"), {"month": "2026-04", "site": net.site_a.code}))
    assert "明细" in site and v.order.channel_order_id in site and "冲销" in site
