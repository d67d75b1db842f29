"""网点揽件: the scan desk, courier assignment, pickup confirmation or failure, re-appointment, waybill reminders
and corrections, and the live courier panel."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import scoping
from core.kept_input import typed_keep
from core.models import Courier
from core.parsing import parse_id, parse_int, parse_moment
from core.view_calls import service_call
from orders.models import FailReason, OrderState, SenderIdCheck
from orders.outbox import channels_reaching
from orders.sender_id import sender_id_required_ids

from .. import courier_panel, pickup_desk, selectors, services
from ..corrections import order_waybill_correct as correct
from ..filters import PickupFilter
from ..tables import PickupTable
from .common import (
    ROWS_PER_PAGE,
    R,
    _back,
    _field,
    _ids,
    _named,
    _order,
    _report,
    _run,
)

# ---------------------------------------------------------------- 网点揽件


def _mark_sender_id(orders, at) -> None:
    """``o.id_needed`` on each row: its pickup waits for the sender's identity check (实名收寄)."""
    needed = sender_id_required_ids(orders, at=at)
    for o in orders:
        o.id_needed = o.pk in needed


def _pickup_couriers(request) -> list:
    return list(
        Courier.objects.filter(site_id__in=scoping.clerk_site_ids(request.user), active=True).order_by(
            "site_id", "name"
        )
    )


def _row_context(request) -> dict:
    """What a row of the desk needs besides its order (``dispatch/_pickup_row.html``): the couriers to choose
    from, the warning threshold and the table, whose columns the row writes (a one-site clerk's has no site)."""
    return {
        "couriers": _pickup_couriers(request),
        "warn_seconds": pickup_desk.SOON_SECONDS,
        "table": PickupTable([], viewer=request.user),
    }


@scoping.role_required(R.CLERK)
def pickup(request):
    """网点揽件, the scanner desk (``pickup_desk``): a scan box, the accepted orders savable first
    (``selectors.pickup_orders``), narrowed by ``PickupFilter`` (courier, time left, number, channel, site)."""
    at = timezone.now()
    row_context = _row_context(request)
    flt = PickupFilter(
        request.GET,
        queryset=selectors.pickup_orders(user=request.user, at=at),
        user=request.user,
        couriers=row_context["couriers"],
        at=at,
    )
    page = min(max(parse_int(request.GET.get("page"), 1) or 1, 1), 10_000)
    start = (page - 1) * ROWS_PER_PAGE
    orders = list(flt.qs[start : start + ROWS_PER_PAGE + 1])
    _mark_sender_id(orders[:ROWS_PER_PAGE], at)
    more = len(orders) > ROWS_PER_PAGE
    # the first page holding the whole list needs no count; otherwise one count over the site's accepted orders
    matching = len(orders) if page == 1 and not more else flt.qs.count()
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "dispatch/pickup.html",
        {
            **row_context,
            "filter": flt,
            "filtered": flt.active,
            "table": PickupTable(orders[:ROWS_PER_PAGE], viewer=request.user),
            "more": more,
            "limit": ROWS_PER_PAGE,
            "page": page,
            "pages": max(1, -(-matching // ROWS_PER_PAGE)),
            "matching": matching,
            "page_query": kept.urlencode() + "&" if kept else "",  # the pager keeps the filters
            "fail_reasons": FailReason.choices,
            "now": at,
            "arm_seconds": pickup_desk.ARM_SECONDS,
            "doc_types": SenderIdCheck.DocType.choices,
            "panel": courier_panel.courier_panel(user=request.user, at=at),
        },
    )


@scoping.role_required(R.CLERK)
@require_POST
def pickup_scan(request):
    """One scan in the desk's scan box (htmx): the status next to the box, the touched rows swapped in place."""
    raw_armed = request.POST.get("armed", "")
    armed_id = parse_id(raw_armed)
    armed_at = parse_moment(request.POST.get("armed_at", ""))
    outcome = pickup_desk.pickup_scan(
        user=request.user, code=request.POST.get("code", ""), armed_id=armed_id, armed_at=armed_at
    )
    rows = []
    if outcome.order is not None:
        order = outcome.order
        state = outcome.status if outcome.status != "not_found" else "open"
        rows.append((order, state, outcome.message))
    if armed_id and armed_id != outcome.armed_id and (outcome.order is None or outcome.order.pk != armed_id):
        previous = pickup_desk.pickup_open_orders(user=request.user).filter(pk=armed_id).first()
        if previous is not None:
            rows.append((previous, "open", ""))
    _mark_sender_id([row[0] for row in rows], timezone.now())
    return render(
        request,
        "dispatch/_pickup_scan.html",
        {
            **_row_context(request),
            "outcome": outcome,
            "rows": rows,
            "arm_seconds": pickup_desk.ARM_SECONDS,
        },
    )


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_courier(request, pk: int):
    """Assign (or re-assign) the order's courier. From the desk's row (htmx) the answer is the row itself, with the
    outcome under the courier's list, the waybill typed in that row kept and the other rows untouched."""
    order = _order(request, pk)
    raw = _field(request, "courier", pk)
    # only the couriers of the order's own site: another site's courier is answered like a missing one
    courier = Courier.objects.filter(pk=parse_id(raw), site_id=order.site_id).first() if parse_id(raw) else None
    if request.htmx:
        note, refused = "", True
        if courier is None:
            note = _("Choose a courier from the list.")
        else:
            assigned = service_call(
                request,
                lambda: services.order_courier_assign(order_id=order.pk, actor=request.user, courier=courier),
                announce=False,
            )
            if assigned:
                note, refused = _("%(name)s will pick it up.") % {"name": courier.name}, False
            else:
                note = assigned.error.message
        order.refresh_from_db()
        return render(
            request,
            "dispatch/_pickup_row.html",
            {
                "o": order,
                "typed": _field(request, "waybill", pk),
                "courier_note": note,
                "courier_refused": refused,
                **_row_context(request),
            },
        )
    if courier is None:
        flash.error(request, _("Choose a courier from the list."))
        return _back(request, "dispatch:pickup")
    _run(
        request,
        lambda: services.order_courier_assign(order_id=order.pk, actor=request.user, courier=courier),
        _("%(name)s will pick up order %(id)s.") % {"name": courier.name, "id": order.channel_order_id},
    )
    return _back(request, "dispatch:pickup")


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_pickup_confirm(request, pk: int):
    order = _order(request, pk)
    waybill = _field(request, "waybill", pk)
    if request.htmx:  # the desk's row button: answer with the row itself, confirmed or with the reason
        confirmed = service_call(
            request,
            lambda: services.order_pickup_confirm(order_id=order.pk, actor=request.user, waybill=waybill),
            announce=False,
        )
        if confirmed:
            order, row_state, row_message = confirmed.result, "confirmed", ""
        else:
            order.refresh_from_db()
            row_state, row_message = "refused", confirmed.error.message
        _mark_sender_id([order], timezone.now())
        return render(
            request,
            "dispatch/_pickup_row.html",
            {
                "o": order,
                "row_state": row_state,
                "row_message": row_message,
                "typed": waybill,
                **_row_context(request),
            },
        )
    _run(
        request,
        lambda: services.order_pickup_confirm(order_id=order.pk, actor=request.user, waybill=waybill),
        _("Order %(id)s picked up.") % {"id": order.channel_order_id},
    )
    return _back(request, "dispatch:pickup")


@scoping.role_required(R.CLERK)
@require_POST
def orders_pickup_batch(request):
    items = [(pk, request.POST.get(f"waybill_{pk}", "")) for pk in _ids(request)]
    result = services.orders_pickup_confirm_batch(items=items, actor=request.user)
    _report(request, _named(request, result), _("picked up"))
    return _back(request, "dispatch:pickup")


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_pickup_fail(request, pk: int):
    order = _order(request, pk)
    _run(
        request,
        lambda: services.order_pickup_fail(
            order_id=order.pk,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            text=request.POST.get("text", ""),
            expect=OrderState.ACCEPTED,
        ),
        _("Order %(id)s marked as pickup failed.") % {"id": order.channel_order_id},
        keep=("fail-modal", request.path, order.channel_order_id),
    )
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
        typed_keep(
            request,
            form="reappoint-modal",
            modal="reappoint-modal",
            action=request.path,
            order=order.channel_order_id,
            data=request.POST,
        )
        return _back(request, "dispatch:pickup")
    _run(
        request,
        lambda: services.order_reappoint(
            order_id=order.pk, actor=request.user, window_start=start, window_end=end, text=request.POST.get("text", "")
        ),
        _("Order %(id)s re-appointed: pickup by %(end)s.")
        % {"id": order.channel_order_id, "end": timezone.localtime(end).strftime("%Y-%m-%d %H:%M")},
        keep=("reappoint-modal", request.path, order.channel_order_id),
    )
    return _back(request, "dispatch:pickup")


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_waybill_remind(request, pk: int):
    order = _order(request, pk)
    reaching = channels_reaching(order=order, kind="waybill_reminder")
    if reaching:
        done = _("The customer of order %(id)s will be reminded to supply the waybill number (through %(via)s).") % {
            "id": order.channel_order_id,
            "via": "、".join(reaching),
        }
    else:  # say plainly that the reminder goes nowhere
        done = _(
            "Reminder recorded, but %(channel)s has no way to pass it on: call the sender (%(phone)s) for the "
            "waybill number of order %(id)s."
        ) % {"channel": order.channel.name, "phone": order.sender_phone, "id": order.channel_order_id}
    _run(request, lambda: services.order_waybill_remind(order_id=order.pk, actor=request.user), done)
    return _back(request, "dispatch:pickup")


@scoping.role_required(R.CLERK)
@require_POST
def order_waybill_correct(request, pk: int):
    """运单号更正 by the site that picked the order up (``corrections``)."""
    order = _order(request, pk)
    old = order.waybill_no
    service_call(
        request,
        lambda: correct(
            order_id=order.pk,
            actor=request.user,
            waybill=request.POST.get("waybill", ""),
            reason=request.POST.get("text", ""),
        ),
        lambda done: (
            _("Waybill number of order %(id)s corrected from %(old)s to %(new)s; the channel is told.")
            % {"id": done.channel_order_id, "old": old, "new": done.waybill_no}
        ),
        keep={"form": "waybill_correct"},
    )
    return redirect("orders:order_detail", pk=order.pk)


@scoping.role_required(R.CLERK)
def pickup_couriers(request):
    """网点揽件's courier panel, polled every few seconds: assigned / picked up / failed today per courier, and
    the untouched orders due within 2 hours."""
    at = timezone.now()
    return render(
        request,
        "dispatch/_courier_panel.html",
        {
            "panel": courier_panel.courier_panel(user=request.user, at=at),
            "closed": courier_panel.recently_closed(user=request.user, at=at),
            "warn_seconds": pickup_desk.SOON_SECONDS,
        },
    )


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def order_sender_id(request, pk: int):
    """实名收寄 at the desk: the sender's identity document of an order waiting for pickup (never kept in the
    session or echoed back: a refusal names the field, the clerk types it again)."""
    order = _order(request, pk)
    _run(
        request,
        lambda: services.order_sender_id_record(
            order_id=order.pk,
            actor=request.user,
            doc_type=request.POST.get("doc_type", ""),
            number=request.POST.get("id_number", ""),
            name=request.POST.get("id_name", ""),
        ),
        _("The sender of order %(id)s is verified (实名收寄).") % {"id": order.channel_order_id},
    )
    return _back(request, "dispatch:pickup")
