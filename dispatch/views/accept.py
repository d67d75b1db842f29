"""网点接单: the pending queue and its answers (accept, transfer, accept-fail), one order or a batch."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import scoping
from core.kept_input import typed_keep
from core.parsing import parse_int
from orders import selectors as order_selectors
from orders.models import FailReason, OrderState

from .. import alerts, selectors, services
from ..filters import WorkbenchFilter
from ..services import site_refresh_note
from ..tables import WorkbenchTable
from .common import (
    R,
    _back,
    _field,
    _ids,
    _order,
    _report,
    _run,
    _site_from_input,
)

WORKBENCH_LIMIT = 100  # rows a page of 网点接单 (the most urgent first; the rest on the next pages)


# ---------------------------------------------------------------- 网点接单 (workbench)


def _workbench_page(request) -> int:
    return min(max(parse_int(request.GET.get("page"), 1) or 1, 1), 10_000)


def _workbench_context(request) -> dict:
    """One page of the pending queue, the most urgent first (``WORKBENCH_LIMIT`` rows: the page stays small
    however long the queue), narrowed by the page's filters (``WorkbenchFilter``)."""
    user = request.user
    ids = scoping.clerk_site_ids(user)
    page = _workbench_page(request)
    flt = WorkbenchFilter(request.GET, queryset=selectors.pending_orders(user=user), user=user)
    start = (page - 1) * WORKBENCH_LIMIT
    rows = list(flt.qs[start : start + WORKBENCH_LIMIT + 1])
    site_refresh_note(site_id=user.site_id, user=user)
    more = len(rows) > WORKBENCH_LIMIT
    filtered = flt.active
    if page == 1 and not more:  # the first page holds the whole list: no count needed
        matching = len(rows)
    else:
        matching = flt.qs.count() if filtered else order_selectors.pending_count(site_ids=ids)
    total = order_selectors.pending_count(site_ids=ids) if filtered else matching
    kept = request.GET.copy()
    kept.pop("page", None)
    return {
        "filter": flt,
        "filtered": filtered,
        "table": WorkbenchTable(rows[:WORKBENCH_LIMIT], viewer=user),
        "more": more,
        "page": page,
        "pages": max(1, -(-matching // WORKBENCH_LIMIT)),
        "matching": matching,
        "pending_total": total,  # the whole queue, whatever the filters (the tab's title, the alerts)
        "rows_query": request.GET.urlencode(),  # the poll asks for this very page
        "page_query": kept.urlencode() + "&" if kept else "",  # the pager keeps the filters
        "now": timezone.now(),
        "fail_reasons": FailReason.choices,
    }


@scoping.role_required(R.CLERK)
def workbench(request):
    return render(request, "dispatch/workbench.html", _workbench_context(request))


@scoping.role_required(R.CLERK)
def workbench_rows(request):
    """The rows alone, for the page's own polling and the alerts of every page (``alerts``): a conditional
    GET, 304 with no body when the queue is as the client last saw it. A poll is the site's refresh (recorded
    at most once a minute)."""
    version = alerts.pending_version(user=request.user, page=_workbench_page(request), query=request.GET.urlencode())
    if alerts.is_fresh(request, version):
        site_refresh_note(site_id=request.user.site_id, user=request.user)
        return alerts.not_modified(version)
    # the rows alone need none of the pages' context processors (the header's counts, the kept form input)
    html = render_to_string("dispatch/_workbench_rows.html", {**_workbench_context(request), "user": request.user})
    response = HttpResponse(html)
    response["ETag"] = version
    response["Cache-Control"] = "no-store"
    return response


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_accept(request, pk: int):
    order = _order(request, pk)
    _run(
        request,
        lambda: services.order_accept(
            order_id=order.pk, actor=request.user, expect=_field(request, "expect", pk) or OrderState.PENDING
        ),
        _("Order %(id)s accepted.") % {"id": order.channel_order_id},
    )
    return _back(request, "dispatch:workbench")


@scoping.role_required(R.CLERK)
@require_POST
def orders_accept_batch(request):
    result = services.orders_accept_batch(order_ids=_ids(request), actor=request.user)
    _report(request, result, _("accepted"))
    return _back(request, "dispatch:workbench")


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_transfer(request, pk: int):
    order = _order(request, pk)
    to_site = _site_from_input(request.POST.get("to_site", ""))
    if to_site is None:
        flash.error(
            request,
            _(
                "Choose the site to transfer to: type its name or code and pick it from the list, "
                "or choose the data center."
            ),
        )
        typed_keep(
            request,
            form="transfer-modal",
            modal="transfer-modal",
            action=request.path,
            order=order.channel_order_id,
            data=request.POST,
        )
        return _back(request, "dispatch:workbench")
    _run(
        request,
        lambda: services.order_transfer(
            order_id=order.pk,
            actor=request.user,
            to_site=to_site,
            text=request.POST.get("text", ""),
            expect=_field(request, "expect", pk) or None,
        ),
        _("Order %(id)s transferred to %(site)s.") % {"id": order.channel_order_id, "site": to_site.name},
        keep=("transfer-modal", request.path, order.channel_order_id),
    )
    return _back(request, "dispatch:workbench")


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_accept_fail(request, pk: int):
    order = _order(request, pk)
    _run(
        request,
        lambda: services.order_accept_fail(
            order_id=order.pk,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            text=request.POST.get("text", ""),
            expect=OrderState.PENDING,
        ),
        _("Order %(id)s marked as accept failed.") % {"id": order.channel_order_id},
        keep=("fail-modal", request.path, order.channel_order_id),
    )
    return _back(request, "dispatch:workbench")
