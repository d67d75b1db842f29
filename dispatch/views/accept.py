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
from orders.models import FailReason, OnlineOrder, OrderState

from .. import alerts, services
from ..services import site_refresh_note
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
    however long the queue)."""
    user = request.user
    ids = scoping.clerk_site_ids(user)
    page = _workbench_page(request)
    pending = (
        OnlineOrder.objects.filter(site_id__in=ids, state=OrderState.PENDING)
        .select_related("channel", "site")
        .order_by("accept_due_at", "id")
    )
    start = (page - 1) * WORKBENCH_LIMIT
    rows = list(pending[start : start + WORKBENCH_LIMIT + 1])
    site_refresh_note(site_id=user.site_id, user=user)
    more = len(rows) > WORKBENCH_LIMIT
    total = start + len(rows) if page == 1 and not more else order_selectors.pending_count(site_ids=ids)
    return {
        "orders": rows[:WORKBENCH_LIMIT],
        "more": more,
        "page": page,
        "pages": max(1, -(-total // WORKBENCH_LIMIT)),
        "pending_total": total,
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
    version = alerts.pending_version(user=request.user, page=_workbench_page(request))
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
            data=request.POST.dict(),
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
