"""Site stock and e-waybill ranges."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import scoping
from core.models import Site
from core.parsing import is_digits
from core.redirects import safe_redirect
from core.replica import replica_reads
from core.sheets import xlsx_response
from core.view_calls import service_call
from orders import selectors as order_selectors

from . import services
from .exceptions import StockError
from .models import Consumable, StockLevel, StockMove, WaybillRange

R = scoping.Role


def _site(request) -> Site | None:
    if scoping.role_of(request.user) == R.CLERK:
        return request.user.site
    code = (request.GET.get("site") or request.POST.get("site") or "").strip()
    return scoping.visible_sites(request.user).filter(code=code).first() if code else None


def _int(raw) -> int | None:
    """A whole number typed in a form (ASCII digits, up to 20 of them: waybill numbers are 12–15), or None."""
    text = str(raw if raw is not None else "").strip()
    return int(text) if len(text) <= 20 and is_digits(text.removeprefix("-")) else None


@login_required
def stock(request):
    site = _site(request)
    if request.method == "POST":
        if site is None:
            flash.error(request, _("Choose the site."))
            return redirect("inventory:stock")
        consumable = Consumable.objects.filter(pk=_int(request.POST.get("consumable"))).first()
        action = request.POST.get("action")

        def act():
            if consumable is None:
                raise StockError(_("Choose the item."))
            if action == "count":
                return services.stock_take(
                    site=site, consumable=consumable, counted=_int(request.POST.get("counted")), actor=request.user
                )
            if action == "min":
                return services.min_level_set(
                    site=site,
                    consumable=consumable,
                    min_level=_int(request.POST.get("min_level")) or 0,
                    actor=request.user,
                )
            return services.stock_move(
                site=site,
                consumable=consumable,
                kind=action or "",
                quantity_=_int(request.POST.get("quantity")) or 0,
                reason=request.POST.get("reason", ""),
                actor=request.user,
            )

        service_call(request, act, _("Saved."))
        return redirect(f"{request.path}?site={site.code}")
    rows = []
    if site is not None:
        levels = dict(StockLevel.objects.filter(site=site).values_list("consumable_id", "min_level"))
        for item in Consumable.objects.all():
            qty = services.quantity(site_id=site.pk, consumable_id=item.pk)
            minimum = levels.get(item.pk, 0)
            rows.append({"item": item, "quantity": qty, "min": minimum, "low": minimum and qty < minimum})
    scope_ids = (
        None
        if scoping.is_national(request.user)
        else list(scoping.visible_sites(request.user).values_list("pk", flat=True))
    )
    return render(
        request,
        "inventory/stock.html",
        {
            "site": site,
            "rows": rows,
            "moves": StockMove.objects.filter(site=site).select_related("consumable", "actor")[:30] if site else [],
            "kinds": StockMove.Kind.choices,
            "low": services.low_stock(site_ids=scope_ids)[:100],
            "ranges": WaybillRange.objects.filter(site=site) if site else [],
            "is_clerk": scoping.role_of(request.user) == R.CLERK,
        },
    )


@scoping.role_required(R.HQ, R.LCS, R.MANAGER, R.CLERK)
def ranges(request):
    if request.method == "POST":
        if scoping.role_of(request.user) != R.HQ:
            flash.error(request, _("Only the HQ e-commerce team allocates e-waybill numbers."))
            return redirect("inventory:ranges")
        site = Site.objects.filter(code=(request.POST.get("site") or "").strip()).first()
        start, end = _int(request.POST.get("start")), _int(request.POST.get("end"))

        def allocate():
            if site is None:
                raise StockError(_("Choose the site."))
            if start is None or end is None:
                raise StockError(_("A range is two 12-digit numbers, the first not above the last."))
            return services.range_allocate(
                site=site,
                start=start,
                end=end,
                actor=request.user,
                warn_below=_int(request.POST.get("warn_below")) or 200,
            )

        service_call(request, allocate, _("Range allocated."))
        return redirect("inventory:ranges")
    qs = WaybillRange.objects.filter(scoping.site_ids_q(request.user)).select_related("site")
    return render(
        request, "inventory/ranges.html", {"ranges": qs[:300], "is_hq": scoping.role_of(request.user) == R.HQ}
    )


@scoping.role_required(R.CLERK, R.HQ)
@require_POST
def pickup_with_ewaybill(request, pk: int):
    """揽件确认 with the next free e-waybill number of the site's ranges."""
    order = get_object_or_404(order_selectors.orders_for(user=request.user), pk=pk)

    service_call(
        request,
        lambda: services.pickup_with_next_waybill(order_id=order.pk, actor=request.user),
        lambda number: (
            _("Order %(id)s picked up with e-waybill %(no)s.") % {"id": order.channel_order_id, "no": number}
        ),
    )
    return safe_redirect(request, request.POST.get("next"), "dispatch:pickup")


@login_required
@replica_reads()
def stock_export(request):
    """The chosen site's stock (item, quantity, minimum, below it), or without a site the items below their
    minimum across the user's scope, as the page lists them."""
    site = _site(request)
    if site is not None:
        levels = dict(StockLevel.objects.filter(site=site).values_list("consumable_id", "min_level"))
        rows = []
        for item in Consumable.objects.all():
            qty = services.quantity(site_id=site.pk, consumable_id=item.pk)
            minimum = levels.get(item.pk, 0)
            rows.append(
                (
                    site.code,
                    site.name,
                    item.name,
                    qty,
                    minimum,
                    _("below the minimum") if minimum and qty < minimum else "",
                )
            )
    else:
        scope_ids = (
            None
            if scoping.is_national(request.user)
            else list(scoping.visible_sites(request.user).values_list("pk", flat=True))
        )
        rows = [
            (s.code, s.name, item.name, qty, minimum, _("below the minimum"))
            for s, item, qty, minimum in services.low_stock(site_ids=scope_ids)
        ]
    return xlsx_response(
        filename="stock",
        headers=[_("Site code"), _("Site name"), _("Item"), _("Quantity"), _("Minimum"), _("Note")],
        rows=rows,
    )
