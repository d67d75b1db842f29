"""The work-order pages: the unit's list and answer, HQ's queue (assign, review), the province's oversight
(chase), HQ's hand entry, and the assessment per unit and week."""

from datetime import timedelta

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core import clock, scoping
from core.models import Site
from core.parsing import parse_date
from core.replica import replica_reads
from core.sheets import table_export
from core.twofactor import second_factor_required
from core.view_calls import service_call
from orders import selectors as order_selectors

from . import selectors, services
from .filters import WorkOrderFilter
from .models import WorkOrderAttachment, WorkOrderSource, WorkOrderState, WorkOrderType
from .tables import WorkOrderTable

R = scoping.Role


LIST_ROWS = 300
EXPORT_ROWS = 50_000


def _work_order_table(request, *, rows: int | None = None) -> tuple[WorkOrderFilter, WorkOrderTable]:
    flt = WorkOrderFilter(request.GET, queryset=selectors.work_order_list(user=request.user), user=request.user)
    return flt, WorkOrderTable(flt.qs[:rows] if rows else flt.qs, viewer=request.user)


@login_required
def work_order_list(request):
    flt, table = _work_order_table(request, rows=LIST_ROWS)
    RequestConfig(request, paginate=False).configure(table)
    return render(request, "complaints/list.html", {"filter": flt, "table": table})


@login_required
@replica_reads()
def work_order_export(request):
    """The page's table (``table_export``): its columns and order, up to 50,000 rows, phones masked as on
    screen, times as spreadsheet times."""
    _flt, table = _work_order_table(request)
    RequestConfig(request, paginate=False).configure(table)
    return table_export(table, filename="work-orders", limit=EXPORT_ROWS)


def _answer_rows(wo) -> list[tuple[str, str]]:
    """The unit's answer as people read it: each fact by its label, times as 2026-11-24 09:30, yes/no as 是/否."""
    rows = []
    for name, label, kind, _required in services.answer_fields(wo.type):
        value = (wo.answer or {}).get(name, "")
        if kind == "datetime" and value:
            value = value.replace("T", " ")[:16]
        elif kind == "yesno":
            value = {"yes": _("Yes"), "no": _("No")}.get(value, value)
        rows.append((label, value or "—"))
    return rows


def _detail(request, wo, *, typed: dict | None = None, status: int = 200):
    """The page; ``typed`` refills the answer form (what the clerk typed, or the answer sent back to them)."""
    role = scoping.role_of(request.user)
    if typed is None:
        typed = (
            {**(wo.answer or {}), "text": wo.answer_text or "", "reply": wo.reply or ""}
            if wo.state == WorkOrderState.SENT_BACK
            else {}
        )
    fields = [
        (name, label, kind, required, typed.get(name, ""))
        for name, label, kind, required in services.answer_fields(wo.type)
    ]
    return render(
        request,
        "complaints/detail.html",
        {
            "wo": wo,
            # the waybill links to its order's timeline (or, for the nation's roles, to its scans)
            "waybill_order": order_selectors.waybill_order_ids(user=request.user, waybills=[wo.waybill_no]).get(
                wo.waybill_no
            ),
            "waybill_tracked": scoping.is_national(request.user),
            "events": wo.events.select_related("actor", "unit"),
            "attachments": wo.attachments.all(),
            "fields": fields,
            "answer_rows": _answer_rows(wo) if wo.answered_at else [],
            "typed": typed,
            "may_answer": role == R.CLERK
            and wo.unit_id
            and scoping.may_operate_site(request.user, wo.unit_id)
            and wo.state in (WorkOrderState.OPEN, WorkOrderState.SENT_BACK),
            "is_hq": role == R.HQ,
            "is_lcs": role == R.LCS,
        },
        status=status,
    )


@login_required
def work_order_detail(request, pk: int):
    return _detail(request, get_object_or_404(selectors.work_orders_for(user=request.user), pk=pk))


@login_required
def work_order_attachment(request, pk: int, attachment_id: int):
    """A proof file of the work order, to those who may see the work order."""
    wo = get_object_or_404(selectors.work_orders_for(user=request.user), pk=pk)
    att = get_object_or_404(WorkOrderAttachment, pk=attachment_id, work_order=wo)
    if not att.file:
        raise Http404
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


def _act(request, pk, call, success):
    get_object_or_404(selectors.work_orders_for(user=request.user), pk=pk)
    service_call(request, call, success)
    return redirect("complaints:detail", pk=pk)


@scoping.role_required(R.CLERK)
@require_POST
def answer(request, pk: int):
    wo = get_object_or_404(selectors.work_orders_for(user=request.user), pk=pk)
    facts = {name: request.POST.get(name, "") for name, *_rest in services.answer_fields(wo.type)}
    text, reply = request.POST.get("text", ""), request.POST.get("reply", "")
    if not service_call(
        request,
        lambda: services.work_order_answer(
            work_order_id=pk,
            actor=request.user,
            facts=facts,
            text=text,
            reply=reply,
            files=request.FILES.getlist("files"),
        ),
        _("Answer sent to CCS."),
    ):
        # the form comes back with what was typed (files must be chosen again)
        wo.refresh_from_db()
        return _detail(request, wo, typed={**facts, "text": text, "reply": reply}, status=200)
    return redirect("complaints:detail", pk=pk)


@scoping.role_required(R.HQ)
@second_factor_required
@require_POST
def review(request, pk: int):
    passed = request.POST.get("decision") == "pass"
    return _act(
        request,
        pk,
        lambda: services.work_order_review(
            work_order_id=pk, actor=request.user, passed=passed, reason=request.POST.get("reason", "")
        ),
        _("Passed: the result goes to Cainiao.") if passed else _("Sent back to the unit."),
    )


@scoping.role_required(R.HQ)
@require_POST
def assign(request, pk: int):
    raw = (request.POST.get("to_site") or "").strip()
    unit = Site.objects.filter(code=raw.split()[0]).first() if raw else None
    if unit is None:
        get_object_or_404(selectors.work_orders_for(user=request.user), pk=pk)
        flash.error(request, _("Choose the unit: type its name or code and pick it from the list."))
        return redirect("complaints:detail", pk=pk)
    return _act(
        request,
        pk,
        lambda: services.work_order_assign(work_order_id=pk, unit=unit, actor=request.user),
        _("Assigned to %(unit)s.") % {"unit": unit.name},
    )


@scoping.role_required(R.LCS)
@require_POST
def chase(request, pk: int):
    return _act(
        request,
        pk,
        lambda: services.work_order_chase(work_order_id=pk, actor=request.user),
        _("The unit has been reminded."),
    )


@scoping.role_required(R.HQ)
def new(request):
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "")
            for k in (
                "wo_id",
                "type",
                "source",
                "waybill_no",
                "consumer_name",
                "consumer_phone",
                "description",
                "limit_hours",
            )
        }
        received = service_call(
            request,
            lambda: services.work_order_receive(data=data, actor=request.user),
            lambda r: _("Work order entered.") if r[1] else _("This work order exists already."),
        )
        if not received:
            return render(
                request,
                "complaints/new.html",
                {"data": data, "types": WorkOrderType.choices, "sources": WorkOrderSource.choices},
            )
        wo, created = received.result
        return redirect("complaints:detail", pk=wo.pk)
    return render(
        request, "complaints/new.html", {"data": {}, "types": WorkOrderType.choices, "sources": WorkOrderSource.choices}
    )


@scoping.role_required(R.LCS, R.HQ, R.MANAGER)
def assessment(request):
    today = timezone.localdate()
    week = clock.week_monday(parse_date(request.GET.get("week"), clock.week_monday(today) - timedelta(days=7)))
    return render(
        request,
        "complaints/assessment.html",
        {
            "rows": selectors.assessment(user=request.user, week=week),
            "week": week,
            "prev": week - timedelta(days=7),
            "next": week + timedelta(days=7),
        },
    )
