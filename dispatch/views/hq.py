"""HQ's dispatch: the 分件 queue (orders no site took), reopening and cancelling orders."""

from __future__ import annotations

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core import scoping
from core.view_calls import service_call
from orders.services import order_cancel as cancel

from .. import selectors, services
from ..filters import DataCenterFilter
from ..tables import DataCenterTable
from .common import (
    ROWS_PER_PAGE,
    R,
    _back,
    _ids,
    _order,
    _report,
    _run,
    _site_from_input,
)

# ---------------------------------------------------------------- HQ: 分件, reopen, cancel on the channel's behalf


@scoping.role_required(R.HQ)
def hq_dispatch(request):
    """分件: the data center's queue (``DataCenterTable``), narrowed by ``DataCenterFilter``, a page at a time; only the
    page's rows are read for what HQ decides on (``data_center_rows``: three queries whatever the page's length)."""
    queue = selectors.data_center_queue(user=request.user)
    flt = DataCenterFilter(request.GET, queryset=queue, user=request.user)
    table = DataCenterTable(flt.qs, viewer=request.user)
    RequestConfig(request, paginate={"per_page": ROWS_PER_PAGE}).configure(table)
    now = timezone.now()
    rows = table.page.object_list
    rows.data = selectors.data_center_rows(rows.data, at=now)
    first = queue.first()
    return render(
        request,
        "dispatch/hq_dispatch.html",
        {
            "filter": flt,
            "filtered": flt.active,
            "table": table,
            "waiting": queue.count(),  # the whole queue, whatever the filters
            "now": now,
            "oldest_minutes": int((now - first.order_time).total_seconds() // 60) if first else 0,
        },
    )


@scoping.role_required(R.HQ)
@require_POST
def hq_dispatch_submit(request):
    to_site = _site_from_input(request.POST.get("to_site", ""))
    if to_site is None:
        flash.error(request, _("Choose the site to dispatch to: type its name or code and pick it from the list."))
        return _back(request, "dispatch:hq_dispatch")
    done = service_call(
        request,
        lambda: services.orders_dispatch(
            order_ids=_ids(request), actor=request.user, to_site=to_site, text=request.POST.get("text", "")
        ),
    )
    if done:
        _report(request, done.result, _("dispatched to %(site)s") % {"site": to_site.name})
    return _back(request, "dispatch:hq_dispatch")


@scoping.role_required(R.HQ)
@require_POST
def order_reopen(request, pk: int):
    order = _order(request, pk)
    to_site = _site_from_input(request.POST.get("to_site", "")) or order.site
    _run(
        request,
        lambda: services.order_reopen(
            order_id=order.pk, actor=request.user, to_site=to_site, text=request.POST.get("text", "")
        ),
        _("Order %(id)s reopened at %(site)s.") % {"id": order.channel_order_id, "site": to_site.name},
    )
    return redirect("orders:order_detail", pk=order.pk)


@scoping.role_required(R.HQ)
@require_POST
def order_cancel(request, pk: int):
    order = _order(request, pk)
    text = request.POST.get("text", "").strip()
    if not text:
        flash.error(request, _("Say who asked for the cancellation and how."))
        return redirect("orders:order_detail", pk=order.pk)
    _run(
        request,
        lambda: cancel(order_id=order.pk, actor=request.user, text=text),
        _("Order %(id)s cancelled; the site will see it under 撤单处理.") % {"id": order.channel_order_id},
    )
    return redirect("orders:order_detail", pk=order.pk)
