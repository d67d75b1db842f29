"""Reads of site stock and e-waybill ranges, scoped to the viewer: a site's quantities (sums of moves), the items
below their minimum, the recent moves and the ranges."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet, Sum

from core import scoping
from core.models import Site

from .models import Consumable, StockLevel, StockMove, WaybillRange

LOW_SQL = """
SELECT l.id, l.site_id, l.consumable_id, l.min_level, COALESCE(SUM(m.quantity), 0) AS qty
FROM inventory_stocklevel l
LEFT JOIN inventory_stockmove m ON m.site_id = l.site_id AND m.consumable_id = l.consumable_id
WHERE l.min_level > 0 AND (l.alerted_on IS NULL OR l.alerted_on < %s)
GROUP BY l.id HAVING COALESCE(SUM(m.quantity), 0) < l.min_level
"""
RECENT_MOVES = 30  # moves a page of the stock page's movements
LOW_ROWS = 100
RANGE_ROWS = 300


def quantity(*, site_id: int, consumable_id: int) -> int:
    return StockMove.objects.filter(site_id=site_id, consumable_id=consumable_id).aggregate(s=Sum("quantity"))["s"] or 0


def stock_site(*, user, code: str = "") -> Site | None:
    """The site whose stock the page shows: a clerk's own; another role names one in its scope by code."""
    if scoping.role_of(user) == scoping.Role.CLERK:
        return user.site
    code = code.strip()
    return scoping.visible_sites(user).filter(code=code).first() if code else None


def site_stock(*, site: Site) -> list[dict]:
    """Each item's quantity at the site and its minimum (``low`` when below it), in the items' order."""
    levels = dict(StockLevel.objects.filter(site=site).values_list("consumable_id", "min_level"))
    rows = []
    for item in Consumable.objects.all():
        qty = quantity(site_id=site.pk, consumable_id=item.pk)
        minimum = levels.get(item.pk, 0)
        rows.append({"item": item, "quantity": qty, "min": minimum, "low": bool(minimum and qty < minimum)})
    return rows


def low_stock(*, site_ids=None) -> list[tuple]:
    """(site, consumable, quantity, minimum) below their minimum; ``site_ids`` None: everywhere."""
    sql = LOW_SQL.replace("AND (l.alerted_on IS NULL OR l.alerted_on < %s)", "")
    params = []
    if site_ids is not None:
        sql = sql.replace("WHERE l.min_level > 0", "WHERE l.min_level > 0 AND l.site_id = ANY(%s)")
        params = [list(site_ids)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    sites = Site.objects.in_bulk({r[1] for r in rows})
    items = Consumable.objects.in_bulk({r[2] for r in rows})
    return [(sites[r[1]], items[r[2]], r[4], r[3]) for r in rows]


def low_stock_for(*, user) -> list[dict]:
    """The items below their minimum in the viewer's scope, as the page lists them (site, item, quantity,
    minimum), at most ``LOW_ROWS``."""
    scope_ids = None if scoping.is_national(user) else list(scoping.visible_sites(user).values_list("pk", flat=True))
    return [
        {"site": site, "item": item, "quantity": qty, "min": minimum}
        for site, item, qty, minimum in low_stock(site_ids=scope_ids)[:LOW_ROWS]
    ]


def site_moves(*, site: Site) -> QuerySet[StockMove]:
    """The site's stock moves, the latest first (``id`` breaks ties, so that paging never repeats or skips a row);
    the stock page shows them ``RECENT_MOVES`` at a time."""
    return StockMove.objects.filter(site=site).select_related("consumable", "actor").order_by("-at", "-id")


def site_ranges(*, site: Site) -> QuerySet[WaybillRange]:
    """The site's e-waybill ranges, by first number."""
    return WaybillRange.objects.filter(site=site).order_by("start")


def ranges_for(*, user) -> QuerySet[WaybillRange]:
    """The e-waybill ranges of the viewer's sites (HQ: all), by site and first number."""
    return WaybillRange.objects.filter(scoping.site_ids_q(user)).select_related("site")
