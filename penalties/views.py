"""The rule book's pages: violations (list, export, detail with its history and decisions), audit (稽核),
a site's open deadlines, the dashboard, rule versions and the closure calendar. Thin: parse, call one service
or selector, answer in place."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from core import clock, scoping
from core.humanize import week_text
from core.models import ClosureDay
from core.parsing import parse_id, parse_moment, parse_month, parse_year
from core.replica import replica_reads
from core.sheets import table_export
from core.textpolicy import form_errors_text
from core.twofactor import second_factor_required
from core.view_calls import service_call
from orders import selectors as order_selectors
from orders.models import OrderEvent

from . import appeals, selectors, services
from .charts import bar_chart, line_chart
from .decision_messages import site_activity
from .door_evidence import door_evidence
from .exceptions import PenaltyError
from .explain import violation_explain
from .filters import AUDIT_SAMPLE_MAX, AuditFilter, DeadlineFilter, ReportFilter, RuleVersionFilter, ViolationFilter
from .forms import (
    ClosureForm,
    DashboardFilterForm,
    EvidenceForm,
    RaiseForm,
    RuleVersionForm,
    WorkOrderLimitForm,
)
from .models import (
    Appeal,
    AppealAttachment,
    AppealStatus,
    Rule,
    RuleVersion,
    SweepRun,
    Violation,
    ViolationAttachment,
    ViolationStatus,
    WeeklyNotice,
    WorkOrderLimit,
)
from .rule_versions import WORK_ORDER_TYPE_LABELS, work_order_limit, work_order_types
from .tables import (
    AppealTable,
    AuditOrderTable,
    ClosureDayTable,
    ClosurePeriodTable,
    DeadlineTable,
    NoticeTable,
    ReportTable,
    RewardRankTable,
    RuleVersionTable,
    ViolationTable,
)

R = scoping.Role
AUDITORS = (R.LCS, R.HQ)
DEADLINE_ROWS = 50  # deadlines a page of 到期提醒
AUDIT_ROWS = 50  # orders a page of 稽核
REPORT_ROWS = 50  # reports a page
CLOSURE_ROWS = 50  # confirmed closure days a page


def _errors(form) -> str:
    return form_errors_text(form)


# ---------------------------------------------------------------- violations


def _filtered(request):
    return ViolationFilter(request.GET, queryset=selectors.violations_for(user=request.user), user=request.user)


def _violation_table(request, flt) -> ViolationTable:
    return ViolationTable(flt.qs.select_related("appeal", "notice_line__notice"), viewer=request.user)


@login_required
def violation_list(request):
    flt = _filtered(request)
    table = _violation_table(request, flt)
    RequestConfig(request, paginate={"per_page": 50, "paginator_class": LazyPaginator}).configure(table)
    proposed = (
        selectors.violations_for(user=request.user).filter(status=ViolationStatus.PROPOSED).count()
        if scoping.role_of(request.user) in AUDITORS
        else 0
    )
    return render(request, "penalties/violation_list.html", {"filter": flt, "table": table, "proposed": proposed})


@login_required
@replica_reads()
def violation_export(request):
    """The page's table (``table_export``): its columns, order and sort, up to 50,000 rows."""
    table = _violation_table(request, _filtered(request))
    RequestConfig(request, paginate=False).configure(table)
    return table_export(table, filename="violations", limit=50_000)


@login_required
def violation_detail(request, pk: int):
    v = get_object_or_404(selectors.violations_for(user=request.user).select_related("rule_version"), pk=pk)
    role = scoping.role_of(request.user)
    appeal = Appeal.objects.filter(violation=v).select_related("filed_by", "lcs_by", "decided_by").first()
    now = timezone.now()
    deadline = appeals.appeal_deadline(v)
    can_appeal_hq = (
        role == R.CLERK
        and appeal is not None
        and appeal.status == AppealStatus.LCS_UPHELD
        and now <= appeals.hq_deadline(appeal)
    )
    return render(
        request,
        "penalties/violation_detail.html",
        {
            "appeal": appeal,
            "appeal_files": appeal.attachments.all() if appeal else [],
            "now": now,
            "appeal_deadline": deadline,
            "hq_deadline": appeals.hq_deadline(appeal) if appeal else None,
            "can_appeal": (
                role == R.CLERK
                and appeal is None
                and v.status == ViolationStatus.CONFIRMED
                and deadline is not None
                and now <= deadline
            ),
            "can_appeal_hq": can_appeal_hq,
            "notice": getattr(getattr(v, "notice_line", None), "notice", None) if hasattr(v, "notice_line") else None,
            "is_lcs": role == R.LCS,
            "is_clerk": role == R.CLERK,
            "v": v,
            "events": selectors.violation_history(violation=v),
            "attachments": v.attachments.all(),
            "timeline": order_selectors.order_timeline(order=v.order) if v.order_id else [],
            "explanation": violation_explain(v),
            "is_hq": role == R.HQ,
            "is_auditor": role in AUDITORS,
            "evidence_form": EvidenceForm(),
            "door_evidence": door_evidence(order_id=v.order_id),
            "cited_evidence": door_evidence(order_id=v.order_id, only=appeal.cited_evidence) if appeal else [],
            # taking it to HQ, the site may cite more: what it has not cited yet
            "hq_door_evidence": (
                door_evidence(order_id=v.order_id, leave_out=appeal.cited_evidence) if can_appeal_hq else []
            ),
        },
    )


@login_required
def violation_attachment(request, pk: int, attachment_id: int):
    v = get_object_or_404(selectors.violations_for(user=request.user), pk=pk)
    att = get_object_or_404(ViolationAttachment, pk=attachment_id, violation=v)
    if not att.file:
        raise Http404
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


def _act(request, pk: int, call, success: str):
    get_object_or_404(selectors.violations_for(user=request.user), pk=pk)
    done = service_call(request, call, success)
    return redirect("penalties:violation_detail", pk=getattr(done.result, "pk", pk) or pk)


@scoping.role_required(R.HQ)
@second_factor_required
@require_POST
def violation_confirm(request, pk: int):
    return _act(
        request,
        pk,
        lambda: services.violation_confirm(violation_id=pk, actor=request.user, text=request.POST.get("text", "")),
        _("The fine is confirmed."),
    )


@scoping.role_required(R.HQ)
@second_factor_required
@require_POST
def violation_reject(request, pk: int):
    return _act(
        request,
        pk,
        lambda: services.violation_reject(violation_id=pk, actor=request.user, text=request.POST.get("text", "")),
        _("The finding is rejected."),
    )


@scoping.role_required(*AUDITORS)
@second_factor_required
@require_POST
def violation_reclassify(request, pk: int):
    form = EvidenceForm(request.POST, request.FILES)
    files = form.cleaned_data["files"] if form.is_valid() else []
    return _act(
        request,
        pk,
        lambda: services.violation_reclassify(
            violation_id=pk, actor=request.user, evidence=request.POST.get("text", ""), files=files
        ),
        _("Re-classified as a late or wrong transfer."),
    )


@scoping.role_required(*AUDITORS)
@require_POST
def violation_evidence(request, pk: int):
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        get_object_or_404(selectors.violations_for(user=request.user), pk=pk)
        flash.error(request, _errors(form))
        return redirect("penalties:violation_detail", pk=pk)
    return _act(
        request,
        pk,
        lambda: services.violation_evidence_add(
            violation_id=pk, actor=request.user, text=form.cleaned_data["text"], files=form.cleaned_data["files"]
        ),
        _("Evidence added."),
    )


# ---------------------------------------------------------------- audit (稽核)


@scoping.role_required(*AUDITORS)
def audit(request):
    """稽核: orders picked by the filters (or a random sample of them), newest first; nothing until asked."""
    flt = AuditFilter(request.GET or None, queryset=selectors.audit_orders_for(user=request.user), user=request.user)
    table = None
    if flt.is_bound:
        table = AuditOrderTable(flt.qs, viewer=request.user)
        sample = flt.form.cleaned_data.get("sample") if flt.form.is_valid() else None
        # a sample is drawn again on every load: shown whole, on one page
        per_page = AUDIT_SAMPLE_MAX if sample else AUDIT_ROWS
        RequestConfig(request, paginate={"per_page": per_page, "paginator_class": LazyPaginator}).configure(table)
    return render(request, "penalties/audit.html", {"filter": flt, "table": table})


@scoping.role_required(*AUDITORS)
def audit_order(request, pk: int):
    order = get_object_or_404(order_selectors.orders_for(user=request.user), pk=pk)
    return render(
        request,
        "penalties/audit_order.html",
        {
            "order": order,
            "events": order_selectors.order_timeline(order=order),
            "violations": order.violations.select_related("site").order_by("occurred_at"),
            "form": RaiseForm(),
            "rules": [(r, Rule(r).label) for r in services.AUDIT_RULES],
            "is_hq": scoping.role_of(request.user) == R.HQ,
        },
    )


@scoping.role_required(*AUDITORS)
@second_factor_required
@require_POST
def audit_raise(request, pk: int):
    order = get_object_or_404(order_selectors.orders_for(user=request.user), pk=pk)
    form = RaiseForm(request.POST, request.FILES)
    if not form.is_valid():
        flash.error(request, _("The finding was not recorded: %(errors)s") % {"errors": _errors(form)})
        return redirect("penalties:audit_order", pk=pk)
    event = get_object_or_404(OrderEvent, pk=form.cleaned_data["event"], order=order)
    service_call(
        request,
        lambda: services.violation_raise(
            event=event,
            rule=form.cleaned_data["rule"],
            actor=request.user,
            evidence=form.cleaned_data["evidence"],
            files=form.cleaned_data["files"],
        ),
        lambda v: (
            (
                _("Fine confirmed: %(rule)s, %(site)s.")
                if v.status == ViolationStatus.CONFIRMED
                else _("Proposed to HQ: %(rule)s, %(site)s. HQ confirms or rejects it.")
            )
            % {"rule": v.get_rule_display(), "site": v.site.name}
        ),
    )
    return redirect("penalties:audit_order", pk=pk)


# ---------------------------------------------------------------- a site's deadlines


@scoping.role_required(R.CLERK)
def deadlines(request):
    """到期提醒: the running deadlines of the clerk's sites (soonest first, filtered, paged) beside their latest
    violations."""
    flt = DeadlineFilter(request.GET, queryset=selectors.deadlines_for(user=request.user), user=request.user)
    table = DeadlineTable(flt.qs, viewer=request.user)
    RequestConfig(request, paginate={"per_page": DEADLINE_ROWS}).configure(table)
    recent = (
        selectors.violations_for(user=request.user)
        .exclude(status=ViolationStatus.REJECTED)
        .order_by("-occurred_at", "-id")[:30]
    )
    return render(request, "penalties/deadlines.html", {"filter": flt, "table": table, "violations": recent})


# ---------------------------------------------------------------- dashboard


@scoping.role_required(R.LCS, R.HQ, R.MANAGER)
@replica_reads()
def dashboard(request):
    today = timezone.localdate()
    form = DashboardFilterForm(request.GET or None, user=request.user, today=today)
    form.is_valid()
    period = getattr(form, "cleaned_data", {})
    first = period.get("first") or today - timedelta(days=13)
    last = period.get("last") or today
    province = period.get("province")
    data = selectors.dashboard(
        user=request.user, first=first, today=last, province_id=province.pk if province else None
    )
    labels = [f"{r['day'].month}月{r['day'].day}日" for r in data["rates"]]
    week = data["weeks"]

    def worst_link(w):
        return reverse("penalties:violation_list") + "?" + urlencode({"site": w["site__code"], "status": "CONFIRMED"})

    charts = {
        "rates": line_chart(
            labels=labels,
            series=[
                (_("on-time accept"), [r["accept"] for r in data["rates"]]),
                (_("on-time pickup"), [r["pickup"] for r in data["rates"]]),
            ],
        ),
        "rules": bar_chart(items=data["by_rule"]),
        "worst": bar_chart(items=[(w["site__name"], w["n"], worst_link(w)) for w in data["worst"]]),
    }
    last_sweep = SweepRun.objects.first()
    return render(
        request,
        "penalties/dashboard.html",
        {
            "d": data,
            "charts": charts,
            "last_sweep": last_sweep,
            "form": form,
            "province": province,
            "week_this": week_text(week["this"]["first"]),
            "week_before": week_text(week["before"]["first"]),
            "worst_links": [(w, worst_link(w)) for w in data["worst"]],
        },
    )


# ---------------------------------------------------------------- rules and closure days (HQ)


def _versioned(request, form, create, success: str) -> bool:
    """Save a new version from a rule-book form (its effective time read as Beijing time); False with the error on
    the form."""
    effective = form.cleaned_data["effective_from"]
    if timezone.is_naive(effective):
        effective = timezone.make_aware(effective, clock.tz())
    return service_call(
        request,
        lambda: create(effective),
        success % {"t": timezone.localtime(effective).strftime("%Y-%m-%d %H:%M")},
        form=form,
    ).ok


def _rule_form_initial(code: str | None) -> dict:
    """A new version starts from the rule's version in force (the first rule's unless one is asked for), effective
    from the next whole hour."""
    now = timezone.now()
    code = code if code in Rule.values else Rule.values[0]
    version = RuleVersion.objects.filter(code=code, effective_from__lte=now).order_by("-effective_from").first()
    start = (timezone.localtime(now) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    if version is None:
        return {"code": code, "effective_from": start.strftime("%Y-%m-%dT%H:%M")}
    return RuleVersionForm.initial_from(version, effective_from=start.strftime("%Y-%m-%dT%H:%M"))


@scoping.role_required(R.HQ, R.LCS, R.MANAGER)
@second_factor_required(methods=("POST",))
def rules(request):
    is_limit = request.POST.get("action") == "wo_limit"
    form = RuleVersionForm(
        request.POST if request.method == "POST" and not is_limit else None,
        initial=_rule_form_initial(request.GET.get("code")),
    )
    limit_form = WorkOrderLimitForm(request.POST if is_limit else None)
    if request.method == "POST":
        if scoping.role_of(request.user) != R.HQ:
            flash.error(request, _("Only the HQ e-commerce team changes the rules."))
            return redirect("penalties:rules")
        if is_limit and limit_form.is_valid():
            data = limit_form.cleaned_data
            if _versioned(
                request,
                limit_form,
                lambda effective: services.work_order_limit_create(
                    wo_type=data["wo_type"], hours=data["hours"], effective_from=effective, actor=request.user
                ),
                _("The new time limit applies to work orders raised from %(t)s."),
            ):
                return redirect("penalties:rules")
        elif not is_limit and form.is_valid():
            data = form.cleaned_data
            if _versioned(
                request,
                form,
                lambda effective: services.rule_version_create(
                    code=data["code"],
                    fine=data["fine"],
                    threshold_minutes=data.get("threshold_minutes"),
                    description=data.get("description") or "",
                    effective_from=effective,
                    actor=request.user,
                ),
                _("The new version is saved; it applies to clocks that start from %(t)s."),
            ):
                return redirect("penalties:rules")
    now = timezone.now()
    current = selectors.rule_versions_in_force(at=now)
    shown = RuleVersionFilter(
        request.GET, queryset=selectors.rule_versions_all(), user=request.user, in_force=current, now=now
    )
    versions = RuleVersionTable(shown.qs, viewer=request.user)
    RequestConfig(request, paginate={"per_page": 50}).configure(versions)
    by_type: dict[str, list] = {}
    for v in WorkOrderLimit.objects.select_related("created_by").order_by("wo_type", "-effective_from"):
        by_type.setdefault(v.wo_type, []).append(v)
    limits = []
    for wo_type in work_order_types():
        versions_of = by_type.get(wo_type, [])
        in_force = next((v.hours for v in versions_of if v.effective_from <= now), None)
        limits.append(
            {
                "type": wo_type,
                "label": WORK_ORDER_TYPE_LABELS.get(wo_type, wo_type),
                "now": in_force or work_order_limit(wo_type, now),
                "scheduled": [v for v in versions_of if v.effective_from > now],
                "versions": versions_of,
            }
        )
    return render(
        request,
        "penalties/rules.html",
        {
            "form": form,
            "filter": shown,
            "versions": versions,
            "current": current,
            "is_hq": scoping.role_of(request.user) == R.HQ,
            "now": now,
            "limits": limits,
            "limit_form": limit_form,
        },
    )


def _periods(suggestions: list[dict], closed: set) -> list[dict]:
    """The statutory holidays as periods (consecutive days of one holiday), each confirmed in one act."""
    periods: list[dict] = []
    for s in suggestions:
        if s["kind"] != "holiday":
            continue
        last = periods[-1] if periods else None
        if last and last["name"] == s["name"] and s["day"] == last["last"] + timedelta(days=1):
            last["last"], last["days"] = s["day"], last["days"] + 1
        else:
            periods.append({"first": s["day"], "last": s["day"], "name": s["name"], "days": 1})
    for p in periods:
        span = [p["first"] + timedelta(days=i) for i in range(p["days"])]
        p["confirmed"] = all((d, None) in closed for d in span)
    return periods


@scoping.role_required(R.HQ)
@second_factor_required
def closures(request):
    """Closure days: the upcoming statutory holidays as periods, each confirmed in one act after a confirmation
    that says what it will do (deadlines moved, fines voided or raised); a confirmed day can be undone the same way
    (a recorded decision the rule book judges)."""
    today = timezone.localdate()
    year = parse_year(request.GET.get("year"), today.year)
    show_past = request.GET.get("past") == "1"
    form = ClosureForm(request.POST or None)
    preview = undo = None
    action = request.POST.get("action", "")
    if request.method == "POST" and action in ("preview", "confirm"):
        if form.is_valid():
            data = form.cleaned_data
            args = {
                "first": data["first"],
                "last": data["last"],
                "province": data["province"],
                "reason": data["reason"],
                "actor": request.user,
            }
            if action == "preview":
                outcome = service_call(request, lambda: services.closure_period_preview(**args), form=form)
                if outcome.ok:
                    preview = {**outcome.result, **data}
            elif service_call(
                request,
                lambda: services.closure_period_confirm(**args),
                lambda result: (
                    _(
                        "%(days)d closure days confirmed: %(moved)d open deadlines moved, %(voided)d fines voided, "
                        "%(raised)d fines raised."
                    )
                    % result
                ),
                form=form,
            ):
                past = "&past=1" if data["last"] < today else ""  # a period confirmed after the fact stays in view
                return redirect(f"{request.path}?year={data['first'].year}{past}")
        else:
            flash.error(request, _errors(form))
    elif request.method == "POST" and action in ("undo_preview", "undo"):
        closure = get_object_or_404(
            ClosureDay.objects.select_related("province"), pk=parse_id(request.POST.get("closure"))
        )
        reason = (request.POST.get("reason") or "").strip()
        if action == "undo_preview":
            outcome = service_call(
                request, lambda: services.closure_undo_preview(closure_id=closure.pk, reason=reason, actor=request.user)
            )
            if outcome.ok:
                undo = {**outcome.result, "closure": closure, "reason": reason}
        elif service_call(
            request,
            lambda: services.closure_undo(closure_id=closure.pk, reason=reason, actor=request.user),
            lambda result: (
                _(
                    "Closure day undone: %(moved)d deadlines moved back, %(raised)d fines raised again, %(voided)d voided."
                )
                % result
            ),
        ):
            return redirect(f"{request.path}?year={closure.day.year}&past=1")
    elif request.method == "GET" and request.GET.get("first"):
        # a suggested period: the form filled in, its confirmation shown at once
        form = ClosureForm(
            {"first": request.GET.get("first"), "last": request.GET.get("last"), "reason": request.GET.get("reason")}
        )
        if form.is_valid():
            data = form.cleaned_data
            outcome = service_call(
                request,
                lambda: services.closure_period_preview(
                    first=data["first"], last=data["last"], province=None, reason=data["reason"], actor=request.user
                ),
                form=form,
            )
            if outcome.ok:
                preview = {**outcome.result, **data}
    since = today if not show_past and year == today.year else None
    confirmed = ClosureDayTable(selectors.closure_days_for(year=year, since=since), viewer=request.user)
    RequestConfig(request, paginate={"per_page": CLOSURE_ROWS}).configure(confirmed)
    closed = {(c.day, c.province_id) for c in ClosureDay.objects.filter(day__year=year)}
    periods = _periods(services.closure_suggestions(year=year), closed)
    if not show_past:
        periods = [p for p in periods if p["last"] >= today]
    return render(
        request,
        "penalties/closures.html",
        {
            "form": form,
            "year": year,
            "confirmed": confirmed,
            "periods": ClosurePeriodTable(periods, viewer=request.user, year=year),
            "preview": preview,
            "undo": undo,
            "show_past": show_past,
            "is_this_year": year == today.year,
        },
    )


# ---------------------------------------------------------------- appeals (申诉)


def _appeal_act(request, pk: int, call, success: str):
    v = get_object_or_404(selectors.violations_for(user=request.user), pk=pk)
    # on a refusal the statement stays on the page (files must be chosen again: a browser cannot be given them back)
    service_call(request, lambda: call(v), success, keep={"form": request.resolver_match.url_name})
    return redirect("penalties:violation_detail", pk=pk)


def _appeal_id(v: Violation) -> int:
    appeal = Appeal.objects.filter(violation=v).values_list("pk", flat=True).first()
    if appeal is None:
        raise PenaltyError(_("This violation has not been appealed."))
    return appeal


def _files(request) -> list:
    return request.FILES.getlist("files")


@scoping.role_required(R.CLERK)
@require_POST
def appeal_file(request, pk: int):
    return _appeal_act(
        request,
        pk,
        lambda v: appeals.appeal_file(
            violation_id=v.pk,
            actor=request.user,
            text=request.POST.get("text", ""),
            files=_files(request),
            cited=request.POST.getlist("cited"),
        ),
        _("Your appeal is with the province platform."),
    )


@scoping.role_required(R.CLERK)
@require_POST
def appeal_to_hq(request, pk: int):
    return _appeal_act(
        request,
        pk,
        lambda v: appeals.appeal_to_hq(
            appeal_id=_appeal_id(v),
            actor=request.user,
            text=request.POST.get("text", ""),
            files=_files(request),
            cited=request.POST.getlist("cited"),
        ),
        _("Your appeal is with HQ."),
    )


@scoping.role_required(R.LCS)
@second_factor_required
@require_POST
def appeal_lcs_decide(request, pk: int):
    decision = request.POST.get("decision")
    if decision == "escalate":
        return _appeal_act(
            request,
            pk,
            lambda v: appeals.appeal_escalate(
                appeal_id=_appeal_id(v), actor=request.user, text=request.POST.get("text", "")
            ),
            _("Escalated to HQ."),
        )
    return _appeal_act(
        request,
        pk,
        lambda v: appeals.appeal_lcs_decide(
            appeal_id=_appeal_id(v), actor=request.user, cancel=decision == "cancel", text=request.POST.get("text", "")
        ),
        _("Decision recorded."),
    )


@scoping.role_required(R.HQ)
@second_factor_required
@require_POST
def appeal_hq_decide(request, pk: int):
    return _appeal_act(
        request,
        pk,
        lambda v: appeals.appeal_hq_decide(
            appeal_id=_appeal_id(v),
            actor=request.user,
            cancel=request.POST.get("decision") == "cancel",
            text=request.POST.get("text", ""),
        ),
        _("Decision recorded."),
    )


@scoping.role_required(R.HQ)
@require_POST
def appeal_email(request, pk: int):
    received = parse_moment(request.POST.get("received_at", ""))
    if received is None:
        get_object_or_404(selectors.violations_for(user=request.user), pk=pk)
        flash.error(request, _("Enter when the e-mail arrived (date and time)."))
        return redirect("penalties:violation_detail", pk=pk)
    files = _files(request)
    return _appeal_act(
        request,
        pk,
        lambda v: appeals.appeal_record_email(
            violation_id=v.pk,
            actor=request.user,
            received_at=received,
            text=request.POST.get("text", ""),
            email_file=files[0] if files else None,
        ),
        _("The e-mailed appeal is recorded and with HQ."),
    )


@login_required
def appeal_attachment(request, pk: int, attachment_id: int):
    v = get_object_or_404(selectors.violations_for(user=request.user), pk=pk)
    att = get_object_or_404(AppealAttachment, pk=attachment_id, appeal__violation=v)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


APPEAL_QUEUE_ROWS = 300
APPEAL_RECENT_ROWS = 50


def _appeal_table(request, *, rows: int | None = APPEAL_QUEUE_ROWS) -> AppealTable:
    waiting = selectors.appeals_waiting(user=request.user)
    table = AppealTable(waiting[:rows] if rows else waiting, viewer=request.user, exclude=("status",))
    table.attrs["data-testid"] = "appeal-queue"
    table.empty_text = format_html('<div class="empty-state small">{}</div>', _("No appeal waits for you."))
    return table


@scoping.role_required(R.LCS, R.HQ)
def appeal_queue(request):
    """Appeals waiting for the user's decision, by deadline (the LCS: its province; HQ: those sent to it)."""
    table = _appeal_table(request)
    recent = AppealTable(
        selectors.appeals_handled(user=request.user)[:APPEAL_RECENT_ROWS], viewer=request.user, exclude=("text",)
    )
    for t in (table, recent):
        RequestConfig(request, paginate=False).configure(t)
    return render(
        request,
        "penalties/appeal_queue.html",
        {"table": table, "recent": recent, "role": scoping.role_of(request.user)},
    )


# ---------------------------------------------------------------- reports and rewards


@scoping.role_required(R.LCS, R.HQ, R.MANAGER)
@replica_reads()
def reports(request):
    """The generated reports the viewer may read (``selectors.reports_for``), filtered, paged."""
    flt = ReportFilter(request.GET, queryset=selectors.reports_for(user=request.user), user=request.user)
    table = ReportTable(flt.qs, viewer=request.user)
    RequestConfig(request, paginate={"per_page": REPORT_ROWS}).configure(table)
    return render(request, "penalties/reports.html", {"filter": flt, "table": table})


@scoping.role_required(R.LCS, R.HQ, R.MANAGER)
def report_download(request, pk: int):
    report = get_object_or_404(selectors.reports_for(user=request.user), pk=pk)
    name = report.file.name.rsplit("/", 1)[-1]
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


@login_required
def notice_download(request, pk: int):
    notice = get_object_or_404(WeeklyNotice.objects.filter(scoping.site_ids_q(request.user)), pk=pk)
    if not notice.pdf:
        raise Http404
    return FileResponse(notice.pdf.open("rb"), as_attachment=True, filename=notice.pdf.name.rsplit("/", 1)[-1])


@login_required
def notices(request):
    table = NoticeTable(selectors.notices_for(user=request.user)[:200], viewer=request.user)
    RequestConfig(request, paginate=False).configure(table)
    return render(request, "penalties/notices.html", {"table": table})


def _reward_month(request, months: list) -> date | None:
    return parse_month(request.GET.get("month")) or (months[0] if months else None)


def _rank_table(request, month) -> RewardRankTable:
    ranks = selectors.reward_ranks(user=request.user, month=month) if month else []
    return RewardRankTable(ranks, viewer=request.user)


@scoping.role_required(R.LCS, R.HQ, R.MANAGER)
def rewards(request):
    months = selectors.reward_months()
    month = _reward_month(request, months)
    quotas = selectors.reward_quotas(month=month) if month else []
    table = _rank_table(request, month)
    RequestConfig(request, paginate=False).configure(table)
    return render(
        request,
        "penalties/rewards.html",
        {
            "month": month,
            "months": months,
            "quotas": quotas,
            "table": table,
            "sum_quota": sum(q.quota for q in quotas),
            "sum_sites": sum(q.first_level_sites for q in quotas),
            "sum_awarded": sum(q.awarded for q in quotas),
        },
    )


@login_required
def site_activity_page(request):
    """A site's activity feed: the decisions on its violations and appeals, newest first. A clerk sees their
    site's; the province platform, HQ and managers name a site by code (within what they may see)."""
    code = (request.GET.get("site") or "").strip()[:16]
    violations = selectors.violations_for(user=request.user)
    if code:
        violations = violations.filter(site__code=code)
    elif scoping.role_of(request.user) != R.CLERK:
        violations = violations.none()
    return render(
        request,
        "penalties/site_activity.html",
        {
            "events": site_activity(violations=violations),
            "code": code,
            "clerk": scoping.role_of(request.user) == R.CLERK,
        },
    )


@scoping.role_required(R.LCS, R.HQ)
@replica_reads()
def appeal_export(request):
    """The page's queue (``table_export``): the appeals waiting for the user's decision, oldest first."""
    table = _appeal_table(request, rows=None)
    RequestConfig(request, paginate=False).configure(table)
    return table_export(table, filename="appeals", limit=50_000)


@scoping.role_required(R.LCS, R.HQ, R.MANAGER)
@replica_reads()
def rewards_export(request):
    """The month's ranking as the page shows it (``table_export``; the province's for LCS and province
    managers)."""
    table = _rank_table(request, _reward_month(request, selectors.reward_months()))
    RequestConfig(request, paginate=False).configure(table)
    return table_export(table, filename="rewards")
