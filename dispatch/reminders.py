"""Reminders to sites about their orders. 30 minutes before a province's service hours end, every site there
with accepted or picked-up orders that have no pickup scan (站点未揽收) gets one message a day."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core.models import Message, Province, Site
from core.services import message_send
from orders.models import OnlineOrder, OrderState

UNSCANNED = "unscanned"
LEAD = timedelta(minutes=30)
LOOKBACK = timedelta(days=7)


def unscanned_reminders_send(*, at: datetime | None = None) -> int:
    """Send today's reminder to every site due one now; returns how many were sent. Safe to run often and
    twice: a site is reminded once a day (a unique row per site and day)."""
    at = at or timezone.now()
    closing = [
        p
        for p in Province.objects.all()
        if clock.service_end_today(p, at) - LEAD <= at < clock.service_end_today(p, at)
    ]
    if not closing:
        return 0
    counts = dict(
        OnlineOrder.objects.filter(
            province_id__in=[p.pk for p in closing],
            state__in=[OrderState.ACCEPTED, OrderState.PICKED_UP],
            pickup_scan_at__isnull=True,
            order_time__gte=at - LOOKBACK,
        )
        .exclude(site__is_data_center=True)
        .values_list("site_id")
        .annotate(n=Count("id"))
    )
    if not counts:
        return 0
    day = timezone.localtime(at).date()
    sent = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO dispatch_sitereminder (site_id, day, kind, sent_at) "
                "SELECT unnest(%s::bigint[]), %s, %s, %s ON CONFLICT DO NOTHING RETURNING site_id",
                [list(counts), day, UNSCANNED, at],
            )
            new = [row[0] for row in cursor.fetchall()]
        for site in Site.objects.filter(pk__in=new).select_related("province"):
            end = clock.service_end_today(site.province, at)
            message_send(
                audience=Message.Audience.SITE,
                site=site,
                category=Message.Category.ORDER,
                at=at,
                title=_("%(n)d orders have no pickup scan yet") % {"n": counts[site.pk]},
                body=_(
                    "Service hours end at %(end)s. Open 站点未揽收查询, find the parcels and scan them before you "
                    "close."
                )
                % {"end": timezone.localtime(end).strftime("%H:%M")},
                link="/desk/unscanned/",
            )
            sent += 1
    return sent


ACCEPT_WARNING = timedelta(minutes=10)
PICKUP_WARNING = timedelta(hours=2)


def _warn(kind: str, rows: list[tuple[int, int, int]], at: datetime) -> list[tuple[int, int, int]]:
    """Record warnings (order, stint) not sent before; returns the rows that are new."""
    if not rows:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO dispatch_orderwarning (order_id, stint, kind, sent_at) "
            "SELECT o, s, %s, %s FROM unnest(%s::bigint[], %s::int[]) AS t(o, s) "
            "ON CONFLICT DO NOTHING RETURNING order_id, stint",
            [kind, at, [r[0] for r in rows], [r[1] for r in rows]],
        )
        fresh = {(o, s) for o, s in cursor.fetchall()}
    return [r for r in rows if (r[0], r[1]) in fresh]


def deadline_warnings_send(*, at: datetime | None = None) -> int:
    """Early warnings through the message centre: orders whose accept deadline comes within 10 minutes and
    accepted orders whose pickup deadline comes within 2 hours; one message per site and kind per run, each order
    warned once per stint. Returns the number of messages."""
    at = at or timezone.now()
    pending = list(
        OnlineOrder.objects.filter(
            state=OrderState.PENDING, accept_due_at__gt=at, accept_due_at__lte=at + ACCEPT_WARNING
        ).values_list("pk", "stint", "site_id")
    )
    accepted = list(
        OnlineOrder.objects.filter(
            state=OrderState.ACCEPTED, pickup_due_at__gt=at, pickup_due_at__lte=at + PICKUP_WARNING
        )
        .exclude(site__is_data_center=True)
        .values_list("pk", "stint", "site_id")
    )
    sent = 0
    with transaction.atomic():
        for kind, rows, title, link in (
            ("accept", pending, _("%(n)d orders must be accepted or transferred within 10 minutes"), "/desk/accept/"),
            ("pickup", accepted, _("%(n)d orders must be picked up within 2 hours"), "/desk/pickup/"),
        ):
            by_site: dict[int, int] = {}
            for _pk, _stint, site_id in _warn(kind, rows, at):
                by_site[site_id] = by_site.get(site_id, 0) + 1
            for site in Site.objects.filter(pk__in=list(by_site)):
                message_send(
                    audience=Message.Audience.SITE,
                    site=site,
                    category=Message.Category.ORDER,
                    at=at,
                    title=title % {"n": by_site[site.pk]},
                    link=link,
                    body=_("Answer them before the deadline: a late answer is a violation (100 CNY)."),
                )
                sent += 1
    return sent
