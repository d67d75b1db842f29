"""Every decision on a site's violation or appeal tells the site: a message to its clerks with the link to the
violation and, where a window starts, its deadline (SPEC §4: 72 hours after the province upholds, to go to HQ).
Called by the deciding services inside their transaction, so the message exists exactly when the decision does.
The same decisions, read back from the violation's events, are the site's activity feed (``site_activity``)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Message
from core.services import message_send

from .models import Violation, ViolationEvent

#: the violation events that are decisions by someone on the site's case (the feed shows these)
DECISION_KINDS = ("confirmed", "rejected", "voided", "reclassified", "appeal_upheld", "escalated", "cancelled")


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _subject(v: Violation) -> str:
    return v.order.channel_order_id if v.order_id else (v.reference or str(v.pk))


def decision_message(
    *, violation: Violation, kind: str, at: datetime, text: str = "", deadline: datetime | None = None
) -> Message:
    """One message to the responsible site about a decision on its violation (``kind`` as in ``DECISION_KINDS``
    plus ``hq_upheld``, HQ's final rejection of an appeal)."""
    what = {"rule": violation.get_rule_display(), "order": _subject(violation)}
    titles = {
        "confirmed": _("Fine confirmed: %(rule)s, order %(order)s"),
        "rejected": _("Proposed fine rejected by HQ: %(rule)s, order %(order)s"),
        "appeal_upheld": _("Appeal not accepted by the province: %(rule)s, order %(order)s"),
        "escalated": _("Your appeal went to HQ: %(rule)s, order %(order)s"),
        "cancelled": _("Appeal accepted, violation cancelled: %(rule)s, order %(order)s"),
        "hq_upheld": _("HQ's final decision: violation upheld: %(rule)s, order %(order)s"),
    }
    lines = []
    if kind == "confirmed":
        lines.append(_("HQ confirmed the fine of %(fine)s CNY.") % {"fine": violation.fine})
        lines.append(_("You may appeal within 72 hours after the weekly notice that lists it."))
    if kind == "appeal_upheld" and deadline:
        lines.append(
            _("You may take the appeal to HQ until %(t)s (72 hours); after that the decision stands.")
            % {"t": _when(deadline)}
        )
    if kind == "hq_upheld":
        lines.append(_("This decision is final."))
    if kind == "cancelled":
        lines.append(_("The fine is reversed in your statement."))
    if text:
        lines.append(_("Reason: %(t)s") % {"t": text})
    return message_send(
        audience=Message.Audience.SITE,
        site=violation.site,
        category=Message.Category.VIOLATION,
        title=titles[kind] % what,
        body="\n".join(lines),
        link=reverse("penalties:violation_detail", args=[violation.pk]),
        at=at,
    )


def site_activity(*, violations: QuerySet, limit: int = 100) -> QuerySet:
    """The decisions on these (already scoped) violations, newest first."""
    return (
        ViolationEvent.objects.filter(violation__in=violations, kind__in=DECISION_KINDS)
        .select_related("violation", "violation__site", "violation__order", "actor")
        .order_by("-at", "-id")[:limit]
    )
