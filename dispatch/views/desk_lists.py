"""The clerk's lists: 撤单处理 (cancellations to handle) and 站点未揽收查询 (orders not yet scanned)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from core import scoping
from core.replica import replica_reads
from core.sheets import xlsx_response
from orders import selectors as order_selectors
from orders.filters import UnscannedFilter
from orders.models import OnlineOrder, OrderState
from orders.tables import UnscannedTable

from .. import services
from .common import (
    R,
    _back,
    _ids,
    _report,
)

CANCELLATIONS_LIMIT = 100  # rows a page of 撤单处理


# ---------------------------------------------------------------- 撤单处理


@scoping.role_required(R.CLERK)
def cancellations(request):
    handled = request.GET.get("handled", "open")
    qs = (
        OnlineOrder.objects.filter(site_id__in=scoping.clerk_site_ids(request.user), state=OrderState.CANCELLED)
        .select_related("channel", "site")
        .order_by("-cancelled_at")
    )
    if handled == "open":
        qs = qs.filter(cancel_handled_at__isnull=True)
    elif handled == "done":
        qs = qs.filter(cancel_handled_at__isnull=False)
    return render(request, "dispatch/cancellations.html", {"orders": qs[:CANCELLATIONS_LIMIT], "handled": handled})


@scoping.role_required(R.CLERK)
@require_POST
def cancellations_handle(request):
    result = services.orders_cancel_handle(order_ids=_ids(request), actor=request.user)
    _report(request, result, _("marked as handled (已做撤单处理)"))
    return _back(request, "dispatch:cancellations")


# ---------------------------------------------------------------- 站点未揽收查询


def _unscanned(request):
    qs = order_selectors.orders_for(user=request.user).filter(
        state__in=[OrderState.ACCEPTED, OrderState.PICKED_UP], pickup_scan_at__isnull=True
    )
    return UnscannedFilter(request.GET, queryset=qs, user=request.user)


@login_required
def unscanned(request):
    flt = _unscanned(request)
    table = UnscannedTable(flt.qs.order_by("order_time"))
    RequestConfig(request, paginate={"per_page": 50, "paginator_class": LazyPaginator}).configure(table)
    return render(request, "dispatch/unscanned.html", {"filter": flt, "table": table})


@login_required
@replica_reads()
def unscanned_export(request):
    flt = _unscanned(request)
    rows = (
        (
            o.order_time,
            o.channel.name,
            o.channel_order_id,
            o.waybill_no or "",
            o.get_state_display(),
            o.site.code,
            o.site.name,
            o.courier.name if o.courier else "",
            o.accepted_at,
        )
        for o in flt.qs.order_by("order_time")[:50_000].iterator(chunk_size=2000)
    )
    return xlsx_response(
        filename="unscanned",
        headers=[
            _("Order time"),
            _("Channel"),
            _("Logistics no."),
            _("Waybill no."),
            _("State"),
            _("Site code"),
            _("Site name"),
            _("Courier"),
            _("Accepted at"),
        ],
        rows=rows,
    )
