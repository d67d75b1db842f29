from urllib.parse import urlencode

import django_tables2 as tables
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.humanize import deadline_html, week_text
from core.models import ClosureDay
from core.tables import DateTimeColumn, ListTable
from core.templatetags.desk import cny, minutes_text
from orders.templatetags.order_tags import state_badge

from .appeals import appeal_deadline, hq_deadline
from .filters import DEADLINE_CHOICES
from .models import AppealStatus, RuleVersion, Violation, ViolationStatus
from .selectors import DEADLINE_ACCEPT, DEADLINE_PICKUP

_STATUS_CSS = {
    "PROPOSED": "text-bg-warning",
    "CONFIRMED": "text-bg-danger",
    "REJECTED": "text-bg-light",
    "VOIDED": "text-bg-secondary",
    "RECLASSIFIED": "text-bg-light",
    "CANCELLED": "text-bg-success",
}


class ViolationTable(ListTable):
    occurred_at = DateTimeColumn(verbose_name=_("deadline or act"))
    week = tables.Column(verbose_name=_("week"), orderable=True)
    rule = tables.Column(verbose_name=_("rule"), linkify=("penalties:violation_detail", [tables.A("pk")]))
    order = tables.Column(
        verbose_name=_("logistics no."),
        accessor="order__channel_order_id",
        orderable=False,
        default="",
        linkify=lambda record: (
            f"/orders/{record.order_id}/" if record.order_id else f"/work-orders/{record.work_order_id}/"
        ),
    )
    site = tables.Column(verbose_name=_("responsible site"), orderable=False)
    province = tables.Column(verbose_name=_("province"), orderable=False)
    fine = tables.Column(verbose_name=_("fine"), orderable=False)
    status = tables.Column(verbose_name=_("status"), orderable=False)
    source = tables.Column(verbose_name=_("source"), orderable=False)
    appeal_state = tables.Column(verbose_name=_("appeal"), accessor="pk", orderable=False, empty_values=())

    site_columns = ("site",)

    class Meta:
        model = Violation
        fields = (
            "occurred_at",
            "week",
            "rule",
            "order",
            "site",
            "province",
            "fine",
            "status",
            "source",
            "appeal_state",
        )
        order_by = ("-occurred_at",)
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "violation-table"}

    def render_week(self, value):
        return week_text(value)

    def render_order(self, value, record):
        return value or record.reference

    def render_site(self, value):
        return f"{value.name}（{value.code}）"

    def render_fine(self, value):
        return cny(value)

    def value_fine(self, value):
        return value

    def render_status(self, value, record):
        return format_html('<span class="badge {}">{}</span>', _STATUS_CSS.get(record.status, ""), value)

    def render_appeal_state(self, record):
        """Where the appeal stands and, while a window is open, until when (``appeal_state``)."""
        label, deadline = appeal_state(record, at=timezone.now())
        if not label:
            return "—"
        if deadline:
            return format_html(
                '{}<div class="small text-muted" data-testid="appeal-deadline">{}</div>', label, deadline_html(deadline)
            )
        return label


def appeal_state(v: Violation, *, at) -> tuple[str, object]:
    """(what the site can read about the appeal, the deadline that runs now or None)."""
    try:
        appeal = v.appeal
    except ObjectDoesNotExist:
        appeal = None
    if appeal is None:
        if v.status != ViolationStatus.CONFIRMED:
            return "", None
        deadline = appeal_deadline(v)
        if deadline is None:
            return _("May be appealed after the weekly notice"), None
        if at > deadline:
            return _("Appeal window closed"), None
        return _("May be appealed"), deadline
    if appeal.status == AppealStatus.LCS_UPHELD:
        deadline = hq_deadline(appeal)
        if deadline and at > deadline:
            return _("Upheld by the province; the window to go to HQ closed"), None
        return appeal.get_status_display(), deadline
    return appeal.get_status_display(), None


class AppealTable(ListTable):
    """Appeals: the queue waiting for the viewer's decision (oldest first) and those recently handled."""

    filed_at = DateTimeColumn(verbose_name=_("Filed at"))
    site = tables.Column(verbose_name=_("Site"), accessor="site__name")
    rule = tables.Column(
        verbose_name=_("Rule"),
        accessor="violation",
        linkify=lambda record: reverse("penalties:violation_detail", args=[record.violation_id]),
    )
    order = tables.Column(verbose_name=_("Logistics no."), accessor="violation", empty_values=())
    fine = tables.Column(verbose_name=_("Fine"), accessor="violation__fine")
    status = tables.Column(verbose_name=_("Status"))
    text = tables.Column(verbose_name=_("The site's statement"), attrs={"td": {"class": "small"}})

    site_columns = ("site",)

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm bg-white align-middle"}

    def render_rule(self, value):
        return value.get_rule_display()

    def render_order(self, value):
        return value.order.channel_order_id if value.order_id else value.reference

    def render_fine(self, value):
        return cny(value)

    def value_fine(self, value):
        return value

    def render_status(self, value):
        return format_html('<span class="badge text-bg-light">{}</span>', value)

    def render_text(self, value):
        return value if len(value) <= 80 else value[:79] + "…"

    def value_text(self, value):
        return value


class RewardRankTable(ListTable):
    """The month's ranking of first-level sites (by province, then rank)."""

    province = tables.Column(verbose_name=_("Province"), accessor="province__name")
    rank = tables.Column(verbose_name="#")
    site = tables.Column(verbose_name=_("Site"))
    picked_up = tables.Column(
        verbose_name=_("Picked up"), attrs={"th": {"class": "text-end"}, "td": {"class": "text-end"}}
    )
    on_time_rate = tables.Column(
        verbose_name=_("On time"), attrs={"th": {"class": "text-end"}, "td": {"class": "text-end"}}
    )
    awarded = tables.Column(verbose_name=_("Reward (CNY)"))

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm bg-white", "data-testid": "rank-table"}
        empty_text = format_html('<div class="empty-state small">{}</div>', _("No site qualified."))

    def render_site(self, value):
        return f"{value.name}（{value.code}）"

    def render_on_time_rate(self, value):
        return f"{round(value * 100)}%"

    def value_on_time_rate(self, value):
        return float(value)

    def render_awarded(self, value):
        return format_html('<span class="badge text-bg-success">{}</span>', "¥200") if value else "—"

    def value_awarded(self, value):
        return 200 if value else None


class NoticeTable(ListTable):
    """The weekly notices issued to the viewer's sites, newest week first."""

    week = tables.Column(verbose_name=_("Week"))
    site = tables.Column(verbose_name=_("Site"), accessor="site__name")
    lines = tables.Column(verbose_name=_("Lines"), accessor="pk")
    total = tables.Column(verbose_name=_("Fine"))
    issued_at = DateTimeColumn(verbose_name=_("Issued at"))
    download = tables.TemplateColumn(
        template_name="penalties/cells/notice_download.html", verbose_name="", accessor="pk", exclude_from_export=True
    )

    site_columns = ("site",)

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm bg-white align-middle", "data-testid": "notice-table"}
        empty_text = format_html(
            '<div class="empty-state small">{}</div>', _("No notice: a week without violations brings none.")
        )

    def render_week(self, value):
        return week_text(value)

    def render_lines(self, record):
        return record.lines.count()

    def render_total(self, value):
        return cny(value)


#: seconds before a deadline its countdown turns amber: an accept deadline is minutes away, a pickup one hours
COUNTDOWN_WARN = {DEADLINE_ACCEPT: 600, DEADLINE_PICKUP: 7200}


class DeadlineTable(ListTable):
    """到期提醒: one row per running deadline of the clerk's sites (``selectors.deadlines_for``), soonest first."""

    countdown = tables.Column(
        verbose_name=_("Time left"), accessor="due_at", orderable=False, empty_values=(), exclude_from_export=True
    )
    deadline = tables.Column(verbose_name=_("Deadline"), orderable=False)
    due_at = DateTimeColumn(verbose_name=_("Due at"), orderable=False)
    channel_order_id = tables.Column(
        verbose_name=_("logistics no."), linkify=("orders:order_detail", [tables.A("pk")]), orderable=False
    )
    courier = tables.Column(verbose_name=_("courier"), orderable=False, default="—")
    site = tables.Column(verbose_name=_("site"), orderable=False)

    site_columns = ("site",)

    class Meta:
        fields = ("countdown", "deadline", "due_at", "channel_order_id", "courier", "site")
        sequence = fields
        attrs = {"class": "table table-sm bg-white align-middle", "data-testid": "deadline-table"}
        empty_text = format_html('<div class="empty-state small">{}</div>', _("No deadline runs: nothing waits."))

    def render_countdown(self, value, record):
        if value is None:
            return "—"
        return format_html(
            '<span class="countdown" data-due="{}" data-warn="{}"></span>',
            timezone.localtime(value).isoformat(),
            COUNTDOWN_WARN[record.deadline],
        )

    def render_deadline(self, value):
        return dict(DEADLINE_CHOICES).get(value, value)

    def value_deadline(self, value):
        return str(dict(DEADLINE_CHOICES).get(value, value))

    def render_courier(self, value):
        return value.name

    def render_site(self, value):
        return value.name


_SUSPECT_TEXT = {
    "no_scan": _("No pickup scan of this waybill at the site in time"),
    "other_site": _("Pickup scan of this waybill at another site"),
}


class AuditOrderTable(ListTable):
    """稽核: the orders picked (``selectors.audit_orders_for`` through ``filters.AuditFilter``), newest first, each
    with why it may be worth a look and a link to audit it."""

    order_time = DateTimeColumn(verbose_name=_("Order time"))
    channel_order_id = tables.Column(verbose_name=_("Logistics no."))
    state = tables.Column(verbose_name=_("State"))
    site = tables.Column(verbose_name=_("Site"), accessor="site__name", default="—")
    reason = tables.Column(
        verbose_name=_("Failure reason"), accessor="fail_reason", empty_values=(), attrs={"td": {"class": "small"}}
    )
    findings = tables.Column(verbose_name=_("Findings"))
    audit = tables.Column(verbose_name="", accessor="pk", exclude_from_export=True)

    site_columns = ("site",)

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "audit-orders"}
        empty_text = format_html(
            '<div class="empty-state my-2">{}</div>', _("No order matches: widen the dates or choose other orders.")
        )

    def render_state(self, record):
        return state_badge(record)

    def value_state(self, record):
        return record.get_state_display()

    def _reason_text(self, record) -> str:
        if not record.fail_reason:
            return ""
        return f"{record.get_fail_reason_display()} — {Truncator(record.fail_text or '').chars(40)}"

    def render_reason(self, record):
        suspect = getattr(record, "suspect", None)
        badge = format_html_join(
            "",
            '<span class="badge text-bg-warning" data-testid="suspect">{}</span>',
            [(_SUSPECT_TEXT[suspect],)] if suspect in _SUSPECT_TEXT else [],
        )
        return format_html("{}{}", self._reason_text(record), badge) if (badge or record.fail_reason) else ""

    def value_reason(self, record):
        suspect = getattr(record, "suspect", None)
        return " ".join(t for t in (self._reason_text(record), str(_SUSPECT_TEXT.get(suspect, ""))) if t)

    def render_findings(self, value):
        return format_html('<span class="badge text-bg-danger">{}</span>', _("yes")) if value else ""

    def value_findings(self, value):
        return str(_("yes")) if value else ""

    def render_audit(self, value):
        return format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>',
            reverse("penalties:audit_order", args=[value]),
            _("Audit"),
        )


class ReportTable(ListTable):
    """The generated reports (``selectors.reports_for``): the newest period first, each with its PDF."""

    period = tables.Column(verbose_name=_("Period"), attrs={"td": {"class": "text-nowrap"}})
    kind = tables.Column(verbose_name=_("Report"), attrs={"td": {"class": "text-nowrap"}})
    province = tables.Column(
        verbose_name=_("Province"),
        accessor="province__name",
        default=_("The whole network"),
        attrs={"td": {"class": "text-nowrap"}},
    )
    pages = tables.Column(verbose_name=_("Pages"))
    generated_at = DateTimeColumn(verbose_name=_("Generated at"))
    download = tables.Column(verbose_name="", accessor="pk", exclude_from_export=True)

    class Meta:
        orderable = False
        attrs = {
            "class": "table table-sm bg-white align-middle",
            "data-testid": "reports",
            "thead": {"class": "text-nowrap"},
        }
        empty_text = format_html(
            '<div class="empty-state small">{}</div>',
            _("No report yet: weekly reports appear every Monday at 09:00, monthly statements on the 1st."),
        )

    def render_period(self, value, record):
        """A week as people say it (11月16日–11月22日), a month as 2026年11月."""
        return week_text(value) if "weekly" in record.kind else date_format(value, "Y年n月")

    def render_download(self, value):
        return format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>',
            reverse("penalties:report_download", args=[value]),
            _("Download PDF"),
        )


class ClosureDayTable(ListTable):
    """The confirmed closure days (``selectors.closure_days_for``), by day: who confirmed each, its history, and a
    form to undo it (a recorded decision, confirmed on the page first)."""

    day = tables.Column(verbose_name=_("Day"), attrs={"td": {"class": "text-nowrap"}})
    province = tables.Column(verbose_name=_("Province"), accessor="province__name", default=_("The whole network"))
    reason = tables.Column(verbose_name=_("Reason"))
    confirmed_by = tables.Column(verbose_name=_("Confirmed by"), attrs={"td": {"class": "small text-muted"}})
    confirmed_at = DateTimeColumn(verbose_name=_("confirmed at"), attrs={"td": {"class": "small text-muted"}})
    history = tables.Column(verbose_name="", accessor="pk", exclude_from_export=True, attrs={"td": {"class": "small"}})
    undo = tables.TemplateColumn(
        template_name="penalties/cells/closure_undo.html", verbose_name="", accessor="pk", exclude_from_export=True
    )

    class Meta:
        model = ClosureDay
        fields = ("day", "province", "reason", "confirmed_by", "confirmed_at", "history", "undo")
        sequence = fields
        orderable = False
        attrs = {"class": "table table-sm bg-white align-middle", "data-testid": "closures-confirmed"}
        empty_text = format_html('<div class="empty-state small">{}</div>', _("No closure day this year."))

    def render_day(self, value):
        return date_format(value, "Y-m-d D")

    def render_confirmed_by(self, value):
        return value.get_full_name() or value.username

    def render_history(self, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("people:object_history", args=["closure-day", value]), _("History")
        )


class ClosurePeriodTable(ListTable):
    """The year's statutory holidays as periods (``views._periods``: a list of dicts), each confirmed in one act."""

    first = tables.Column(verbose_name=_("Period"), attrs={"td": {"class": "text-nowrap"}})
    name = tables.Column(verbose_name=_("Holiday"))
    confirmed = tables.Column(verbose_name=_("Status"))
    confirm = tables.Column(verbose_name="", accessor="first", exclude_from_export=True)

    class Meta:
        orderable = False
        attrs = {"class": "table table-sm bg-white align-middle", "data-testid": "closure-periods"}
        empty_text = format_html(
            '<div class="empty-state small">{}</div>',
            _("No statutory holiday is known for the rest of this year: enter the announced days by hand."),
        )

    def __init__(self, data=None, *args, year: int, **kwargs):
        self.year = year
        super().__init__(data, *args, **kwargs)

    def render_first(self, record):
        if record["days"] > 1:
            return f"{record['first']:%m-%d}–{record['last']:%m-%d}"
        return f"{record['first']:%m-%d}"

    def render_name(self, record):
        n = record["days"]
        return f"{record['name']} · {ngettext('%(n)s day', '%(n)s days', n) % {'n': n}}"

    def render_confirmed(self, value):
        return format_html('<span class="badge text-bg-success">{}</span>', _("confirmed")) if value else "—"

    def value_confirmed(self, value):
        return str(_("confirmed")) if value else ""

    def render_confirm(self, record):
        if record["confirmed"]:
            return ""
        query = urlencode(
            {
                "year": self.year,
                "first": f"{record['first']:%Y-%m-%d}",
                "last": f"{record['last']:%Y-%m-%d}",
                "reason": record["name"],
            }
        )
        return format_html('<a class="btn btn-sm btn-outline-danger" href="?{}">{}</a>', query, _("Confirm…"))


class RuleVersionTable(ListTable):
    """The rule book's versions: the fine, the threshold and the words of each, from when; in force or scheduled,
    the history and, for HQ, a new version of the one in force (``penalties/cells/rule_version_state.html``)."""

    code = tables.Column(verbose_name=_("Rule"))
    fine = tables.Column(verbose_name=_("Fine"))
    threshold_minutes = tables.Column(verbose_name=_("Threshold"), default="")
    description = tables.Column(verbose_name=_("Description"), attrs={"td": {"class": "small"}})
    effective_from = DateTimeColumn(verbose_name=_("Effective from"))
    state = tables.TemplateColumn(
        verbose_name="",
        template_name="penalties/cells/rule_version_state.html",
        accessor="pk",
        exclude_from_export=True,
        attrs={"td": {"class": "text-nowrap"}},
    )

    class Meta:
        model = RuleVersion
        fields = ("code", "fine", "threshold_minutes", "description", "effective_from", "state")
        orderable = False
        attrs = {"data-testid": "rule-versions"}

    def render_fine(self, value):
        return cny(value)

    def render_threshold_minutes(self, value):
        return minutes_text(value)
