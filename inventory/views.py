"""Site stock and e-waybill ranges."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core import scoping
from core.models import Site
from core.parsing import is_digits
from core.redirects import safe_redirect
from core.replica import replica_reads
from core.sheets import table_export
from core.view_calls import service_call
from orders import selectors as order_selectors

from . import selectors, services
from .exceptions import StockError
from .models import Consumable
from .tables import LowStockTable, MoveTable, RangeTable, StockTable

R = scoping.Role


def _site(request) -> Site | None:
    return selectors.stock_site(user=request.user, code=request.GET.get("site") or request.POST.get("site") or "")


def _stock_table(request, site: Site) -> StockTable:
    return StockTable(selectors.site_stock(site=site), site=site, viewer=request.user)


def _low_table(request) -> LowStockTable:
    return LowStockTable(selectors.low_stock_for(user=request.user), viewer=request.user)


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
    table = move_table = range_table = None
    if site is not None:
        table = _stock_table(request, site)
        RequestConfig(request, paginate=False).configure(table)
        # the movements grow for ever: a page at a time, under their own page parameter (``moves-page``)
        move_table = MoveTable(selectors.site_moves(site=site), viewer=request.user, prefix="moves-")
        RequestConfig(request, paginate={"per_page": selectors.RECENT_MOVES}).configure(move_table)
        range_table = RangeTable(
            selectors.site_ranges(site=site),
            viewer=request.user,
            exclude=("site", "created_at"),
            attrs={"class": "table table-sm bg-white small", "data-testid": "site-ranges"},
            empty_text=format_html('<span class="text-muted">{}</span>', _("No range: ask HQ for e-waybill numbers.")),
        )
    low_table = _low_table(request)
    RequestConfig(request, paginate=False).configure(low_table)
    return render(
        request,
        "inventory/stock.html",
        {
            "site": site,
            "table": table,
            "move_table": move_table,
            "range_table": range_table,
            "low_table": low_table,
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
    table = RangeTable(selectors.ranges_for(user=request.user)[: selectors.RANGE_ROWS], viewer=request.user)
    RequestConfig(request, paginate=False).configure(table)
    return render(request, "inventory/ranges.html", {"table": table, "is_hq": scoping.role_of(request.user) == R.HQ})


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
    """The page's first table (``table_export``): the chosen site's stock, or without a site the items below their
    minimum across the user's scope."""
    site = _site(request)
    table = _stock_table(request, site) if site is not None else _low_table(request)
    RequestConfig(request, paginate=False).configure(table)
    return table_export(table, filename="stock")
