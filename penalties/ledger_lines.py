"""The statement's words for the ledger lines of the rule book: a fine or its reversal names its order (linked)
and its violation in plain words, and a reversal says why (registered with ``finance.sources`` in ``ready``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core.humanize import code_label
from finance.sources import Source

from .models import Violation, ViolationStatus


def _why_reversed(status: str) -> str:
    return {
        ViolationStatus.CANCELLED: _("cancelled on appeal: the fine is returned"),
        ViolationStatus.VOIDED: _("voided by a closure day: the fine is returned"),
        ViolationStatus.RECLASSIFIED: _("re-classified as another violation: this fine is returned"),
    }.get(status, _("the fine is returned"))


def violation_lines_describe(entries) -> dict[int, Source]:
    ids = {e.source_id for e in entries if e.source_id}
    violations = {
        v.pk: v
        for v in Violation.objects.filter(pk__in=ids)
        .select_related("order")
        .only("id", "rule", "reference", "work_order_id", "order__id", "order__channel_order_id")
    }
    out = {}
    for entry in entries:
        v = violations.get(entry.source_id)
        if v is None:
            continue
        if v.order_id:
            order_no, order_url = v.order.channel_order_id, reverse("orders:order_detail", args=[v.order_id])
        else:
            order_no, order_url = v.reference or "", ""
        text = _("%(rule)s (violation %(id)s)") % {"rule": code_label(v.rule), "id": v.pk}
        if entry.kind == "reversal":
            text = f"{text} · {_why_reversed(entry.note)}"
        out[entry.pk] = Source(
            order_no=order_no,
            order_url=order_url,
            text=text,
            url=reverse("penalties:violation_detail", args=[v.pk]),
        )
    return out
