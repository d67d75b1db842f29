"""The tracking feed: scan events stored once (a unique key per waybill, type, site and time), whatever the
order of arrival; the 揽收 scans go on to the order lifecycle's pickup-scan service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, scoping
from core.exceptions import DomainError
from core.models import Site
from core.waybills import waybill_validate
from dispatch.services import pickup_scan_record

from .exceptions import LogisticsError
from .models import (
    ExceptionStep,
    Handover,
    PartnerCarrier,
    ScanType,
    WaybillException,
)


@dataclass
class ScanResult:
    stored: int
    repeats: int
    completed_orders: int
    #: the scans refused, each (index in the batch, field, message); the others are stored
    rejected: list[tuple[int, str, str]] = field(default_factory=list)


def scan_problem(scan: dict, *, at: datetime) -> tuple[str, str] | None:
    """Why a scan cannot be stored, as (field, message), or None: a waybill number not of the configured format,
    a scan time in the future. (A site code no site of ours has is stored without a site: a partner's scan.)"""
    try:
        waybill_validate(scan["waybill_no"])
    except DomainError as exc:
        return "waybill_no", str(exc.message)
    if scan["scanned_at"] > at + clock.SKEW:
        return "scanned_at", _("The scan time is in the future.")
    return None


@transaction.atomic
def scans_ingest(*, scans: list[dict], source: str = "api", at: datetime | None = None) -> ScanResult:
    """Store scans (dicts of waybill_no, scan_type, site_code, scanned_at, operator) in one statement; each new
    揽收 scan records its order's pickup scan (and completes an accepted order)."""
    at = at or timezone.now()
    if not scans:
        return ScanResult(0, 0, 0)
    kept, rejected = [], []
    for i, scan in enumerate(scans):
        problem = scan_problem(scan, at=at)
        if problem:
            rejected.append((i, *problem))
        else:
            kept.append(scan)
    scans = kept
    if not scans:
        return ScanResult(0, 0, 0, rejected)
    sites = dict(Site.objects.filter(code__in={s["site_code"] for s in scans}).values_list("code", "pk"))
    cols = list(
        zip(
            *[
                (
                    s["waybill_no"],
                    s["scan_type"],
                    s["site_code"],
                    sites.get(s["site_code"]),
                    s["scanned_at"],
                    s.get("operator") or "",
                    at,
                    source,
                )
                for s in scans
            ]
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO logistics_trackingevent (waybill_no, scan_type, site_code, site_id, scanned_at, operator, "
            "received_at, source) SELECT * FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::bigint[], "
            "%s::timestamptz[], %s::varchar[], %s::timestamptz[], %s::varchar[]) "
            "ON CONFLICT ON CONSTRAINT tracking_once DO NOTHING RETURNING waybill_no, scan_type, site_code, scanned_at, operator",
            [list(c) for c in cols],
        )
        new = cursor.fetchall()
    completed = 0
    for waybill, scan_type, site_code, scanned_at, operator in sorted(new, key=lambda r: r[3]):
        if scan_type == ScanType.PICKUP:
            completed += pickup_scan_record(
                waybill=waybill, scanned_at=scanned_at, site_code=site_code, operator=operator
            ).completed
    return ScanResult(stored=len(new), repeats=len(scans) - len(new), completed_orders=completed, rejected=rejected)


# ---------------------------------------------------------------- exceptions and hand-overs


def _acting_site(actor, site: Site | None) -> Site:
    if scoping.role_of(actor) == scoping.Role.CLERK:
        return actor.site
    # a site outside the actor's scope is answered like a missing one (no write across provinces)
    if site is None or not scoping.visible_sites(actor).filter(pk=site.pk).exists():
        raise LogisticsError(_("Choose the site concerned."), field="site")
    return site


@transaction.atomic
def exception_raise(
    *, waybill_no: str, kind: str, description: str, actor, site: Site | None = None, at: datetime | None = None
) -> WaybillException:
    at = at or timezone.now()
    if scoping.role_of(actor) not in (scoping.Role.CLERK, scoping.Role.HQ, scoping.Role.LCS):
        raise LogisticsError(_("Managers read; the sites, the province and HQ act."))
    if kind not in WaybillException.Kind.values:
        raise LogisticsError(_("Choose the kind of exception."), field="kind")
    description = (description or "").strip()
    if not description:
        raise LogisticsError(_("Describe what happened."), field="description")
    exc = WaybillException.objects.create(
        waybill_no=waybill_no,
        kind=kind,
        description=description[:500],
        site=_acting_site(actor, site),
        raised_by=actor,
        raised_at=at,
    )
    ExceptionStep.objects.create(
        exception=exc, at=at, actor=actor, text=description[:500], to_status=WaybillException.Status.OPEN
    )
    return exc


@transaction.atomic
def exception_step(
    *, exception_id: int, actor, text: str, close: bool = False, at: datetime | None = None
) -> WaybillException:
    """A handling step; the last one closes the exception (closed ones take no more steps)."""
    at = at or timezone.now()
    exc = WaybillException.objects.select_for_update().get(pk=exception_id)
    if exc.status == WaybillException.Status.CLOSED:
        raise LogisticsError(_("This exception is closed."))
    if scoping.role_of(actor) == scoping.Role.MANAGER:
        raise LogisticsError(_("Managers read; the sites, the province and HQ act."))
    text = (text or "").strip()
    if not text:
        raise LogisticsError(_("Say what was done."), field="text")
    exc.status = WaybillException.Status.CLOSED if close else WaybillException.Status.HANDLING
    exc.closed_at = at if close else None
    exc.save(update_fields=["status", "closed_at"])
    ExceptionStep.objects.create(exception=exc, at=at, actor=actor, text=text[:500], to_status=exc.status)
    return exc


def handover_record(
    *,
    waybill_no: str,
    carrier: PartnerCarrier,
    actor,
    partner_waybill: str = "",
    note: str = "",
    at: datetime | None = None,
) -> Handover:
    if not carrier.active:
        raise LogisticsError(_("%(name)s is not active.") % {"name": carrier.name}, field="carrier")
    if scoping.role_of(actor) == scoping.Role.MANAGER:
        raise LogisticsError(_("Managers read; the sites, the province and HQ act."))
    return Handover.objects.create(
        waybill_no=waybill_no,
        carrier=carrier,
        partner_waybill=partner_waybill[:40],
        note=note[:200],
        actor=actor,
        at=at or timezone.now(),
    )


def carrier_save(
    *,
    carrier_id: int | None,
    code: str,
    name: str,
    contact: str = "",
    phone: str = "",
    note: str = "",
    active: bool = True,
    actor,
) -> PartnerCarrier:
    """HQ adds or edits a partner carrier (a code unique among them)."""
    if scoping.role_of(actor) != scoping.Role.HQ:
        raise LogisticsError(_("Only HQ keeps the partner carriers."))
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise LogisticsError(_("A carrier needs a code and a name."), field="code" if not code else "name")
    carrier = (PartnerCarrier.objects.filter(pk=carrier_id).first() if carrier_id else None) or PartnerCarrier()
    if PartnerCarrier.objects.filter(code=code[:16]).exclude(pk=carrier.pk).exists():
        raise LogisticsError(_("Code %(code)s is taken.") % {"code": code}, field="code")
    carrier.code, carrier.name = code[:16], name[:64]
    carrier.contact, carrier.phone, carrier.note = contact.strip()[:32], phone.strip()[:32], note.strip()[:200]
    carrier.active = active
    carrier.save()
    return carrier
