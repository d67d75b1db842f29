"""The money pages as people use them: a clerk appeals from the violation page, the LCS decides, the reports
page gives each role its PDFs, statements in three formats, the rewards table with its honest sum."""

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from finance.models import LedgerEntry
from penalties.models import Appeal, Report, Violation, ViolationStatus
from penalties.money import monthly_settlement
from penalties.reports import monthly_reports_generate, weekly_notices
from penalties.sweep import sla_sweep

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 17, 10, 0, tzinfo=SH)
NOTICE_AT = datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def notified(net, **kw):
    order = make_order(order_time=T0, **kw)
    sla_sweep(since=T0 - timedelta(days=1), until=T0 + timedelta(hours=1), at=T0 + timedelta(hours=1))
    weekly_notices(week=date(2026, 11, 16), at=NOTICE_AT)
    return Violation.objects.get(order=order)


def test_clerk_appeals_and_lcs_cancels_in_the_browser_terms(net, login):
    v = notified(net)
    with time_machine.travel(NOTICE_AT + timedelta(hours=1), tick=False):
        clerk = login(net.clerk_a)
        page = clerk.get(reverse("penalties:violation_detail", args=[v.pk])).content.decode()
        assert "向省平台申诉" in page and "11月26日 09:00 截止" in page  # the deadline, 72 h after the notice
        clerk.post(
            reverse("penalties:appeal_file", args=[v.pk]),
            {"text": "当时系统故障", "files": [SimpleUploadedFile("截图.png", b"\x89PNG")]},
        )
        appeal = Appeal.objects.get(violation=v)
        lcs = login(net.lcs_zj)
        assert v.order.channel_order_id in lcs.get(reverse("penalties:appeal_queue")).content.decode()
        lcs.post(reverse("penalties:appeal_lcs_decide", args=[v.pk]), {"decision": "cancel", "text": "属实"})
    assert Violation.objects.get(pk=v.pk).status == ViolationStatus.CANCELLED
    assert LedgerEntry.objects.filter(source_id=v.pk, kind="reversal").exists()
    assert appeal.attachments.count() == 1
    # the statement says it in words: the reversal names its order and why (not the status code)
    statement = login(net.clerk_a).get(reverse("finance:statement"), {"month": "2026-11"}).content.decode()
    assert "申诉成立撤销，罚款退回" in statement and "CANCELLED" not in statement
    assert statement.count(f'<a href="/orders/{v.order_id}/" data-testid="line-order">') == 2  # fine and reversal
    assert "¥100.00" in statement and "\u2212¥100.00" in statement


def test_late_appeal_is_refused_with_a_clear_message(net, login):
    v = notified(net)
    with time_machine.travel(NOTICE_AT + timedelta(hours=72, seconds=1), tick=False):
        clerk = login(net.clerk_a)
        page = clerk.get(reverse("penalties:violation_detail", args=[v.pk])).content.decode()
        assert "向省平台申诉" not in page
        r = clerk.post(reverse("penalties:appeal_file", args=[v.pk]), {"text": "x"}, follow=True)
        assert "逾期不予受理" in r.content.decode() and not Appeal.objects.exists()


def test_reports_page_scoped_and_downloadable(net, login):
    notified(net)
    notified(
        net,
        sender_province="新疆维吾尔自治区",
        sender_city="乌鲁木齐市",
        sender_district="天山区",
        sender_address="解放路1号",
    )
    lcs = login(net.lcs_zj)
    page = lcs.get(reverse("penalties:reports")).content.decode()
    assert "浙江省" in page and "新疆" not in page.split("<table")[1]
    report = Report.objects.get(kind=Report.Kind.WEEKLY_PROVINCE, province=net.zj)
    response = lcs.get(reverse("penalties:report_download", args=[report.pk]))
    assert response["Content-Type"] == "application/pdf"
    other = Report.objects.get(kind=Report.Kind.WEEKLY_PROVINCE, province=net.xj)
    assert lcs.get(reverse("penalties:report_download", args=[other.pk])).status_code == 404
    manager = login(net.manager)
    assert "新疆" in manager.get(reverse("penalties:reports")).content.decode()
    notice_page = login(net.clerk_a).get(reverse("penalties:notices")).content.decode()
    assert "11月16日–11月22日" in notice_page  # the week as people say it


def test_statement_page_excel_and_pdf(net, login):
    v = notified(net)
    client = login(net.clerk_a)
    page = client.get(reverse("finance:statement"), {"month": "2026-11"}).content.decode()
    assert "\u2212¥100.00" in page and "¥-" not in page and "罚款" in page  # a true minus sign before the ¥
    assert "接单超时" in page and "LATE_ACCEPT" not in page  # the rule by its name, not its code
    # each line names its order (linked) and its violation in words
    assert f'<a href="/orders/{v.order_id}/" data-testid="line-order">{v.order.channel_order_id}</a>' in page
    assert f"接单超时（违规 {v.pk}）" in page
    assert "截至 2026-11-24 09:" in page and "未结账" in page  # the running month, as of now
    rows = list(
        load_workbook(
            BytesIO(client.get(reverse("finance:statement_export"), {"month": "2026-11"}).content)
        ).active.iter_rows(values_only=True)
    )
    assert rows[0] == ("网点", "记账时间", "类别", "类型", "订单", "事由", "金额（元）", "更正月份")
    assert len(rows) == 2 and rows[1][0] == f"{net.site_a.code} {net.site_a.name}"
    assert rows[1][4] == v.order.channel_order_id and rows[1][5] == f"接单超时（违规 {v.pk}）" and rows[1][6] == -100
    pdf = client.get(reverse("finance:statement_pdf"), {"month": "2026-11"})
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "对账单" in text and net.site_a.name in text and "\u2212¥100.00" in text
    assert "未结账" in text and "截至" in text
    assert v.order.channel_order_id in text and "明细" in text  # the site's statement lists its lines
    assert "100.00" not in login(net.clerk_b).get(reverse("finance:statement"), {"month": "2026-11"}).content.decode()


def test_rewards_page_shows_the_quota_table(net, login):
    notified(net)  # a fine at 杭州西湖网点: the national and Zhejiang's statements have a site row
    monthly_settlement(month=date(2026, 11, 1), at=datetime(2026, 12, 1, 2, tzinfo=SH))
    monthly_reports_generate(month=date(2026, 11, 1), at=datetime(2026, 12, 1, 2, tzinfo=SH))
    page = login(net.hq).get(reverse("penalties:rewards")).content.decode()
    assert "2026-11" in page and "浙江省" in page and 'data-testid="quota-sum"' in page
    national = Report.objects.get(kind=Report.Kind.MONTHLY_NATIONAL)
    reader = PdfReader(national.file)
    text = "".join(p.extract_text() for p in reader.pages)
    assert national.pages == len(reader.pages)
    assert "全网对账单（2026年11月）" in text and "分网点明细" in text and net.site_a.name in text
    assert "\u2212¥100.00" in text  # the site's fine
    assert "奖励名额（我要寄快递" in text and "符合条件" in text and "浙江省" in text  # the quotas table
    province = Report.objects.get(kind=Report.Kind.MONTHLY_PROVINCE, province=net.zj)
    ptext = "".join(p.extract_text() for p in PdfReader(province.file).pages)
    assert "浙江省对账单（2026年11月）" in ptext and "奖励名额" in ptext and "新疆" not in ptext
