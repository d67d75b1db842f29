"""The network seen from the desk: site search, silent sites, and the clerk's pages of the site's courier records
(over ``core.couriers``; the courier's other rooms: README.md, "The courier lives in five rooms")."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from core import scoping
from core import selectors as net_selectors
from core.couriers import courier_add
from core.couriers import courier_update as update
from core.kept_input import typed_keep
from core.models import Courier, Site
from core.parsing import parse_id
from core.replica import replica_reads
from core.sheets import table_export
from core.view_calls import service_call
from orders import selectors as order_selectors

from .. import selectors as desk_selectors
from ..tables import CourierTable, SilentSiteTable
from .common import (
    R,
)

# ---------------------------------------------------------------- network helpers


def _picker_place(request) -> tuple[str, tuple[int, ...]]:
    """Where the picked site is for, and the sites it cannot be: the order the picker is about (``picker_order``, or
    the first of the selected ``ids``) gives its district and its own site; a clerk's own site is never offered."""
    exclude: list[int] = []
    near = ""
    user = request.user
    if scoping.role_of(user) == R.CLERK and user.site_id:
        exclude.append(user.site_id)
        near = user.site.district.adcode if user.site.district_id else ""
    ids = [
        pk
        for pk in (parse_id(raw) for raw in [request.GET.get("picker_order"), *request.GET.getlist("ids")[:50]])
        if pk
    ]
    order = (
        order_selectors.orders_for(user=user).filter(pk__in=ids).select_related("site__district").order_by("pk").first()
        if ids
        else None
    )
    if order is not None:
        exclude.append(order.site_id)
        site_area = order.site.district.adcode if order.site.district_id else ""
        near = order.sender_adcode or site_area or near
    return near, tuple(exclude)


@login_required
def site_search(request):
    """The site picker of transfers and dispatch: by code prefix or part of the name, 20 at most, never a
    20,000-option select; the sites near the order first, never its own site nor the clerk's. Answers JSON, or
    <option>s for a <datalist> when htmx asks."""
    q = (request.GET.get("q") or request.GET.get("to_site") or request.GET.get("site") or "").strip()
    near, exclude = _picker_place(request)
    sites = net_selectors.site_search(q=q, limit=20, near=near, exclude=exclude)
    if request.htmx:
        return render(request, "dispatch/_site_options.html", {"sites": sites})
    return JsonResponse(
        {
            "results": [
                {"code": s.code, "name": s.name, "province": s.province.name, "data_center": s.is_data_center}
                for s in sites
            ]
        }
    )


@scoping.role_required(R.LCS, R.HQ, R.MANAGER)
def silent_sites(request):
    at = timezone.now()
    qs = desk_selectors.silent_sites(user=request.user, at=at)
    table = SilentSiteTable(qs, now=at, viewer=request.user)
    RequestConfig(request, paginate={"per_page": 50, "paginator_class": LazyPaginator}).configure(table)
    return render(
        request, "dispatch/silent_sites.html", {"table": table, "minutes": desk_selectors.SILENT_MINUTES, "now": at}
    )


# ---------------------------------------------------------------- the site's couriers (self-service)


def _couriers_table(request) -> CourierTable:
    return CourierTable(desk_selectors.site_couriers(user=request.user), viewer=request.user)


def _couriers_page(request, *, typed: dict | None = None, status: int = 200):
    table = _couriers_table(request)
    RequestConfig(request, paginate=False).configure(table)
    return render(
        request,
        "dispatch/couriers.html",
        {
            "table": table,
            "sites": Site.objects.filter(pk__in=scoping.clerk_site_ids(request.user)).order_by("pk"),
            "typed": typed or {},
        },
        status=status,
    )


@scoping.role_required(R.CLERK)
def couriers(request):
    """业务员管理: the site's courier records."""
    if request.method == "POST":
        site = Site.objects.filter(
            pk__in=scoping.clerk_site_ids(request.user), pk=parse_id(request.POST.get("site")) or request.user.site_id
        ).first()
        added = service_call(
            request,
            lambda: courier_add(
                actor=request.user,
                site=site or request.user.site,
                name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""),
            ),
            lambda courier: _("Courier %(name)s added.") % {"name": courier.name},
        )
        if not added:
            return _couriers_page(request, typed=request.POST.dict())
        return redirect("dispatch:couriers")
    return _couriers_page(request)


@scoping.role_required(R.CLERK)
@require_POST
def courier_update(request, pk: int):
    courier = get_object_or_404(Courier, pk=pk, site_id__in=scoping.clerk_site_ids(request.user))
    action = request.POST.get("action")
    if action == "phone":
        call, success = (
            lambda: update(actor=request.user, courier_id=courier.pk, phone=request.POST.get("phone", "")),
            _("%(name)s's phone saved.") % {"name": courier.name},
        )
    elif action in ("deactivate", "activate"):
        call, success = (
            lambda: update(actor=request.user, courier_id=courier.pk, active=action == "activate"),
            (
                _("%(name)s can be assigned orders again.")
                if action == "activate"
                else _("%(name)s is no longer offered for new orders.")
            )
            % {"name": courier.name},
        )
    else:
        flash.error(request, _("Choose what to change."))
        return redirect("dispatch:couriers")
    if not service_call(request, call, success):
        typed_keep(request, form="courier", data={**request.POST.dict(), "courier_id": str(courier.pk)})
    return redirect("dispatch:couriers")


@scoping.role_required(R.CLERK)
@replica_reads()
def couriers_export(request):
    """The page's table (``table_export``)."""
    table = _couriers_table(request)
    RequestConfig(request, paginate=False).configure(table)
    return table_export(table, filename="couriers")


@scoping.role_required(R.LCS, R.HQ, R.MANAGER)
@replica_reads()
def silent_sites_export(request):
    """The page's table (``table_export``), the last refresh as a spreadsheet time."""
    at = timezone.now()
    table = SilentSiteTable(desk_selectors.silent_sites(user=request.user, at=at), now=at, viewer=request.user)
    RequestConfig(request, paginate=False).configure(table)
    return table_export(table, filename="silent-sites", limit=50_000)
