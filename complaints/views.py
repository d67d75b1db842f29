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

from core import clock, scoping
from core.exceptions import DomainError
from core.models import Site
from core.parsing import parse_date

from . import selectors, services
from .models import WorkOrderSource, WorkOrderState, WorkOrderType

R = scoping.Role


@login_required
def work_order_list(request):
    qs = selectors.work_orders_for(user=request.user)
    state = request.GET.get("state") or ("open" if scoping.role_of(request.user) != R.HQ else "")
    if state == "open":
        qs = qs.filter(state__in=[WorkOrderState.UNASSIGNED, WorkOrderState.OPEN, WorkOrderState.SENT_BACK,
                                  WorkOrderState.ANSWERED])
    elif state in WorkOrderState.values:
        qs = qs.filter(state=state)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(waybill_no=q) | selectors.work_orders_for(user=request.user).filter(wo_id=q)
    return render(request, "complaints/list.html", {"work_orders": qs.order_by("due_at")[:300], "state": state,
                                                    "states": WorkOrderState.choices, "q": q, "now": timezone.now()})


@login_required
def attachment(request, pk: int, attachment_id: int):
    """A proof file of a work order, for whoever may see the work order (its unit, the province, HQ): another
    scope's file is a 404 like a missing one."""

    wo = get_object_or_404(selectors.work_orders_for(user=request.user), pk=pk)
    item = get_object_or_404(wo.attachments, pk=attachment_id)
    if not item.file:
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name or item.file.name.rsplit("/", 1)[-1])


@login_required
def work_order_detail(request, pk: int):
    wo = get_object_or_404(selectors.work_orders_for(user=request.user), pk=pk)
    role = scoping.role_of(request.user)
    return render(request, "complaints/detail.html", {
        "wo": wo, "events": wo.events.select_related("actor", "unit"), "attachments": wo.attachments.all(),
        "fields": services.answer_fields(wo.type),
        "may_answer": role == R.CLERK and wo.unit_id and scoping.may_operate_site(request.user, wo.unit_id)
        and wo.state in (WorkOrderState.OPEN, WorkOrderState.SENT_BACK),
        "is_hq": role == R.HQ, "is_lcs": role == R.LCS})


def _act(request, pk, call, success):
    get_object_or_404(selectors.work_orders_for(user=request.user), pk=pk)
    try:
        call()
    except DomainError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, success)
    return redirect("complaints:detail", pk=pk)


@scoping.role_required(R.CLERK)
@require_POST
def answer(request, pk: int):
    wo = get_object_or_404(selectors.work_orders_for(user=request.user), pk=pk)
    facts = {name: request.POST.get(name, "") for name, *_rest in services.answer_fields(wo.type)}
    return _act(request, pk, lambda: services.work_order_answer(
        work_order_id=pk, actor=request.user, facts=facts, text=request.POST.get("text", ""),
        reply=request.POST.get("reply", ""), files=request.FILES.getlist("files")), _("Answer sent to CCS."))


@scoping.role_required(R.HQ)
@require_POST
def review(request, pk: int):
    passed = request.POST.get("decision") == "pass"
    return _act(request, pk, lambda: services.work_order_review(
        work_order_id=pk, actor=request.user, passed=passed, reason=request.POST.get("reason", "")),
        _("Passed: the result goes to Cainiao.") if passed else _("Sent back to the unit."))


@scoping.role_required(R.HQ)
@require_POST
def assign(request, pk: int):
    raw = (request.POST.get("to_site") or "").strip()
    unit = Site.objects.filter(code=raw.split()[0]).first() if raw else None
    if unit is None:
        get_object_or_404(selectors.work_orders_for(user=request.user), pk=pk)
        flash.error(request, _("Choose the unit: type its name or code and pick it from the list."))
        return redirect("complaints:detail", pk=pk)
    return _act(request, pk, lambda: services.work_order_assign(work_order_id=pk, unit=unit, actor=request.user),
                _("Assigned to %(unit)s.") % {"unit": unit.name})


@scoping.role_required(R.LCS)
@require_POST
def chase(request, pk: int):
    return _act(request, pk, lambda: services.work_order_chase(work_order_id=pk, actor=request.user),
                _("The unit has been reminded."))


@scoping.role_required(R.HQ)
def new(request):
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("wo_id", "type", "source", "waybill_no", "consumer_name",
                                                     "consumer_phone", "description", "limit_hours")}
        if not data["limit_hours"].isdigit():
            data["limit_hours"] = ""
        try:
            wo, created = services.work_order_receive(data=data, actor=request.user)
        except DomainError as exc:
            flash.error(request, exc.message)
            return render(request, "complaints/new.html", {"data": data, "types": WorkOrderType.choices,
                                                           "sources": WorkOrderSource.choices})
        flash.success(request, _("Work order entered.") if created else _("This work order exists already."))
        return redirect("complaints:detail", pk=wo.pk)
    return render(request, "complaints/new.html", {"data": {}, "types": WorkOrderType.choices,
                                                   "sources": WorkOrderSource.choices})


@scoping.role_required(R.LCS, R.HQ, R.MANAGER)
def assessment(request):
    today = timezone.localdate()
    week = clock.week_monday(parse_date(request.GET.get("week"), clock.week_monday(today) - timedelta(days=7)))
    return render(request, "complaints/assessment.html", {"rows": selectors.assessment(user=request.user, week=week),
                                                          "week": week, "prev": week - timedelta(days=7),
                                                          "next": week + timedelta(days=7)})
