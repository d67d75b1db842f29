"""The weekly cycle (每周一 《电商业务违规处罚明细》, province and national weekly reports) and the monthly statement
PDFs. Each step is safe to run twice: a site's notice of a week, and each report, is made once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from core import clock
from core.humanize import week_text
from core.models import Message, Province
from core.pdf_tables import Column, LongTable, Pdf, long_table_layout, long_table_pdf, pdf_join
from core.services import message_send
from core.templatetags.desk import cny, local
from finance.documents import statement_pdf
from finance.selectors import statement
from finance.services import month_close
from orders.stats import orders_per_day

from .charts import bar_chart, line_chart
from .explain import violation_explain
from .models import (
    NoticeLine,
    Report,
    RewardQuota,
    Rule,
    Violation,
    ViolationStatus,
    WeeklyNotice,
)
from .money import ledger_sync
from .pdf import pdf_render


@dataclass
class WeeklyResult:
    week: date
    notices: int = 0
    sent: int = 0
    reports: int = 0
    late_additions: int = 0
    notice_ids: list[int] = field(default_factory=list)


week_end = clock.week_end


def notices_prepare(*, week: date, at: datetime | None = None) -> WeeklyResult:
    """Group the standing violations of week W and earlier that no notice has listed yet into one notice per site
    (a site that already has W's notice keeps its late ones for the next week). No PDF, nothing sent yet."""
    at = at or timezone.now()
    result = WeeklyResult(week=week)
    with transaction.atomic():
        ledger_sync(at=at)
        done_sites = set(WeeklyNotice.objects.filter(week=week).values_list("site_id", flat=True))
        pending = (
            Violation.objects.filter(status=ViolationStatus.CONFIRMED, week__lte=week, notice_line__isnull=True)
            .exclude(site_id__in=done_sites)
            .values_list("pk", "site_id", "week", "fine")
        )
        by_site: dict[int, list[tuple[int, date, Decimal]]] = {}
        for pk, site_id, vweek, fine in pending.iterator(chunk_size=5000):
            by_site.setdefault(site_id, []).append((pk, vweek, fine))
        notices = WeeklyNotice.objects.bulk_create(
            [
                WeeklyNotice(site_id=site_id, week=week, created_at=at, total=sum(f for _p, _w, f in rows))
                for site_id, rows in by_site.items()
            ],
            batch_size=1000,
        )
        lines = []
        for notice in notices:
            for pk, vweek, _fine in by_site[notice.site_id]:
                lines.append(NoticeLine(notice=notice, violation_id=pk, late_addition=vweek < week))
        NoticeLine.objects.bulk_create(lines, batch_size=2000)
        result.notices = len(notices)
        result.late_additions = sum(1 for line in lines if line.late_addition)
    result.notice_ids = list(
        WeeklyNotice.objects.filter(week=week, issued_at__isnull=True).values_list("pk", flat=True)
    )
    return result


NOTICE_COLUMNS = (
    Column("序号", 16),  # wide enough for the total's 合计 N 条
    Column("违规项目", 22),
    Column("物流号", 30),
    Column("时限/行为时间", 30),
    Column("所属周", 22),
    Column("罚款（元）", 20, right=True),
    Column("计算说明", 42),  # how the deadline was computed (penalties.explain), one line per violation
)


def _notice_note(line) -> str:
    """The notice's line of explanation: how the deadline was computed (the same replay and clock functions that
    decided the fine), and whether it is a late addition."""
    explained = violation_explain(line.violation)
    parts = ["补充通报"] if line.late_addition else []
    if explained is not None and explained.short:
        parts.append(explained.short)
    elif line.violation.evidence:
        parts.append(line.violation.evidence[:120])
    return "；".join(parts)


def notice_pdf(*, site, week: date, issued_at: datetime, lines, total: Decimal) -> Pdf:
    """A site's 《电商业务违规处罚明细》, drawn with ReportLab (the province report's fast path: ~70 ms where
    WeasyPrint took ~820 ms a notice on this machine, so Monday's 20,000 notices fit in minutes, bench.monday); the same font,
    page box, running header and 第 N 页 / 共 M 页 footer as the WeasyPrint documents."""
    labels = {code: str(label) for code, label in Rule.choices}
    appeal_until = clock.appeal_deadline(issued_at)

    def rows():
        for n, line in enumerate(lines, 1):
            v = line.violation
            yield (
                str(n),
                labels.get(v.rule, v.rule),
                (v.order.channel_order_id if v.order_id else "") or v.reference,
                local(v.occurred_at),
                f"{v.week:%Y-%m-%d}",
                cny(v.fine),
                _notice_note(line),
            )

    table = LongTable(
        columns=NOTICE_COLUMNS,
        rows=rows,
        heading="《电商业务违规处罚明细》",
        lead=(
            (
                f"网点：{site.name}（{site.code}） · {site.province.name} · 考核周：{week:%Y-%m-%d} 至 "
                f"{week_end(week):%Y-%m-%d} · 下发时间：{local(issued_at)}"
            ),
            (
                f"申诉：如对裁定结果有异议，请在 {local(appeal_until)}（下发后 72 小时）前在 Q9 系统「违规」页面向省平台"
                "提出申诉并上传证据；对省平台复议结果仍有异议的，可在复议后 72 小时内提交总部电商组。逾期不予受理。"
            ),
        ),
        total=(f"合计 {len(lines)} 条", cny(total), ""),
        total_span=5,
    )
    return long_table_pdf(table, running=site.name, generated_at=issued_at)


def notice_send(*, notice_id: int, at: datetime | None = None) -> bool:
    """Render a notice's PDF and send it to the site (message centre and e-mail); issuing starts every listed
    violation's 72-hour appeal window. Sends once."""
    at = at or timezone.now()
    with transaction.atomic():
        notice = (
            WeeklyNotice.objects.select_for_update(of=("self",))
            .select_related("site__province")
            .filter(pk=notice_id, issued_at__isnull=True)
            .first()
        )
        if notice is None:
            return False
        lines = list(
            notice.lines.select_related("violation__order__province", "violation__site", "violation__rule_version")
            .prefetch_related("violation__order__events")
            .order_by("violation__occurred_at")
        )
        pdf = notice_pdf(site=notice.site, week=notice.week, issued_at=at, lines=lines, total=notice.total)
        name = f"违规处罚明细-{notice.site.code}-{notice.week:%Y%m%d}.pdf"
        notice.pdf.save(name, ContentFile(pdf.content), save=False)
        message = message_send(
            audience=Message.Audience.SITE,
            site=notice.site,
            category=Message.Category.VIOLATION,
            at=at,
            title=f"《电商业务违规处罚明细》{notice.week:%Y-%m-%d} 周：{len(lines)} 条，罚款 ¥{notice.total:,.2f}",
            body=(
                f"附件为本周违规处罚明细。如有异议，请在 {timezone.localtime(clock.appeal_deadline(at)):%Y-%m-%d %H:%M}"
                f" 前在「违规」页面提出申诉，逾期不予受理。"
            ),
            link="/violations/",
            attachment=ContentFile(pdf.content, name=name),
            email=True,
        )
        notice.issued_at, notice.message_id = at, message.pk
        notice.save(update_fields=["pdf", "issued_at", "message_id"])
    return True


def _report_save(kind: str, period: date, province: Province | None, pdf, name: str, at: datetime) -> Report | None:
    report, created = Report.objects.get_or_create(
        kind=kind, period=period, province=province, defaults={"generated_at": at, "pages": pdf.pages}
    )
    if not created:
        return None
    report.file.save(name, ContentFile(pdf.content), save=True)
    return report


def _week_rows(week: date):
    return Violation.objects.filter(notice_line__notice__week=week, status=ViolationStatus.CONFIRMED)


PROVINCE_COLUMNS = (
    Column("网点", 44),
    Column("违规项目", 30),
    Column("物流号", 38),
    Column("时限/行为时间", 30),
    Column("罚款（元）", 22, right=True),
    Column("备注", 18),
)


def province_pdf(
    *,
    province,
    week: date,
    count: int,
    total: Decimal,
    worst,
    chart_rules: str,
    detail,
    figures: dict | None = None,
    charts: dict | None = None,
) -> Pdf:
    """The province weekly report: the cover (the week's on-time rates, its chart, the eight weeks' trend, the worst
    sites) by WeasyPrint, the detail rows (``detail``: a queryset of violations, read twice in chunks, never held)
    drawn as one long table, joined. A clean week is the cover alone, saying so. Memory stays flat however many rows
    (bench.reports)."""
    labels = {code: str(label) for code, label in Rule.choices}
    values = detail.values_list(
        "site__name", "rule", "order__channel_order_id", "reference", "occurred_at", "fine", "week"
    )

    def rows():
        for site, rule, channel_order_id, reference, occurred_at, fine, vweek in values.iterator(chunk_size=2000):
            yield (
                site,
                labels.get(rule, rule),
                channel_order_id or reference,
                local(occurred_at),
                cny(fine),
                "补充通报" if vweek < week else "",
            )

    table = LongTable(
        columns=PROVINCE_COLUMNS,
        rows=rows,
        heading="违规明细",
        total=(f"合计 {count} 条", cny(total), ""),
        total_span=4,
    )
    # first pass: the detail's pages, so every footer says 共 M 页 (a clean week has no detail)
    layout = long_table_layout(table) if count else (None, [])
    generated_at = timezone.localtime()
    context = {
        "province": province,
        "week": week,
        "week_label": week_text(week),
        "week_end": week_end(week),
        "count": count,
        "total": total,
        "worst": worst,
        "chart_rules": chart_rules,
        "generated_at": generated_at,
        "figures": figures or {},
        "charts": charts or {},
    }
    cover_pages = 1
    while True:  # the cover's page count does not depend on the footer's digits: at most one more render
        cover = pdf_render(
            "penalties/pdf/weekly_province.html", {**context, "pages_total": cover_pages + len(layout[1])}
        )
        if cover.pages == cover_pages:
            break
        cover_pages = cover.pages
    pages_total = cover.pages + len(layout[1])
    if not count:
        return Pdf(content=cover.content, pages=cover.pages)
    body = long_table_pdf(
        table,
        running=f"{province.name} {week_text(week)} 周报",
        generated_at=generated_at,
        first_page=cover.pages + 1,
        pages_total=pages_total,
        layout=layout,
    )
    return Pdf(content=pdf_join([cover.content, body.content]), pages=pages_total)


TREND_WEEKS = 8


def province_week_figures(*, province, week: date) -> dict:
    """A province's week as its report states it: orders, standing violations (the week's notices), the on-time
    accept and pickup rates (1 − late findings ÷ orders); and the eight weeks up to it, for the trend."""
    weeks = [week - timedelta(weeks=k) for k in range(TREND_WEEKS - 1, -1, -1)]
    per_day = orders_per_day(scope=Q(province_id=province.pk), first=weeks[0], last=week + timedelta(days=6)).counts
    orders = {w: sum(per_day.get(w + timedelta(days=d), 0) for d in range(7)) for w in weeks}
    grid: dict[date, dict[str, int]] = {}
    for vweek, rule, n in (
        Violation.objects.filter(province=province, status=ViolationStatus.CONFIRMED, week__in=weeks)
        .values_list("week", "rule")
        .annotate(n=Count("id"))
    ):
        grid.setdefault(vweek, {})[rule] = n

    def rate(w, rule):
        return None if not orders[w] else max(0.0, 1 - grid.get(w, {}).get(rule, 0) / orders[w])

    return {
        "orders": orders[week],
        "accept": rate(week, Rule.LATE_ACCEPT),
        "pickup": rate(week, Rule.LATE_PICKUP),
        "weeks": weeks,
        "trend_counts": [float(sum(grid.get(w, {}).values())) for w in weeks],
        "trend_accept": [rate(w, Rule.LATE_ACCEPT) for w in weeks],
        "trend_pickup": [rate(w, Rule.LATE_PICKUP) for w in weeks],
    }


def _rate_text(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def province_report(*, week: date, province: Province, at: datetime) -> Report | None:
    """Every province's weekly report, a clean week's too (it says so, with the week's on-time rates)."""
    if Report.objects.filter(kind=Report.Kind.WEEKLY_PROVINCE, period=week, province=province).exists():
        return None
    rows = _week_rows(week).filter(province=province)
    count, total = rows.count(), rows.aggregate(s=Sum("fine"))["s"] or Decimal(0)
    by_rule = dict(rows.values_list("rule").annotate(n=Count("id")))
    worst = list(rows.values("site__code", "site__name").annotate(n=Count("id"), total=Sum("fine")).order_by("-n")[:10])
    figures = province_week_figures(province=province, week=week)
    labels = [f"{w.month}月{w.day}日" for w in figures["weeks"]]
    pdf = province_pdf(
        province=province,
        week=week,
        count=count,
        total=total,
        worst=worst,
        chart_rules=bar_chart(items=[(Rule(c).label, by_rule.get(c, 0)) for c in Rule.values]),
        detail=rows.order_by("site__code", "occurred_at"),
        figures=figures,
        charts={
            "counts": line_chart(
                labels=labels, percent=False, series=[("违规（条）", figures["trend_counts"])], height=170
            ),
            "rates": line_chart(
                labels=labels,
                series=[("按时接单率", figures["trend_accept"]), ("按时揽收率", figures["trend_pickup"])],
                height=170,
            ),
        },
    )
    report = _report_save(
        Report.Kind.WEEKLY_PROVINCE, week, province, pdf, f"周报-{province.name}-{week:%Y%m%d}.pdf", at
    )
    if report:
        rates = f"按时接单率 {_rate_text(figures['accept'])}，按时揽收率 {_rate_text(figures['pickup'])}。"
        message_send(
            audience=Message.Audience.PROVINCE,
            province=province,
            category=Message.Category.VIOLATION,
            at=at,
            title=f"{province.name}电商订单服务质量周报（{week_text(week)}）",
            body=(f"本周违规 {count} 条，罚款合计 ¥{total:,.2f}。" if count else "本周无违规。") + rates,
            link="/reports/",
            attachment=ContentFile(pdf.content, name=report.file.name.rsplit("/", 1)[-1]),
            email=True,
        )
    return report


def provinces_reported():
    """Every province gets its weekly report, clean weeks included."""
    return Province.objects.order_by("code")


def national_report(*, week: date, at: datetime) -> Report | None:
    if Report.objects.filter(kind=Report.Kind.WEEKLY_NATIONAL, period=week, province__isnull=True).exists():
        return None
    rows = _week_rows(week)
    count, total = rows.count(), rows.aggregate(s=Sum("fine"))["s"] or Decimal(0)
    grid: dict[int, dict[str, int]] = {}
    for pid, rule, n in rows.values_list("province_id", "rule").annotate(n=Count("id")):
        grid.setdefault(pid, {})[rule] = n
    sums = dict(rows.values_list("province_id").annotate(s=Sum("fine")))
    provinces = []
    for p in Province.objects.filter(pk__in=list(grid)).order_by("code"):
        counts = [grid[p.pk].get(c, 0) for c in Rule.values]
        provinces.append({"name": p.name, "counts": counts, "n": sum(counts), "total": sums.get(p.pk, 0)})
    weeks = [week - timedelta(weeks=k) for k in range(7, -1, -1)]
    trend = dict(
        Violation.objects.filter(status=ViolationStatus.CONFIRMED, week__in=weeks)
        .values_list("week")
        .annotate(n=Count("id"))
    )
    pdf = pdf_render(
        "penalties/pdf/weekly_national.html",
        {
            "week": week,
            "week_end": week_end(week),
            "count": count,
            "total": total,
            "provinces": provinces,
            "rules": Rule.choices,
            "rule_totals": [sum(p["counts"][i] for p in provinces) for i in range(len(Rule.values))],
            "worst": list(
                rows.values("site__code", "site__name", "province__name")
                .annotate(n=Count("id"), total=Sum("fine"))
                .order_by("-n", "site__code")[:20]
            ),
            "chart_rules": bar_chart(
                items=[(Rule(c).label, sum(g.get(c, 0) for g in grid.values())) for c in Rule.values]
            ),
            "week_label": week_text(week),
            "chart_trend": line_chart(
                labels=[f"{w.month}月{w.day}日" for w in weeks],
                percent=False,
                series=[("违规（条）", [float(trend.get(w, 0)) for w in weeks])],
            ),
        },
    )
    report = _report_save(Report.Kind.WEEKLY_NATIONAL, week, None, pdf, f"周报-全网-{week:%Y%m%d}.pdf", at)
    if report:
        message_send(
            audience=Message.Audience.HQ,
            category=Message.Category.VIOLATION,
            at=at,
            title=f"全网电商订单服务质量周报（{week_text(week)}）",
            body=f"本周违规 {count} 条，罚款合计 ¥{total:,.2f}。",
            link="/reports/",
            attachment=ContentFile(pdf.content, name=report.file.name.rsplit("/", 1)[-1]),
            email=True,
        )
    return report


def weekly_notices(*, week: date, at: datetime | None = None) -> WeeklyResult:
    """The whole Monday run for week W, inline: notices prepared and sent, province and national reports."""
    at = at or timezone.now()
    result = notices_prepare(week=week, at=at)
    for notice_id in result.notice_ids:
        result.sent += notice_send(notice_id=notice_id, at=at)
    for province in provinces_reported():
        result.reports += province_report(week=week, province=province, at=at) is not None
    result.reports += national_report(week=week, at=at) is not None
    return result


QUOTA_COLUMNS = (
    Column("省份", 62),
    Column("一级网点", 30, right=True),
    Column("名额", 30, right=True),
    Column("符合条件", 30, right=True),
    Column("获奖", 30, right=True),
)


def quotas_table(quotas: list[RewardQuota]) -> LongTable:
    """The month's reward quotas per province (我要寄快递), with their sums: the month-end statements' last table."""
    return LongTable(
        columns=QUOTA_COLUMNS,
        rows=lambda: [
            (q.province.name, str(q.first_level_sites), str(q.quota), str(q.qualifiers), str(q.awarded)) for q in quotas
        ],
        heading="奖励名额（我要寄快递，200 个名额，每个 200 元）",
        total=(
            "合计",
            str(sum(q.first_level_sites for q in quotas)),
            str(sum(q.quota for q in quotas)),
            str(sum(q.qualifiers for q in quotas)),
            str(sum(q.awarded for q in quotas)),
        ),
    )


def monthly_reports_generate(*, month: date, at: datetime | None = None) -> int:
    """The monthly statements (对账单) of each province with entries, and of the nation, with the reward quotas:
    drawn with ReportLab (``finance.documents.statement_pdf``, as the statement download), one row a site."""
    at = at or timezone.now()
    made = 0
    everyone = None  # national documents: no scope
    quotas = list(RewardQuota.objects.filter(month=month).select_related("province"))
    national = statement(user=everyone, month=month)
    if not Report.objects.filter(kind=Report.Kind.MONTHLY_NATIONAL, period=month, province__isnull=True).exists():
        pdf = statement_pdf(data=national, scope="全网", month=month, extra=[quotas_table(quotas)] if quotas else [])
        made += (
            _report_save(Report.Kind.MONTHLY_NATIONAL, month, None, pdf, f"对账单-全网-{month:%Y%m}.pdf", at)
            is not None
        )
    province_ids = {row["province_id"] for row in national["entries"].values("province_id").distinct()}
    for province in Province.objects.filter(pk__in=province_ids).order_by("code"):
        if Report.objects.filter(kind=Report.Kind.MONTHLY_PROVINCE, period=month, province=province).exists():
            continue
        own = [q for q in quotas if q.province_id == province.pk]
        pdf = statement_pdf(
            data=statement(user=everyone, month=month, province_id=province.pk),
            scope=province.name,
            month=month,
            extra=[quotas_table(own)] if own else [],
        )
        made += (
            _report_save(
                Report.Kind.MONTHLY_PROVINCE, month, province, pdf, f"对账单-{province.name}-{month:%Y%m}.pdf", at
            )
            is not None
        )
    month_close(month=month, at=at)  # issued: later entries concerning the month are posted in an open month
    return made
