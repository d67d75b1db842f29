"""Reminders to sites about their orders. 30 minutes before a province's service hours end, every site there
with accepted or picked-up orders that have no pickup scan (站点未揽收) gets one message a day.

Passing warnings (an accept deadline within 10 minutes, a pickup deadline within 2 hours) are not messages: the
header of every clerk page shows them live (``static/js/desk.js``, ``config.context_processors``)."""

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
