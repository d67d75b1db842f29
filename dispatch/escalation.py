"""Escalation: when a site stays silent while its orders run out of time, the people who can act hear of it in
their own groups (``core.alerts``). Every minute (beat, the minute queue):

- an order within 10 minutes of its accept deadline at a silent site (the workbench not refreshed for 20 minutes,
  ``dispatch.selectors``) alerts its province's channels;
- an order past its accept deadline, still waiting, at a silent site alerts HQ's channels;
- a status callback given up after its last attempt alerts HQ's channels.

Each order (and callback) is alerted once per rule (``alerts_claim``); one run sends one message per province
(and one to HQ) listing each site with its orders. Messages name sites and order numbers, never a sender,
a receiver, a phone or an address."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.alerts import alert_send, alerts_claim, alerts_forget, channels_for
from orders.models import OnlineOrder, OrderState, OutboxMessage

from .selectors import silent_sites_everywhere

SOON = timedelta(minutes=10)
#: a deadline missed longer ago than this is not news any more (the first run after an outage stays short)
MISSED_LOOKBACK = timedelta(hours=2)
CALLBACK_LOOKBACK = timedelta(days=2)
LISTED = 5  # order numbers named per site; the rest counted

ACCEPT_SOON, ACCEPT_MISSED, CALLBACK_FAILED = "accept_soon", "accept_missed", "callback_failed"


def _link(name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name)


def _hhmm(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _site_line(site, orders: list[tuple], at: datetime, *, with_province: bool = False) -> str:
    activity = getattr(site, "activity", None)  # none: never refreshed
    if activity is not None:
        quiet = _("workbench not refreshed for %(m)d minutes") % {
            "m": int((at - activity.last_refresh_at).total_seconds() // 60)
        }
    else:
        quiet = _("workbench never refreshed")
    numbers = "、".join(o[2] for o in orders[:LISTED])
    if len(orders) > LISTED:
        numbers += _(" and %(n)d more") % {"n": len(orders) - LISTED}
    line = _("%(site)s (%(code)s): %(n)d orders, first deadline %(due)s, %(quiet)s: %(numbers)s") % {
        "site": site.name,
        "code": site.code,
        "n": len(orders),
        "due": _hhmm(min(o[3] for o in orders)),
        "quiet": quiet,
        "numbers": numbers,
    }
    return f"{site.province.name} {line}" if with_province else line


def _silent_orders(at: datetime, lo: datetime, hi: datetime, kind: str) -> dict:
    """{site: [(pk, site_id, number, deadline)]} of waiting orders whose accept deadline is in (lo, hi] at silent
    sites, not alerted before for ``kind`` (claimed here)."""
    rows = list(
        OnlineOrder.objects.filter(state=OrderState.PENDING, accept_due_at__gt=lo, accept_due_at__lte=hi)
        .exclude(site__is_data_center=True)
        .values_list("pk", "site_id", "channel_order_id", "accept_due_at")
        .order_by("accept_due_at", "pk")
    )
    if not rows:
        return {}
    silent = {s.pk: s for s in silent_sites_everywhere(at=at).filter(pk__in={r[1] for r in rows})}
    rows = [r for r in rows if r[1] in silent]
    new = alerts_claim(kind=kind, refs=[r[0] for r in rows], at=at)
    by_site = defaultdict(list)
    for r in rows:
        if r[0] in new:
            by_site[silent[r[1]]].append(r)
    return by_site


def _accept_soon(at: datetime) -> int:
    """One message per set of channels: a province's own, or HQ's for every province that has none (listed
    together, so a robot never gets one message per province in a minute)."""
    by_site = _silent_orders(at, at, at + SOON, ACCEPT_SOON)
    by_province = defaultdict(list)
    for site, orders in by_site.items():
        by_province[site.province].append((site, orders))
    groups = defaultdict(list)
    for province in sorted(by_province, key=lambda p: p.code):
        channels = channels_for(province)
        groups[tuple(c.pk for c in channels)].append((province, channels))
    sent = 0
    for members in groups.values():
        provinces, channels = [p for p, _c in members], members[0][1]
        sites = [
            (site, orders) for p in provinces for site, orders in sorted(by_province[p], key=lambda so: so[0].code)
        ]
        n = sum(len(orders) for _site, orders in sites)
        if len(provinces) == 1:
            title = _("%(province)s: %(n)d orders reach their accept deadline within 10 minutes at silent sites") % {
                "province": provinces[0].name,
                "n": n,
            }
        else:
            title = _(
                "%(n)d orders in %(provinces)d provinces reach their accept deadline within 10 minutes at silent sites"
            ) % {
                "n": n,
                "provinces": len(provinces),
            }
        sent += alert_send(
            province=provinces[0],
            kind=ACCEPT_SOON,
            title=title,
            lines=[_site_line(site, orders, at, with_province=len(provinces) > 1) for site, orders in sites],
            link=_link("dispatch:silent_sites"),
            at=at,
            channels=channels,
        )
    return sent


def _accept_missed(at: datetime) -> int:
    by_site = _silent_orders(at, at - MISSED_LOOKBACK, at, ACCEPT_MISSED)
    if not by_site:
        return 0
    n = sum(len(orders) for orders in by_site.values())
    sites = sorted(by_site.items(), key=lambda so: (so[0].province.code, so[0].code))
    return alert_send(
        province=None,
        kind=ACCEPT_MISSED,
        title=_("%(n)d orders missed their accept deadline at %(sites)d silent sites") % {"n": n, "sites": len(sites)},
        lines=[_site_line(site, orders, at, with_province=True) for site, orders in sites],
        link=_link("dispatch:silent_sites"),
        at=at,
    )


def _callbacks_failed(at: datetime) -> int:
    rows = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED, created_at__gte=at - CALLBACK_LOOKBACK)
        .values_list("pk", "client__name", "attempts", "last_error")
        .order_by("pk")
    )
    new = alerts_claim(kind=CALLBACK_FAILED, refs=[r[0] for r in rows], at=at)
    by_client = defaultdict(list)
    for r in rows:
        if r[0] in new:
            by_client[r[1]].append(r)
    if not by_client:
        return 0
    lines = []
    for client, failed in sorted(by_client.items()):
        last = failed[-1]
        lines.append(
            _("%(client)s: %(n)d status callbacks given up after %(attempts)d attempts (the last: %(error)s)")
            % {
                "client": client,
                "n": len(failed),
                "attempts": last[2],
                "error": (last[3] or "").split(":", 1)[0][:40] or "—",
            }
        )
    n = sum(len(f) for f in by_client.values())
    return alert_send(
        province=None,
        kind=CALLBACK_FAILED,
        title=_("%(n)d status callbacks failed their last attempt") % {"n": n},
        lines=lines,
        link=_link("orders:callbacks"),
        at=at,
    )


def escalations_run(*, at: datetime | None = None) -> dict[str, int]:
    """One run of every rule; answers the messages queued per rule. Safe to run often and twice at once (the
    claims are unique)."""
    at = at or timezone.now()
    sent = {}
    for name, rule in (
        (ACCEPT_SOON, _accept_soon),
        (ACCEPT_MISSED, _accept_missed),
        (CALLBACK_FAILED, _callbacks_failed),
    ):
        with transaction.atomic():
            sent[name] = rule(at)
    alerts_forget(at=at)
    return sent
