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
from core.sheets import table_export
from orders import selectors as order_selectors
from orders.filters import CancellationFilter, UnscannedFilter
from orders.models import OrderState
from orders.tables import CancellationTable, UnscannedTable

from .. import services
from .common import (
    R,
    _back,
    _ids,
    _report,
)

CANCELLATIONS_PER_PAGE = 100  # rows a page of 撤单处理


# ---------------------------------------------------------------- 撤单处理


@scoping.role_required(R.CLERK)
def cancellations(request):
    flt = CancellationFilter(
        request.GET, queryset=order_selectors.orders_cancelled(user=request.user), user=request.user
    )
    table = CancellationTable(flt.qs, viewer=request.user)
    RequestConfig(request, paginate={"per_page": CANCELLATIONS_PER_PAGE}).configure(table)
    return render(request, "dispatch/cancellations.html", {"filter": flt, "table": table, "handled": flt.switch})


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


def _unscanned_table(request) -> tuple:
    """The page's table, sorted as the page sorts it; a clerk of one site sees no site column (``ListTable``)."""
    flt = _unscanned(request)
    return flt, UnscannedTable(flt.qs, viewer=request.user)


@login_required
def unscanned(request):
    flt, table = _unscanned_table(request)
    RequestConfig(request, paginate={"per_page": 50, "paginator_class": LazyPaginator}).configure(table)
    return render(request, "dispatch/unscanned.html", {"filter": flt, "table": table})


@login_required
@replica_reads()
def unscanned_export(request):
    """Exactly the page's columns, in its order and sorted as it is (``table_export``)."""
    _flt, table = _unscanned_table(request)
    RequestConfig(request, paginate=False).configure(table)
    return table_export(table, filename="unscanned", limit=50_000)
