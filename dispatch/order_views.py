"""The site's pages on orders — 网点接单 (the workbench), 网点揽件, 撤单处理, 站点未揽收查询 — and HQ's 分件 page,
the site search used by transfers and dispatch, and the list of silent sites. Thin: parse, call one
operation, answer with a message in place."""
from __future__ import annotations

from datetime import datetime

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.paginators import LazyPaginator

from core import scoping
from core import selectors as net_selectors
from core.couriers import courier_add
from core.couriers import courier_update as update
from core.exceptions import DomainError
from core.exports import xlsx_response
from core.models import Courier, Site
from core.parsing import parse_id, parse_int, parse_moment
from core.plain import sheet_time
from core.redirects import safe_redirect
from core.actions import service_call
from core.typed import typed_keep
from orders import selectors as order_selectors
from orders.filters import UnscannedFilter
from orders.models import FailReason, OnlineOrder, OrderState
from orders.outbox import channels_reaching
from orders.services import order_cancel as cancel
from orders.tables import UnscannedTable

from . import alerts, courier_panel, operations, pickup_desk
from . import selectors as desk_selectors
from .corrections import order_waybill_correct as correct
from .services import site_refresh_note
from .tables import SilentSiteTable

R = scoping.Role
WORKBENCH_LIMIT = 100  # rows a page of 网点接单 (the most urgent first; the rest on the next pages)


def _back(request, default: str) -> HttpResponseRedirect:
    return safe_redirect(request, request.POST.get("next"), default)


def _ids(request) -> list[int]:
    return [pk for pk in (parse_id(raw) for raw in request.POST.getlist("ids")) if pk is not None]


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


def _named(request, result):
    """The batch's refusals, each prefixed with the order's 物流号 so the clerk knows which row to mend."""
    refused_ids = [pk for pk, _msg in result.refused]
    names = dict(order_selectors.orders_for(user=request.user).filter(pk__in=refused_ids)
                 .values_list("pk", "channel_order_id"))
    result.refused = [(pk, _("Order %(id)s: %(reason)s") % {"id": names.get(pk, pk), "reason": message})
                      for pk, message in result.refused]
    return result


def _run(request, call, success: str, *, keep: tuple[str, str, str] | None = None) -> None:
    """Call one operation and say how it went; a refusal keeps what was typed in the dialog ``keep`` =
    (dialog id, form action, order number), which the next page reopens."""
    modal, action, order = keep or ("", "", "")
    service_call(request, call, success,
                 keep={"form": modal, "modal": modal, "action": action, "order": order} if keep else None)


# ---------------------------------------------------------------- 网点接单 (workbench)

def _workbench_page(request) -> int:
    return min(max(parse_int(request.GET.get("page"), 1) or 1, 1), 10_000)


def _workbench_context(request) -> dict:
    """One page of the pending queue, the most urgent first (``WORKBENCH_LIMIT`` rows: the page stays small
    however long the queue, issue 17)."""
    user = request.user
    ids = scoping.clerk_site_ids(user)
    page = _workbench_page(request)
    pending = (OnlineOrder.objects.filter(site_id__in=ids, state=OrderState.PENDING)
               .select_related("channel", "site").order_by("accept_due_at", "id"))
    start = (page - 1) * WORKBENCH_LIMIT
    rows = list(pending[start: start + WORKBENCH_LIMIT + 1])
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
        typed_keep(request, form="transfer-modal", modal="transfer-modal", action=request.path,
                   order=order.channel_order_id, data=request.POST.dict())
        return _back(request, "dispatch:workbench")
    _run(request, lambda: operations.order_transfer(order_id=order.pk, actor=request.user, to_site=to_site,
                                                    text=request.POST.get("text", ""),
                                                    expect=_field(request, "expect", pk) or None),
         _("Order %(id)s transferred to %(site)s.") % {"id": order.channel_order_id, "site": to_site.name},
         keep=("transfer-modal", request.path, order.channel_order_id))
    return _back(request, "dispatch:workbench")


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_accept_fail(request, pk: int):
    order = _order(request, pk)
    _run(request, lambda: operations.order_accept_fail(order_id=order.pk, actor=request.user,
                                                       reason=request.POST.get("reason", ""),
                                                       text=request.POST.get("text", ""), expect=OrderState.PENDING),
         _("Order %(id)s marked as accept failed.") % {"id": order.channel_order_id},
         keep=("fail-modal", request.path, order.channel_order_id))
    return _back(request, "dispatch:workbench")


# ---------------------------------------------------------------- 网点揽件

def _pickup_couriers(request) -> list:
    return list(Courier.objects.filter(site_id__in=scoping.clerk_site_ids(request.user), active=True)
                .order_by("site_id", "name"))


@scoping.role_required(R.CLERK)
def pickup(request):
    """网点揽件, the scanner desk (``pickup_desk``): a scan box, filters by courier and time left."""
    at = timezone.now()
    f_courier, f_due = request.GET.get("courier", "").strip(), request.GET.get("due", "").strip()
    orders = pickup_desk.pickup_desk_list(user=request.user, at=at, courier=f_courier, due=f_due,
                                          limit=WORKBENCH_LIMIT + 1)
    return render(request, "dispatch/pickup.html", {
        "orders": orders[:WORKBENCH_LIMIT], "more": len(orders) > WORKBENCH_LIMIT,
        "couriers": _pickup_couriers(request), "fail_reasons": FailReason.choices, "now": at,
        "warn_seconds": pickup_desk.SOON_SECONDS, "due_choices": pickup_desk.DUE_CHOICES,
        "f_courier": f_courier, "f_due": f_due, "panel": courier_panel.courier_panel(user=request.user, at=at),
    })


@scoping.role_required(R.CLERK)
@require_POST
def pickup_scan(request):
    """One scan in the desk's scan box (htmx): the status next to the box, the touched rows swapped in place."""
    raw_armed = request.POST.get("armed", "")
    armed_id = parse_id(raw_armed)
    outcome = pickup_desk.pickup_scan(user=request.user, code=request.POST.get("code", ""), armed_id=armed_id)
    rows = []
    if outcome.order is not None:
        order = outcome.order
        state = outcome.status if outcome.status != "not_found" else "open"
        rows.append((order, state, outcome.message))
    if armed_id and armed_id != outcome.armed_id and (outcome.order is None or outcome.order.pk != armed_id):
        previous = pickup_desk.pickup_open_orders(user=request.user).filter(pk=armed_id).first()
        if previous is not None:
            rows.append((previous, "open", ""))
    return render(request, "dispatch/_pickup_scan.html", {
        "outcome": outcome, "rows": rows, "couriers": _pickup_couriers(request),
        "warn_seconds": pickup_desk.SOON_SECONDS,
    })


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_courier(request, pk: int):
    order = _order(request, pk)
    raw = _field(request, "courier", pk)
    # only the couriers of the order's own site: another site's courier is answered like a missing one
    courier = Courier.objects.filter(pk=parse_id(raw), site_id=order.site_id).first() if parse_id(raw) else None
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
    if request.htmx:  # the desk's row button: answer with the row itself, confirmed or with the reason
        try:
            order = operations.order_pickup_confirm(order_id=order.pk, actor=request.user, waybill=waybill)
        except DomainError as exc:
            order.refresh_from_db()
            row_state, row_message = "refused", exc.message
        else:
            row_state, row_message = "confirmed", ""
        return render(request, "dispatch/_pickup_row.html", {
            "o": order, "row_state": row_state, "row_message": row_message, "typed": waybill,
            "couriers": _pickup_couriers(request), "warn_seconds": pickup_desk.SOON_SECONDS})
    _run(request, lambda: operations.order_pickup_confirm(order_id=order.pk, actor=request.user, waybill=waybill),
         _("Order %(id)s picked up.") % {"id": order.channel_order_id})
    return _back(request, "dispatch:pickup")


@scoping.role_required(R.CLERK)
@require_POST
def orders_pickup_batch(request):
    items = [(pk, request.POST.get(f"waybill_{pk}", "")) for pk in _ids(request)]
    result = operations.orders_pickup_confirm_batch(items=items, actor=request.user)
    _report(request, _named(request, result), _("picked up"))
    return _back(request, "dispatch:pickup")


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_pickup_fail(request, pk: int):
    order = _order(request, pk)
    _run(request, lambda: operations.order_pickup_fail(order_id=order.pk, actor=request.user,
                                                       reason=request.POST.get("reason", ""),
                                                       text=request.POST.get("text", ""), expect=OrderState.ACCEPTED),
         _("Order %(id)s marked as pickup failed.") % {"id": order.channel_order_id},
         keep=("fail-modal", request.path, order.channel_order_id))
    return _back(request, "dispatch:pickup")


def _local_datetime(raw: str) -> datetime | None:
    return parse_moment(raw)


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_reappoint(request, pk: int):
    order = _order(request, pk)
    start, end = _local_datetime(request.POST.get("window_start")), _local_datetime(request.POST.get("window_end"))
    if start is None or end is None:
        flash.error(request, _("Enter the new window's start and end (date and time)."))
        typed_keep(request, form="reappoint-modal", modal="reappoint-modal", action=request.path,
                   order=order.channel_order_id, data=request.POST.dict())
        return _back(request, "dispatch:pickup")
    _run(request, lambda: operations.order_reappoint(order_id=order.pk, actor=request.user, window_start=start,
                                                     window_end=end, text=request.POST.get("text", "")),
         _("Order %(id)s re-appointed: pickup by %(end)s.")
         % {"id": order.channel_order_id, "end": timezone.localtime(end).strftime("%Y-%m-%d %H:%M")},
         keep=("reappoint-modal", request.path, order.channel_order_id))
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
    rows = ((o.order_time, o.channel.name, o.channel_order_id,
             o.waybill_no or "", o.get_state_display(), o.site.code, o.site.name,
             o.courier.name if o.courier else "",
             o.accepted_at)
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
    done = service_call(request, lambda: operations.orders_dispatch(order_ids=_ids(request), actor=request.user,
                                                                    to_site=to_site, text=request.POST.get("text", "")))
    if done:
        _report(request, done.result, _("dispatched to %(site)s") % {"site": to_site.name})
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
    qs = desk_selectors.silent_sites(user=request.user, at=at)
    table = SilentSiteTable(qs, now=at)
    RequestConfig(request, paginate={"per_page": 50, "paginator_class": LazyPaginator}).configure(table)
    return render(request, "dispatch/silent_sites.html", {"table": table, "minutes": desk_selectors.SILENT_MINUTES,
                                                          "now": at})



# ---------------------------------------------------------------- the site's couriers (self-service)

def _couriers_page(request, *, typed: dict | None = None, status: int = 200):
    ids = scoping.clerk_site_ids(request.user)
    return render(request, "dispatch/couriers.html", {
        "couriers": Courier.objects.filter(site_id__in=ids).select_related("site").order_by("-active", "site_id",
                                                                                              "name"),
        "sites": Site.objects.filter(pk__in=ids).order_by("pk"), "typed": typed or {}}, status=status)


@scoping.role_required(R.CLERK)
def couriers(request):
    """业务员管理: the site's courier records."""
    if request.method == "POST":

        site = Site.objects.filter(pk__in=scoping.clerk_site_ids(request.user),
                                   pk=parse_id(request.POST.get("site")) or request.user.site_id).first()
        added = service_call(request, lambda: courier_add(actor=request.user, site=site or request.user.site,
                                                          name=request.POST.get("name", ""),
                                                          phone=request.POST.get("phone", "")),
                             lambda courier: _("Courier %(name)s added.") % {"name": courier.name})
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
        call, success = (lambda: update(actor=request.user, courier_id=courier.pk, phone=request.POST.get("phone", "")),
                         _("%(name)s's phone saved.") % {"name": courier.name})
    elif action in ("deactivate", "activate"):
        call, success = (lambda: update(actor=request.user, courier_id=courier.pk, active=action == "activate"),
                         (_("%(name)s can be assigned orders again.") if action == "activate"
                          else _("%(name)s is no longer offered for new orders.")) % {"name": courier.name})
    else:
        flash.error(request, _("Choose what to change."))
        return redirect("dispatch:couriers")
    if not service_call(request, call, success):
        typed_keep(request, form="courier", data={**request.POST.dict(), "courier_id": str(courier.pk)})
    return redirect("dispatch:couriers")


@scoping.role_required(R.CLERK)
def couriers_export(request):
    ids = scoping.clerk_site_ids(request.user)
    rows = ((c.site.code, c.site.name, c.name, c.phone, _("active") if c.active else _("inactive"))
            for c in Courier.objects.filter(site_id__in=ids).select_related("site").order_by("site_id", "name"))
    return xlsx_response(filename="couriers", headers=[_("Site code"), _("Site name"), _("Courier"), _("Phone"),
                                                       _("State")], rows=rows)


@scoping.role_required(R.LCS, R.HQ, R.MANAGER)
def silent_sites_export(request):
    """The silent sites as listed, with the last refresh as a spreadsheet time."""

    at = timezone.now()
    rows = ((s.code, s.name, s.province.name, s.phone,
             sheet_time(getattr(getattr(s, "activity", None), "last_refresh_at", None)))  # never refreshed: empty
            for s in desk_selectors.silent_sites(user=request.user, at=at)[:50_000])
    return xlsx_response(filename="silent-sites", headers=[_("Site code"), _("Site name"), _("Province"),
                                                           _("Phone"), _("Last refresh")], rows=rows)


@scoping.role_required(R.CLERK)
@require_POST
def order_waybill_correct(request, pk: int):
    """运单号更正 by the site that picked the order up (``corrections``)."""

    order = _order(request, pk)
    old = order.waybill_no
    service_call(request, lambda: correct(order_id=order.pk, actor=request.user, waybill=request.POST.get("waybill", ""),
                                          reason=request.POST.get("text", "")),
                 lambda done: _("Waybill number of order %(id)s corrected from %(old)s to %(new)s; the channel is "
                                "told.") % {"id": done.channel_order_id, "old": old, "new": done.waybill_no},
                 keep={"form": "waybill_correct"})
    return redirect("orders:order_detail", pk=order.pk)


@scoping.role_required(R.CLERK)
def pickup_couriers(request):
    """网点揽件's courier panel, polled every few seconds: assigned / picked up / failed today per courier, and
    the untouched orders due within 2 hours."""
    at = timezone.now()
    return render(request, "dispatch/_courier_panel.html", {
        "panel": courier_panel.courier_panel(user=request.user, at=at),
        "closed": courier_panel.recently_closed(user=request.user, at=at),
        "warn_seconds": pickup_desk.SOON_SECONDS})
