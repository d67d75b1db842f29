"""Service areas in bulk and with foresight: their Excel import (the import kit's check-then-import flow, kind
``areas``) and export, and the routing preview HQ sees before an area change is saved ("this address goes to …,
because …", now and after the change). The winner is always chosen by ``dispatch.routing``'s own tie-break."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core import routing
from core.imports import Importer
from core.models import District, ServiceArea, Site, User
from core.parsing import parse_int
from core.scoping import role_of

from .exceptions import AreaError

PRIORITY_MIN, PRIORITY_MAX = -9999, 9999  # an area's priority: a few levels are all routing ever needs
AREA_COLUMNS = {"网点编码": "site", "区县代码": "district", "关键词": "keywords", "优先级": "priority"}
AREA_REQUIRED = ["site", "district"]
_SPLIT = re.compile(r"[、,，;；\s]+")


def keywords_parse(text: str) -> list[str]:
    return sorted({k for k in _SPLIT.split(text or "") if k})


def _key(site_id, district_id, keywords) -> tuple:
    return site_id, district_id, tuple(sorted(keywords or []))


# --- import and export ----------------------------------------------------------------------------------------------


def areas_check(records: list[dict], context: dict | None = None):
    """The import kit's check for kind ``areas`` (one query for the sites, one for the districts): parses each
    record in place and yields (row, column key, problem)."""
    sites = Site.objects.in_bulk({r.get("site", "") for r in records}, field_name="code")
    districts = District.objects.in_bulk({r.get("district", "") for r in records}, field_name="adcode")
    seen: dict[tuple, int] = {}
    for n, rec in enumerate(records, start=2):
        site, district = sites.get(rec.get("site", "")), districts.get(rec.get("district", ""))
        if rec.get("site") and site is None:
            yield n, "site", "网点编码不存在"
        elif site is not None and (site.is_data_center or site.kind != Site.Kind.SITE):
            yield n, "site", "只有网点有服务范围（数据中心、分拨、直营点部没有）"
        if rec.get("district") and district is None:
            yield n, "district", "区县代码不存在"
        elif district is not None and district.statistical_only:
            yield n, "district", "这是统计用的「市辖区」代码，不是区县"
        raw = rec.get("priority") or 0
        raw = int(raw) if isinstance(raw, float) and raw.is_integer() else raw  # 5.0 from a spreadsheet cell
        priority = parse_int(raw, lo=PRIORITY_MIN, hi=PRIORITY_MAX)
        if priority is None:
            yield n, "priority", f"须为 {PRIORITY_MIN} 到 {PRIORITY_MAX} 之间的整数"
            priority = 0
        keywords = keywords_parse(rec.get("keywords", ""))
        if site is not None and district is not None:
            key = _key(site.pk, district.pk, keywords)
            if key in seen:
                yield n, "district", f"与第 {seen[key]} 行重复（同一网点、区县和关键词）"
            seen.setdefault(key, n)
        rec.update(site=site, district=district, keywords=keywords, priority=priority)


def areas_import(job, records: list[dict], progress) -> str:
    """Each site named in the file gets exactly the file's areas: same (district, keywords) kept (its priority
    updated if it differs), new ones added, the others removed. Row by row through the ORM, so each change lands
    in the areas' history; runs inside the import's transaction (all or nothing)."""
    by = job.created_by  # the areas' history names who imported the file (the task runs outside any request)
    site_ids = {r["site"].pk for r in records}
    existing = {_key(a.site_id, a.district_id, a.keywords): a for a in ServiceArea.objects.filter(site_id__in=site_ids)}
    wanted = {_key(r["site"].pk, r["district"].pk, r["keywords"]): r for r in records}
    added = changed = removed = 0
    for key, area in existing.items():
        if key not in wanted:
            area._history_user = by
            area.delete()
            removed += 1
    for n, (key, rec) in enumerate(wanted.items(), start=1):
        area = existing.get(key)
        if area is None:
            area = ServiceArea(
                site=rec["site"], district=rec["district"], keywords=rec["keywords"], priority=rec["priority"]
            )
            area._history_user = by
            area.save()
            added += 1
        elif area.priority != rec["priority"]:
            area.priority, area._history_user = rec["priority"], by
            area.save(update_fields=["priority"])
            changed += 1
        if n % 200 == 0:
            progress(n)
    return f"{len(site_ids):,} 个网点：新增 {added:,} 条服务范围，修改 {changed:,} 条，删除 {removed:,} 条"


AREAS = Importer(
    kind="areas",
    columns=AREA_COLUMNS,
    required=tuple(AREA_REQUIRED),
    rows=areas_check,
    run=areas_import,
    example={"site": "33010601", "district": "330106", "keywords": "文三路、学院路", "priority": "10"},
)


def areas_export_rows(*, province_id: int | None = None):
    """The rows of the export, in the import's columns: a file exported, edited and imported round-trips."""
    qs = ServiceArea.objects.select_related("site", "district").order_by("site__code", "district__adcode", "id")
    if province_id:
        qs = qs.filter(site__province_id=province_id)
    for a in qs.iterator(chunk_size=2000):
        yield [a.site.code, a.district.adcode, "、".join(a.keywords or []), a.priority]


# --- the routing preview ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaChange:
    """A new area (``area`` None), a change of ``area``, or its removal (``delete``)."""

    site: Site
    district: District
    keywords: list[str]
    priority: int = 0
    area: ServiceArea | None = None
    delete: bool = False


@dataclass(frozen=True)
class Choice:
    site: Site | None
    because: str


@dataclass(frozen=True)
class PreviewRow:
    address: str
    district: str
    now: Choice
    after: Choice

    @property
    def changes(self) -> bool:
        return (self.now.site.pk if self.now.site else None) != (self.after.site.pk if self.after.site else None)


def _row(area_keywords, priority, site) -> tuple:
    return (list(area_keywords or []), priority, site.code, site.pk)


def _because(rows: list[tuple], winner: int | None, address: str) -> str:
    if winner is None:
        return _("no active site serves this district: it goes to the data center for HQ's dispatch (分件)")
    keywords, priority, _code, _site = next(r for r in rows if r[3] == winner)
    hit = [k for k in keywords if k and k in address]
    why = (
        _("the address contains the keyword “%(k)s”") % {"k": hit[0]}
        if hit
        else _("it serves the whole district (no keywords)")
    )
    rivals = [r for r in rows if r[3] != winner and (not r[0] or any(k and k in address for k in r[0]))]
    if rivals:
        if hit and any(not r[0] for r in rivals):
            why += _("; a keyword area beats a whole-district one")
        if any(r[1] == priority and bool(r[0]) == bool(hit) for r in rivals):
            why += _("; same priority %(p)s, the lower site code wins") % {"p": priority}
        elif any(bool(r[0]) == bool(hit) for r in rivals):
            why += _("; the higher priority (%(p)s)") % {"p": priority}
    else:
        why += _("; the only area that applies")
    return why


def area_preview(*, change: AreaChange, addresses: list[str]) -> list[PreviewRow]:
    """Where each address goes now and would go after ``change``, with the reason — read only, nothing saved."""
    texts = [a.strip() for a in addresses if a.strip()][:50]
    parsed = routing.addresses_parse(texts)
    codes = {p.adcode for p in parsed if p is not None}
    rows_now = routing._areas(codes | {change.district.adcode})
    old = change.area
    rows_after = {code: list(rows) for code, rows in rows_now.items()}
    if old is not None:
        old_row = _row(old.keywords, old.priority, old.site)
        old_code = old.district.adcode
        if old_code in rows_after and old_row in rows_after[old_code]:
            rows_after[old_code].remove(old_row)
    if not change.delete and change.site.active:
        rows_after.setdefault(change.district.adcode, []).append(_row(change.keywords, change.priority, change.site))
    ids = {r[3] for rows in list(rows_now.values()) + list(rows_after.values()) for r in rows}
    sites = Site.objects.in_bulk(ids)
    out = []
    for text, p in zip(texts, parsed):
        if p is None:
            nowhere = Choice(site=None, because=_("the address names no district that could be recognised"))
            out.append(PreviewRow(address=text, district="—", now=nowhere, after=nowhere))
            continue
        choices = []
        for rows in (rows_now.get(p.adcode, []), rows_after.get(p.adcode, [])):
            winner = routing._best(rows, text)
            choices.append(Choice(site=sites.get(winner), because=_because(rows, winner, text)))
        out.append(PreviewRow(address=text, district=f"{p.adcode} {p.district}", now=choices[0], after=choices[1]))
    return out


@transaction.atomic
def area_change_save(*, change: AreaChange, actor) -> ServiceArea | None:
    """Save a previewed change (HQ only). Through the ORM, so the area's history names the actor's request."""
    if role_of(actor) != User.Role.HQ:
        raise AreaError(_("Only HQ changes service areas."))
    if change.site.is_data_center or change.site.kind != Site.Kind.SITE:
        raise AreaError(_("Only pickup sites have service areas."), field="site")
    if change.delete:
        if change.area is None:
            raise AreaError(_("Choose the area to remove."))
        change.area.delete()
        return None
    area = change.area or ServiceArea()
    clash = ServiceArea.objects.filter(site=change.site, district=change.district, keywords=change.keywords)
    if area.pk:
        clash = clash.exclude(pk=area.pk)
    if clash.exists():
        raise AreaError(_("This site already has an area with this district and these keywords."), field="keywords")
    area.site, area.district, area.keywords, area.priority = (
        change.site,
        change.district,
        change.keywords,
        change.priority,
    )
    area.save()
    return area
