"""The site's pages on orders — 网点接单 (the workbench), 网点揽件, 撤单处理, 站点未揽收查询 — and HQ's 分件 page,
the site search used by transfers and dispatch, and the list of silent sites. Thin: parse, call one
operation, answer with a message in place."""
from __future__ import annotations

from datetime import datetime

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from orders import selectors as order_selectors
from orders.filters import UnscannedFilter
from orders.models import FailReason, OnlineOrder, OrderState
from orders.outbox import channels_reaching
from orders.tables import UnscannedTable

from . import clock, operations, scoping
from . import selectors as net_selectors
from .exceptions import DomainError
from .exports import xlsx_response
from .models import Courier, Site
from .services import site_refresh_record
from .tables import SilentSiteTable

R = scoping.Role
WORKBENCH_LIMIT = 500


def _back(request, default: str) -> HttpResponseRedirect:
    nxt = request.POST.get("next") or ""
    if nxt.startswith("/") and not nxt.startswith("//"):
        return HttpResponseRedirect(nxt)
    return redirect(default)


def _ids(request) -> list[int]:
    out = []
    for raw in request.POST.getlist("ids"):
        try:
            out.append(int(raw))
        except (TypeError, ValueError):
            continue
    return out


def _field(request, name: str, pk: int) -> str:
    """A row's own field in a list form (``name_<pk>``) or the plain field of a one-order form."""
    return (request.POST.get(f"{name}_{pk}") or request.POST.get(name) or "").strip()


def _order(request, pk: int) -> OnlineOrder:
    return get_object_or_404(order_selectors.orders_for(user=request.user), pk=pk)


def _site_from_input(raw: str) -> Site | None:
    """The site a person picked in the search box: "code", "code name" or the data center."""
    raw = (raw or "").strip()
    if not raw:
        return None
    code = raw.split()[0]
    return Site.objects.filter(code=code).first()


def _report(request, result, verb: str) -> None:
    if result.done:
        flash.success(request, _("%(n)d orders %(verb)s.") % {"n": len(result.done), "verb": verb})
    for _pk, message in result.refused[:10]:
        flash.error(request, message)
    if len(result.refused) > 10:
        flash.error(request, _("…and %(n)d more were not changed.") % {"n": len(result.refused) - 10})
    if not result.done and not result.refused:
        flash.warning(request, _("Select at least one order first."))


def _run(request, call, success: str) -> None:
    try:
        call()
    except DomainError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, success)


# ---------------------------------------------------------------- 网点接单 (workbench)

def _workbench_context(request) -> dict:
    user = request.user
    ids = scoping.clerk_site_ids(user)
    pending = (OnlineOrder.objects.filter(site_id__in=ids, state=OrderState.PENDING)
               .select_related("channel", "site").order_by("accept_due_at", "id"))
    rows = list(pending[: WORKBENCH_LIMIT + 1])
    site_refresh_record(site_id=user.site_id, user=user)
    return {
        "orders": rows[:WORKBENCH_LIMIT],
        "more": len(rows) > WORKBENCH_LIMIT,
        "pending_total": len(rows) if len(rows) <= WORKBENCH_LIMIT else order_selectors.pending_count(site_ids=ids),
        "now": timezone.now(),
        "fail_reasons": FailReason.choices,
    }


@scoping.role_required(R.CLERK)
def workbench(request):
    return render(request, "dispatch/workbench.html", _workbench_context(request))


@scoping.role_required(R.CLERK)
def workbench_rows(request):
    """The rows alone, for the page's own polling (each poll is the site's refresh)."""
    return render(request, "dispatch/_workbench_rows.html", _workbench_context(request))


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_accept(request, pk: int):
    order = _order(request, pk)
    _run(request, lambda: operations.order_accept(order_id=order.pk, actor=request.user,
                                                  expect=_field(request, "expect", pk) or OrderState.PENDING),
         _("Order %(id)s accepted.") % {"id": order.channel_order_id})
    return _back(request, "dispatch:workbench")


@scoping.role_required(R.CLERK)
@require_POST
def orders_accept_batch(request):
    result = operations.orders_accept_batch(order_ids=_ids(request), actor=request.user)
    _report(request, result, _("accepted"))
    return _back(request, "dispatch:workbench")


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_transfer(request, pk: int):
    order = _order(request, pk)
    to_site = _site_from_input(request.POST.get("to_site", ""))
    if to_site is None:
        flash.error(request, _("Choose the site to transfer to: type its name or code and pick it from the list, "
                               "or choose the data center."))
        return _back(request, "dispatch:workbench")
    _run(request, lambda: operations.order_transfer(order_id=order.pk, actor=request.user, to_site=to_site,
                                                    text=request.POST.get("text", ""),
                                                    expect=_field(request, "expect", pk) or None),
         _("Order %(id)s transferred to %(site)s.") % {"id": order.channel_order_id, "site": to_site.name})
    return _back(request, "dispatch:workbench")


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_accept_fail(request, pk: int):
    order = _order(request, pk)
    _run(request, lambda: operations.order_accept_fail(order_id=order.pk, actor=request.user,
                                                       reason=request.POST.get("reason", ""),
                                                       text=request.POST.get("text", ""), expect=OrderState.PENDING),
         _("Order %(id)s marked as accept failed.") % {"id": order.channel_order_id})
    return _back(request, "dispatch:workbench")


# ---------------------------------------------------------------- 网点揽件

@scoping.role_required(R.CLERK)
def pickup(request):
    ids = scoping.clerk_site_ids(request.user)
    orders = list(OnlineOrder.objects.filter(site_id__in=ids, state=OrderState.ACCEPTED)
                  .select_related("channel", "site", "courier").order_by("pickup_due_at", "id")[:WORKBENCH_LIMIT])
    couriers = list(Courier.objects.filter(site_id__in=ids, active=True).order_by("site_id", "name"))
    return render(request, "dispatch/pickup.html", {
        "orders": orders, "couriers": couriers, "fail_reasons": FailReason.choices, "now": timezone.now(),
        "warn_seconds": 7200,
    })


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_courier(request, pk: int):
    order = _order(request, pk)
    raw = _field(request, "courier", pk)
    courier = Courier.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if courier is None:
        flash.error(request, _("Choose a courier from the list."))
        return _back(request, "dispatch:pickup")
    _run(request, lambda: operations.order_courier_assign(order_id=order.pk, actor=request.user, courier=courier),
         _("%(name)s will pick up order %(id)s.") % {"name": courier.name, "id": order.channel_order_id})
    return _back(request, "dispatch:pickup")


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_pickup_confirm(request, pk: int):
    order = _order(request, pk)
    waybill = _field(request, "waybill", pk)
    _run(request, lambda: operations.order_pickup_confirm(order_id=order.pk, actor=request.user, waybill=waybill),
         _("Order %(id)s picked up.") % {"id": order.channel_order_id})
    return _back(request, "dispatch:pickup")


@scoping.role_required(R.CLERK)
@require_POST
def orders_pickup_batch(request):
    items = [(pk, request.POST.get(f"waybill_{pk}", "")) for pk in _ids(request)]
    result = operations.orders_pickup_confirm_batch(items=items, actor=request.user)
    _report(request, result, _("picked up"))
    return _back(request, "dispatch:pickup")


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_pickup_fail(request, pk: int):
    order = _order(request, pk)
    _run(request, lambda: operations.order_pickup_fail(order_id=order.pk, actor=request.user,
                                                       reason=request.POST.get("reason", ""),
                                                       text=request.POST.get("text", ""), expect=OrderState.ACCEPTED),
         _("Order %(id)s marked as pickup failed.") % {"id": order.channel_order_id})
    return _back(request, "dispatch:pickup")


def _local_datetime(raw: str) -> datetime | None:
    value = parse_datetime((raw or "").strip())
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, clock.tz())
    return value


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_reappoint(request, pk: int):
    order = _order(request, pk)
    start, end = _local_datetime(request.POST.get("window_start")), _local_datetime(request.POST.get("window_end"))
    if start is None or end is None:
        flash.error(request, _("Enter the new window's start and end (date and time)."))
        return _back(request, "dispatch:pickup")
    _run(request, lambda: operations.order_reappoint(order_id=order.pk, actor=request.user, window_start=start,
                                                     window_end=end, text=request.POST.get("text", "")),
         _("Order %(id)s re-appointed: pickup by %(end)s.")
         % {"id": order.channel_order_id, "end": timezone.localtime(end).strftime("%Y-%m-%d %H:%M")})
    return _back(request, "dispatch:pickup")


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_waybill_remind(request, pk: int):
    order = _order(request, pk)
    reaching = channels_reaching(order=order, kind="waybill_reminder")
    if reaching:
        done = _("The customer of order %(id)s will be reminded to supply the waybill number (through %(via)s).") % {
            "id": order.channel_order_id, "via": "、".join(reaching)}
    else:  # say plainly that the reminder goes nowhere
        done = _("Reminder recorded, but %(channel)s has no way to pass it on: call the sender (%(phone)s) for the "
                 "waybill number of order %(id)s.") % {"channel": order.channel.name, "phone": order.sender_phone,
                                                      "id": order.channel_order_id}
    _run(request, lambda: operations.order_waybill_remind(order_id=order.pk, actor=request.user), done)
    return _back(request, "dispatch:pickup")


# ---------------------------------------------------------------- 撤单处理

@scoping.role_required(R.CLERK)
def cancellations(request):
    handled = request.GET.get("handled", "open")
    qs = (OnlineOrder.objects.filter(site_id__in=scoping.clerk_site_ids(request.user), state=OrderState.CANCELLED)
          .select_related("channel", "site").order_by("-cancelled_at"))
    if handled == "open":
        qs = qs.filter(cancel_handled_at__isnull=True)
    elif handled == "done":
        qs = qs.filter(cancel_handled_at__isnull=False)
    return render(request, "dispatch/cancellations.html", {"orders": qs[:WORKBENCH_LIMIT], "handled": handled})


@scoping.role_required(R.CLERK)
@require_POST
def cancellations_handle(request):
    result = operations.orders_cancel_handle(order_ids=_ids(request), actor=request.user)
    _report(request, result, _("marked as handled (已做撤单处理)"))
    return _back(request, "dispatch:cancellations")


# ---------------------------------------------------------------- 站点未揽收查询

def _unscanned(request):
    qs = (order_selectors.orders_for(user=request.user)
          .filter(state__in=[OrderState.ACCEPTED, OrderState.PICKED_UP], pickup_scan_at__isnull=True))
    return UnscannedFilter(request.GET, queryset=qs, user=request.user)


@login_required
def unscanned(request):
    flt = _unscanned(request)
    table = UnscannedTable(flt.qs.order_by("order_time"))
    RequestConfig(request, paginate={"per_page": 50, "paginator_class": LazyPaginator}).configure(table)
    return render(request, "dispatch/unscanned.html", {"filter": flt, "table": table})


@login_required
def unscanned_export(request):
    flt = _unscanned(request)
    rows = ((timezone.localtime(o.order_time).strftime("%Y-%m-%d %H:%M"), o.channel.name, o.channel_order_id,
             o.waybill_no or "", o.get_state_display(), o.site.code, o.site.name,
             o.courier.name if o.courier else "",
             timezone.localtime(o.accepted_at).strftime("%Y-%m-%d %H:%M") if o.accepted_at else "")
            for o in flt.qs.order_by("order_time")[:50_000].iterator(chunk_size=2000))
    return xlsx_response(filename="unscanned", headers=[
        _("Order time"), _("Channel"), _("Logistics no."), _("Waybill no."), _("State"), _("Site code"),
        _("Site name"), _("Courier"), _("Accepted at")], rows=rows)


# ---------------------------------------------------------------- HQ: 分件, reopen, cancel on the channel's behalf

@scoping.role_required(R.HQ)
def hq_dispatch(request):
    queue = (OnlineOrder.objects.filter(site__is_data_center=True, state=OrderState.PENDING)
             .select_related("channel").order_by("order_time", "id"))
    now = timezone.now()
    first = queue.first()
    return render(request, "dispatch/hq_dispatch.html", {
        "orders": queue[:WORKBENCH_LIMIT], "waiting": queue.count(), "now": now,
        "oldest_minutes": int((now - first.order_time).total_seconds() // 60) if first else 0,
    })


@scoping.role_required(R.HQ)
@require_POST
def hq_dispatch_submit(request):
    to_site = _site_from_input(request.POST.get("to_site", ""))
    if to_site is None:
        flash.error(request, _("Choose the site to dispatch to: type its name or code and pick it from the list."))
        return _back(request, "dispatch:hq_dispatch")
    try:
        result = operations.orders_dispatch(order_ids=_ids(request), actor=request.user, to_site=to_site,
                                            text=request.POST.get("text", ""))
    except DomainError as exc:
        flash.error(request, exc.message)
    else:
        _report(request, result, _("dispatched to %(site)s") % {"site": to_site.name})
    return _back(request, "dispatch:hq_dispatch")


@scoping.role_required(R.HQ)
@require_POST
def order_reopen(request, pk: int):
    order = _order(request, pk)
    to_site = _site_from_input(request.POST.get("to_site", "")) or order.site
    _run(request, lambda: operations.order_reopen(order_id=order.pk, actor=request.user, to_site=to_site,
                                                  text=request.POST.get("text", "")),
         _("Order %(id)s reopened at %(site)s.") % {"id": order.channel_order_id, "site": to_site.name})
    return redirect("orders:order_detail", pk=order.pk)


@scoping.role_required(R.HQ)
@require_POST
def order_cancel(request, pk: int):
    from orders.services import order_cancel as cancel

    order = _order(request, pk)
    text = request.POST.get("text", "").strip()
    if not text:
        flash.error(request, _("Say who asked for the cancellation and how."))
        return redirect("orders:order_detail", pk=order.pk)
    _run(request, lambda: cancel(order_id=order.pk, actor=request.user, text=text),
         _("Order %(id)s cancelled; the site will see it under 撤单处理.") % {"id": order.channel_order_id})
    return redirect("orders:order_detail", pk=order.pk)


# ---------------------------------------------------------------- network helpers

@login_required
def site_search(request):
    """The site picker of transfers and dispatch: by code prefix or part of the name, 20 at most, never a
    20,000-option select. Answers JSON, or <option>s for a <datalist> when htmx asks."""
    q = (request.GET.get("q") or request.GET.get("to_site") or "").strip()
    sites = net_selectors.site_search(q=q, limit=20)
    if request.htmx:
        return render(request, "dispatch/_site_options.html", {"sites": sites})
    return JsonResponse({"results": [{"code": s.code, "name": s.name, "province": s.province.name,
                                      "data_center": s.is_data_center} for s in sites]})


@scoping.role_required(R.LCS, R.HQ, R.MANAGER)
def silent_sites(request):
    at = timezone.now()
    qs = net_selectors.silent_sites(user=request.user, at=at)
    table = SilentSiteTable(qs, now=at)
    RequestConfig(request, paginate={"per_page": 50, "paginator_class": LazyPaginator}).configure(table)
    return render(request, "dispatch/silent_sites.html", {"table": table, "minutes": net_selectors.SILENT_MINUTES,
                                                          "now": at})

