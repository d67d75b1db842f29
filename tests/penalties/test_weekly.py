"""The weekly cycle: week assignment, late additions into the next notice, running twice, and the PDFs read
back (Chinese title, a site name, the right totals, fonts embedded)."""

import subprocess
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management import call_command
from pypdf import PdfReader

from core.models import Message
from dispatch import services as ops
from orders.models import EventKind
from penalties import services
from penalties.models import NoticeLine, Report, Rule, Violation, WeeklyNotice
from penalties.reports import NOTICE_COLUMNS, weekly_notices
from penalties.sweep import sla_sweep

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")


def late(net, when, **kw):
    order = make_order(order_time=when, **kw)
    after = order.accept_due_at + timedelta(minutes=1)
    sla_sweep(since=when - timedelta(days=1), until=after, at=after)
    return Violation.objects.get(order=order, rule=Rule.LATE_ACCEPT)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_week_is_the_deadline_week_sunday_night_and_monday_morning(net):
    sunday = late(net, datetime(2026, 11, 22, 19, 20, tzinfo=SH))  # due 19:50 Sunday
    monday = late(net, datetime(2026, 11, 22, 19, 50, tzinfo=SH))  # due 08:20 Monday (service minutes)
    assert sunday.week == date(2026, 11, 16) and monday.week == date(2026, 11, 23)


def test_late_addition_goes_into_the_next_notice(net):
    v1 = late(net, datetime(2026, 11, 17, 10, 0, tzinfo=SH))
    weekly_notices(week=date(2026, 11, 16), at=datetime(2026, 11, 23, 9, 0, tzinfo=SH))
    # an audit finding on an act of the same week, confirmed after its notice
    order = make_order(order_time=datetime(2026, 11, 18, 10, 0, tzinfo=SH))
    ops.order_accept_fail(
        order_id=order.pk, actor=net.clerk_a, reason="phone", text="空号", at=datetime(2026, 11, 18, 10, 5, tzinfo=SH)
    )
    v2 = services.violation_raise(
        event=order.events.get(kind=EventKind.ACCEPT_FAILED),
        rule=Rule.FALSE_FAIL_REASON,
        evidence="回访",
        actor=net.hq,
        at=datetime(2026, 11, 24, 10, 0, tzinfo=SH),
    )
    assert v2.week == date(2026, 11, 16)
    assert weekly_notices(week=date(2026, 11, 16), at=datetime(2026, 11, 24, 11, 0, tzinfo=SH)).notices == 0
    result = weekly_notices(week=date(2026, 11, 23), at=datetime(2026, 11, 30, 9, 0, tzinfo=SH))
    assert result.notices == 1 and result.late_additions == 1
    assert NoticeLine.objects.get(violation=v1).notice.week == date(2026, 11, 16)
    line = NoticeLine.objects.get(violation=v2)
    assert line.notice.week == date(2026, 11, 23) and line.late_addition
    assert "补充通报" in pdf_text(line.notice.pdf.read())


def test_weekly_command_twice_and_the_pdfs(net, settings, mailoutbox, django_capture_on_commit_callbacks):
    for h in (10, 11, 12):
        late(net, datetime(2026, 11, 17, h, 0, tzinfo=SH))
    late(net, datetime(2026, 11, 17, 10, 0, tzinfo=SH), sender_city="宁波市", sender_district="海曙区")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("weekly_notices", week="2026-W47")
    counts = (WeeklyNotice.objects.count(), NoticeLine.objects.count(), Report.objects.count(), Message.objects.count())
    call_command("weekly_notices", week="2026-W47")
    assert (
        WeeklyNotice.objects.count(),
        NoticeLine.objects.count(),
        Report.objects.count(),
        Message.objects.count(),
    ) == counts
    assert counts[:3] == (2, 4, 3)  # two sites; Zhejiang's and Xinjiang's (clean) reports, and the national one
    notice = WeeklyNotice.objects.get(site=net.site_a)
    text = pdf_text(notice.pdf.read())
    assert (
        "电商业务违规处罚明细" in text and net.site_a.name in text and "¥300.00" in text and "第 1 页 / 共 1 页" in text
    )
    message = Message.objects.get(site=net.site_a, category="violation")
    assert message.attachment and "电商业务违规处罚明细" in message.title
    mail = next(m for m in mailoutbox if net.site_a.email in m.to)
    assert mail.attachments and mail.attachments[0][0].endswith(".pdf")
    province = Report.objects.get(kind=Report.Kind.WEEKLY_PROVINCE, province=net.zj)
    ptext = pdf_text(province.file.read())
    assert "浙江省电商订单服务质量周报" in ptext and net.site_b.name in ptext and "¥400.00" in ptext
    national = Report.objects.get(kind=Report.Kind.WEEKLY_NATIONAL)
    ntext = pdf_text(national.file.read())
    assert "全网电商订单服务质量周报" in ntext and "浙江省" in ntext and "¥400.00" in ntext
    assert net.site_a.code not in ntext.split("违规最多的网点")[0]  # no detail rows before the worst-sites table


def test_pdf_fonts_are_embedded_and_no_glyph_is_missing(net, tmp_path):
    late(net, datetime(2026, 11, 17, 10, 0, tzinfo=SH))
    weekly_notices(week=date(2026, 11, 16), at=datetime(2026, 11, 23, 9, 0, tzinfo=SH))
    path = tmp_path / "notice.pdf"
    path.write_bytes(WeeklyNotice.objects.get().pdf.read())
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    # the notice is drawn with ReportLab (its fast path), which names the vendored font by its own name
    assert rows and all("CJK" in r[0] or "Noto" in r[0] or "WenQuanYiMicroHei" in r[0] for r in rows), fonts
    assert all(r[-5] == "yes" for r in rows), fonts  # emb column
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "电商业务违规处罚明细" in text and "\ufffd" not in text and "□" not in text


def test_a_notices_bold_words_are_read_once(net, tmp_path):
    # bold is drawn once (filled and stroked), so copying or a text extractor reads 「序号」, not 「序号序号」
    late(net, datetime(2026, 11, 17, 10, 0, tzinfo=SH))
    weekly_notices(week=date(2026, 11, 16), at=datetime(2026, 11, 23, 9, 0, tzinfo=SH))
    path = tmp_path / "notice.pdf"
    path.write_bytes(WeeklyNotice.objects.get().pdf.read())
    # pdftotext in reading order (-raw: it does not merge overlapping copies) and pypdf, as a copy does
    raw = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for text in (raw, pdf_text(path.read_bytes())):
        flat = text.replace(" ", "").replace("\n", "")
        for word in [c.title for c in NOTICE_COLUMNS] + ["《电商业务违规处罚明细》", "合计1条"]:
            assert flat.count(word) == 1, (word, text)  # the notice's one page: its header row and total once


def test_every_province_gets_its_report_a_clean_week_says_so(net, mailoutbox, tmp_path):
    """Xinjiang had orders and no violation: its report still comes on Monday, says the week was clean and gives
    its on-time rates; Zhejiang's gains its rates and the eight weeks' trend; the week reads 11月16日–11月22日."""
    late(net, datetime(2026, 11, 17, 10, 0, tzinfo=SH))
    on_time = make_order(
        order_time=datetime(2026, 11, 18, 12, 0, tzinfo=SH),
        sender_province="新疆维吾尔自治区",
        sender_city="乌鲁木齐市",
        sender_district="天山区",
        sender_address="解放路1号",
    )
    ops.order_accept(order_id=on_time.pk, actor=net.clerk_x, at=datetime(2026, 11, 18, 12, 5, tzinfo=SH))
    weekly_notices(week=date(2026, 11, 16), at=datetime(2026, 11, 23, 9, 0, tzinfo=SH))
    clean = Report.objects.get(kind=Report.Kind.WEEKLY_PROVINCE, province=net.xj)
    text = pdf_text(clean.file.read())
    assert "新疆维吾尔自治区电商订单服务质量周报" in text and "本周全省无违规" in text
    assert "按时接单率" in text and "100.0%" in text and "11月16日–11月22日" in text and "近八周趋势" in text
    assert "违规明细" not in text and clean.pages == 1
    message = Message.objects.get(province=net.xj, category="violation")
    assert "11月16日–11月22日" in message.title and "本周无违规" in message.body and "按时接单率 100.0%" in message.body
    zj = pdf_text(Report.objects.get(kind=Report.Kind.WEEKLY_PROVINCE, province=net.zj).file.read())
    assert "按时接单率" in zj and "近八周趋势" in zj and "违规明细" in zj and "本周全省无违规" not in zj
    # its first page as an image, an artefact of the suite under var/test/ (not committed)
    artefacts = Path(__file__).resolve().parents[2] / "var" / "test"
    artefacts.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "clean.pdf"
    path.write_bytes(clean.file.open("rb").read())
    target = artefacts / "weekly-province-clean"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path), str(target)], check=True)
    assert (artefacts / "weekly-province-clean.png").exists()


def test_the_reports_page_names_weeks_by_their_days(net, login):
    weekly_notices(week=date(2026, 11, 16), at=datetime(2026, 11, 23, 9, 0, tzinfo=SH))
    html = login(net.hq).get("/reports/").content.decode()
    assert "11月16日–11月22日" in html and "2026-W47" not in html
