"""Tracking timelines and exceptions per waybill, partner carriers, and label printing (打单)."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core import scoping
from core.parsing import parse_id
from core.redirects import safe_redirect
from core.view_calls import service_call
from orders import selectors as order_selectors

from . import selectors, services
from .filters import CarrierFilter
from .labels import labels_print
from .models import WaybillException
from .tables import CarrierTable, OpenExceptionTable

R = scoping.Role
CARRIER_ROWS = 50  # carriers a page of 合作承运商


@login_required
def track(request):
    q = (request.GET.get("q") or "").strip()
    if q:
        if "/" not in q and len(q) <= 64 and selectors.waybill_visible(user=request.user, waybill_no=q):
            return redirect("logistics:track_detail", waybill=q)
        flash.error(request, _("No waybill %(no)s in your scope.") % {"no": q[:40]})
    table = OpenExceptionTable(selectors.open_exceptions(user=request.user), viewer=request.user)
    RequestConfig(request, paginate=False).configure(table)
    return render(request, "logistics/track.html", {"q": q, "table": table})


@login_required
def track_detail(request, waybill: str):
    if not selectors.waybill_visible(user=request.user, waybill_no=waybill):
        raise Http404
    return render(
        request,
        "logistics/track_detail.html",
        {
            "waybill": waybill,
            "events": selectors.waybill_events(waybill_no=waybill),
            "order": order_selectors.orders_for(user=request.user).filter(waybill_no=waybill).first(),
            "exceptions": selectors.waybill_exceptions(waybill_no=waybill),
            "handovers": selectors.waybill_handovers(waybill_no=waybill),
            "carriers": selectors.carriers(active_only=True),
            "kinds": WaybillException.Kind.choices,
            "may_act": scoping.role_of(request.user) != R.MANAGER,
        },
    )


def _visible_or_404(request, waybill):
    if not selectors.waybill_visible(user=request.user, waybill_no=waybill):
        raise Http404


@login_required
@require_POST
def exception_raise(request, waybill: str):
    _visible_or_404(request, waybill)
    site = scoping.visible_sites(request.user).filter(code=(request.POST.get("site") or "").strip()[:16]).first()
    service_call(
        request,
        lambda: services.exception_raise(
            waybill_no=waybill,
            kind=request.POST.get("kind", ""),
            description=request.POST.get("description", ""),
            actor=request.user,
            site=site,
        ),
        _("The exception is recorded."),
    )
    return redirect("logistics:track_detail", waybill=waybill)


@login_required
@require_POST
def exception_step(request, pk: int):
    exc = get_object_or_404(WaybillException, pk=pk)
    _visible_or_404(request, exc.waybill_no)
    service_call(
        request,
        lambda: services.exception_step(
            exception_id=exc.pk,
            actor=request.user,
            text=request.POST.get("text", ""),
            close=request.POST.get("close") == "1",
        ),
        _("Step recorded."),
    )
    return redirect("logistics:track_detail", waybill=exc.waybill_no)


@login_required
@require_POST
def handover(request, waybill: str):
    _visible_or_404(request, waybill)
    carrier = selectors.carriers().filter(pk=parse_id(request.POST.get("carrier"))).first()
    if carrier is None:
        flash.error(request, _("Choose the partner carrier."))
        return redirect("logistics:track_detail", waybill=waybill)
    service_call(
        request,
        lambda: services.handover_record(
            waybill_no=waybill,
            carrier=carrier,
            actor=request.user,
            partner_waybill=request.POST.get("partner_waybill", ""),
            note=request.POST.get("note", ""),
        ),
        _("Handed over to %(name)s.") % {"name": carrier.name},
    )
    return redirect("logistics:track_detail", waybill=waybill)


@login_required
def carriers(request):
    is_hq = scoping.role_of(request.user) == R.HQ
    if request.method == "POST":
        if not is_hq:
            flash.error(request, _("Only HQ keeps the partner carriers."))
            return redirect("logistics:carriers")
        post = request.POST
        service_call(
            request,
            lambda: services.carrier_save(
                carrier_id=parse_id(post.get("pk")),
                code=post.get("code") or "",
                name=post.get("name") or "",
                contact=post.get("contact") or "",
                phone=post.get("phone") or "",
                note=post.get("note") or "",
                active=post.get("active") == "on",
                actor=request.user,
            ),
            _("Saved."),
        )
        return redirect(request.get_full_path())  # the list as it was filtered and paged
    flt = CarrierFilter(request.GET, queryset=selectors.carriers(), user=request.user)
    table = CarrierTable(flt.qs, viewer=request.user, editable=is_hq)
    RequestConfig(request, paginate={"per_page": CARRIER_ROWS}).configure(table)
    return render(request, "logistics/carriers.html", {"filter": flt, "table": table, "is_hq": is_hq})


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@scoping.role_required(R.CLERK, R.HQ)
def label(request, pk: int):
    order = get_object_or_404(order_selectors.orders_for(user=request.user), pk=pk)
    printed = service_call(request, lambda: labels_print(orders=[order], actor=request.user))
    if printed:
        return _pdf(printed.result, f"label-{order.waybill_no}.pdf")
    return redirect("orders:order_detail", pk=pk)


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def labels_batch(request):
    ids = [pk for pk in (parse_id(x) for x in request.POST.getlist("ids")) if pk is not None]
    orders = list(
        order_selectors.orders_for(user=request.user).filter(pk__in=ids, waybill_no__isnull=False).order_by("pk")
    )
    if not orders:
        flash.error(request, _("Select orders that have a waybill number."))
        return safe_redirect(request, request.POST.get("next"), "orders:order_list")
    return _pdf(labels_print(orders=orders, actor=request.user), f"labels-{len(orders)}.pdf")
