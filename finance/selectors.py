"""Reads of the ledger: statements (对账单) are sums over entries, by site, province or nation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from core import scoping

from .models import ClosedMonth, EntryKind, Heading, LedgerEntry
from .sources import source_lines


def entries_for(*, user) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(scoping.unit_q(user)).select_related("site", "province")


def statement(*, user, month: date, province_id: int | None = None, site_id: int | None = None) -> dict:
    """One month's statement in the user's scope (``user=None``: the whole network, for the generated national
    documents), optionally narrowed to a province or a site: the entries, the totals per heading and kind, and
    per site."""
    base = entries_for(user=user) if user is not None else LedgerEntry.objects.select_related("site", "province")
    qs = base.filter(posted_month=month)  # by posting month: an issued statement never changes
    if province_id:
        qs = qs.filter(province_id=province_id)
    if site_id:
        qs = qs.filter(site_id=site_id)
    totals = {(row["heading"], row["kind"]): row["s"] for row in qs.values("heading", "kind").annotate(s=Sum("amount"))}
    by_heading = []
    for heading, label in Heading.choices:
        kinds = [(kind, klabel, totals.get((heading, kind), Decimal("0"))) for kind, klabel in EntryKind.choices]
        by_heading.append(
            {"heading": heading, "label": label, "kinds": kinds, "total": sum((k[2] for k in kinds), Decimal("0"))}
        )
    per_site = list(
        qs.values("site__code", "site__name", "province__name")
        .annotate(
            fines=Sum("amount", filter=Q(kind__in=[EntryKind.FINE, EntryKind.REVERSAL])),
            refunds=Sum("amount", filter=Q(kind=EntryKind.REFUND)),
            rewards=Sum("amount", filter=Q(kind=EntryKind.REWARD)),
            adjustments=Sum("amount", filter=Q(kind=EntryKind.ADJUSTMENT)),
            total=Sum("amount"),
        )
        .order_by("province__name", "site__code")
    )
    corrections = qs.filter(month__lt=month)
    return {
        "month": month,
        # the month's statements were issued (结账); until then the statement is a running one, as of now
        "closed": ClosedMonth.objects.filter(month=month).first(),
        "by_heading": by_heading,
        "total": sum((h["total"] for h in by_heading), Decimal("0")),
        "per_site": per_site,
        "entries": qs.order_by("site__code", "created_at", "id"),
        # entries booked this month that correct an earlier month (its statement was already issued)
        "corrections": corrections.order_by("month", "site__code", "id"),
        # the same, each with its order and act in words (read when a page or document shows them)
        "correction_lines": lambda: source_lines(corrections.order_by("month", "site__code", "id")),
        "corrected_months": sorted(set(corrections.values_list("month", flat=True))),
    }


def balance(
    *, site_id: int, heading: str | None = None, month: date | None = None, kinds: list[str] | None = None
) -> Decimal:
    """A site's sum, optionally of one posting month (as its statement shows it)."""
    qs = LedgerEntry.objects.filter(site_id=site_id)
    if heading:
        qs = qs.filter(heading=heading)
    if month:
        qs = qs.filter(posted_month=month)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.aggregate(s=Sum("amount"))["s"] or Decimal("0")
