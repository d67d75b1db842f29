"""Writes of site stock and e-waybill ranges. Quantities are sums of moves; a number is given once, even under
concurrent use (one UPDATE … RETURNING on a locked range row)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import scoping
from core.models import Message, Site
from core.services import message_send
from dispatch.services import order_pickup_confirm
from orders import workflow

from .exceptions import StockError
from .models import Consumable, StockLevel, StockMove, WaybillRange
from .selectors import LOW_SQL, quantity


def _guard(actor, site: Site) -> None:
    role = scoping.role_of(actor)
    if role == scoping.Role.HQ:
        return
    if role != scoping.Role.CLERK or not scoping.may_operate_site(actor, site.pk):
        raise StockError(_("Only the site's own clerks keep its stock."))


@transaction.atomic
def stock_move(
    *,
    site: Site,
    consumable: Consumable,
    kind: str,
    quantity_: int,
    actor,
    reason: str = "",
    at: datetime | None = None,
) -> StockMove:
    """Received (+), used (−) or adjusted (±, with a reason). Stock never goes below zero."""
    at = at or timezone.now()
    _guard(actor, site)
    if kind not in (StockMove.Kind.IN, StockMove.Kind.OUT, StockMove.Kind.ADJUST):
        raise StockError(_("Unknown movement."), field="kind")
    if not quantity_ or (kind != StockMove.Kind.ADJUST and quantity_ < 0):
        raise StockError(_("Enter a quantity greater than zero."), field="quantity")
    if kind == StockMove.Kind.ADJUST and not (reason or "").strip():
        raise StockError(_("An adjustment needs its reason."), field="reason")
    delta = -quantity_ if kind == StockMove.Kind.OUT else quantity_
    # one site-and-item at a time: the balance check and the move are one step
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [site.pk, consumable.pk])
    current = quantity(site_id=site.pk, consumable_id=consumable.pk)
    if current + delta < 0:
        raise StockError(_("Only %(n)d %(unit)s in stock.") % {"n": current, "unit": consumable.unit}, field="quantity")
    return StockMove.objects.create(
        site=site, consumable=consumable, kind=kind, quantity=delta, reason=reason.strip(), actor=actor, at=at
    )


@transaction.atomic
def stock_take(
    *, site: Site, consumable: Consumable, counted: int, actor, at: datetime | None = None
) -> StockMove | None:
    """Stock-taking: the counted quantity becomes the stock through a difference entry (none when they agree)."""
    at = at or timezone.now()
    _guard(actor, site)
    if counted is None or counted < 0:
        raise StockError(_("Enter the counted quantity (0 or more)."), field="counted")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [site.pk, consumable.pk])
    difference = counted - quantity(site_id=site.pk, consumable_id=consumable.pk)
    if difference == 0:
        return None
    return StockMove.objects.create(
        site=site,
        consumable=consumable,
        kind=StockMove.Kind.COUNT,
        quantity=difference,
        counted=counted,
        reason=_("Stock-taking"),
        actor=actor,
        at=at,
    )


def min_level_set(*, site: Site, consumable: Consumable, min_level: int, actor) -> StockLevel:
    _guard(actor, site)
    level, _created = StockLevel.objects.update_or_create(
        site=site, consumable=consumable, defaults={"min_level": max(0, int(min_level))}
    )
    return level


def low_stock_alerts_send(*, at: datetime | None = None) -> int:
    """Once a day per site and item below its minimum: a message to the site (the HQ dashboard lists them all)."""
    at = at or timezone.now()
    today = timezone.localtime(at).date()
    with connection.cursor() as cursor:
        cursor.execute(LOW_SQL, [today])
        rows = cursor.fetchall()
    if not rows:
        return 0
    names = dict(Consumable.objects.values_list("pk", "name"))
    by_site: dict[int, list[str]] = {}
    for _id, site_id, consumable_id, minimum, qty in rows:
        by_site.setdefault(site_id, []).append(f"{names[consumable_id]} {qty}/{minimum}")
    with transaction.atomic():
        StockLevel.objects.filter(pk__in=[r[0] for r in rows]).update(alerted_on=today)
        for site in Site.objects.filter(pk__in=list(by_site)):
            message_send(
                audience=Message.Audience.SITE,
                site=site,
                category=Message.Category.STOCK,
                at=at,
                title=_("Low stock: %(items)s") % {"items": "、".join(by_site[site.pk])[:150]},
                body=_("Order these before they run out."),
                link="/stock/",
            )
    return len(by_site)


# ---------------------------------------------------------------- e-waybill ranges


@transaction.atomic
def range_allocate(
    *, site: Site, start: int, end: int, actor, warn_below: int = 200, at: datetime | None = None
) -> WaybillRange:
    """HQ gives a site numbers start…end; ranges never overlap."""
    at = at or timezone.now()
    if scoping.role_of(actor) != scoping.Role.HQ:
        raise StockError(_("Only the HQ e-commerce team allocates e-waybill numbers."))
    if not (100000000000 <= start <= end <= 999999999999):
        raise StockError(_("A range is two 12-digit numbers, the first not above the last."), field="start")
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE inventory_waybillrange IN SHARE ROW EXCLUSIVE MODE")
    clash = WaybillRange.objects.filter(start__lte=end, end__gte=start).select_related("site").first()
    if clash:
        raise StockError(
            _("Overlaps the range %(a)s–%(b)s of %(site)s.")
            % {"a": clash.start, "b": clash.end, "site": clash.site.name},
            field="start",
        )
    return WaybillRange.objects.create(
        site=site, start=start, end=end, next=start, warn_below=warn_below, created_by=actor, created_at=at
    )


NEXT_SQL = """
UPDATE inventory_waybillrange SET next = next + 1
WHERE id = (SELECT id FROM inventory_waybillrange WHERE site_id = %s AND next <= "end"
            ORDER BY start LIMIT 1 FOR UPDATE)
RETURNING id, next - 1, "end" - next + 1, warn_below, warned_at
"""


def waybill_next(*, site: Site, at: datetime | None = None) -> str:
    """The next free e-waybill number of the site's ranges (or of its parent's, for a contract area). Given once,
    whatever runs at the same time; a warning goes to the site when a range runs low, once."""
    at = at or timezone.now()
    for owner in (site, site.parent) if site.parent_id else (site,):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(NEXT_SQL, [owner.pk])
            row = cursor.fetchone()
            if row is None:
                continue
            range_id, number, remaining, warn_below, warned_at = row
            if remaining < warn_below and warned_at is None:
                WaybillRange.objects.filter(pk=range_id).update(warned_at=at)
                message_send(
                    audience=Message.Audience.SITE,
                    site=owner,
                    category=Message.Category.STOCK,
                    at=at,
                    title=_("E-waybill numbers running out: %(n)d left in a range") % {"n": remaining},
                    body=_("Ask HQ for a new range."),
                    link="/stock/",
                    email=True,
                )
            return f"{number:012d}"
    raise StockError(_("No e-waybill numbers left for %(site)s: ask HQ for a range.") % {"site": site.name})


@transaction.atomic
def pickup_with_next_waybill(*, order_id: int, actor, at: datetime | None = None) -> str:
    """揽件确认 with the site's next free e-waybill number, in one transaction with the order locked first: clicks at
    the same moment for one order take their turns, and a click that cannot confirm (the order was picked up a moment
    ago) gives its number back with the rollback — one order burns one number."""
    order = workflow.lock(order_id)
    number = waybill_next(site=order.site, at=at)
    order_pickup_confirm(order_id=order.pk, actor=actor, waybill=number, at=at)
    return number
