"""Routing of an order to the site that serves its sender address (SPEC §2, §3).

Parse the address to a district (GB/T 2260 code, with ``cpca``), then pick among the service areas of that
district: a keyword match beats a district-only area; then the higher priority; then the lower site code.
Areas with keywords that the address does not contain do not apply. Nothing found, or an address that cannot
be parsed, goes to the data center with the reason, for HQ's manual dispatch (分件).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cpca
from django.utils.translation import gettext as _

from .caches import ProcessCache
from .models import District, ServiceArea, Site


@dataclass(frozen=True)
class Route:
    site: Site
    adcode: str
    reason: str  # empty when a serving site was found


@dataclass(frozen=True)
class ParsedAddress:
    adcode: str
    province: str
    city: str
    district: str


def _full(parts: dict) -> str:
    return "".join(parts.get(k) or "" for k in ("province", "city", "district", "address")).strip()


def addresses_parse(texts: list[str]) -> list[ParsedAddress | None]:
    """The districts of many full addresses in one pass of ``cpca`` (vectorised); None where none is named."""
    if not texts:
        return []
    frame = cpca.transform([t or "" for t in texts])
    columns = [frame[k].tolist() for k in ("adcode", "省", "市", "区")]  # column lists: far faster than iterrows
    out: list[ParsedAddress | None] = []
    for text, adcode, province, city, district in zip(texts, *columns):
        if not text or not isinstance(adcode, str) or len(adcode) != 6:
            out.append(None)
            continue
        names = [v if isinstance(v, str) else "" for v in (province, city, district)]
        out.append(ParsedAddress(adcode=adcode, province=names[0], city=names[1], district=names[2]))
    return out


def _division_names() -> dict[tuple[str, str, str], ParsedAddress]:
    """Every district by its (province, city, district) names as GB/T 2260 spells them; a municipality's
    districts (city 市辖区 or 县) also with an empty city, as channels send them."""
    out: dict[tuple[str, str, str], ParsedAddress] = {}
    for adcode, name, city, province in District.objects.filter(statistical_only=False).values_list(
        "adcode", "name", "city__name", "province__name"
    ):
        parsed = ParsedAddress(adcode=adcode, province=province, city=city, district=name)
        out[(province, city, name)] = parsed
        if city in ("市辖区", "县"):
            out.setdefault((province, "", name), parsed)
    return out


#: the divisions change only when ``network_load_divisions`` runs (it calls ``changed()``)
division_names = ProcessCache("division names", _division_names, ttl=600)


def parts_parse(parts: list[dict]) -> list[ParsedAddress | None]:
    """The districts of many sender addresses. Structured addresses (province, city and district named as the
    division list names them, which is what the channels send) are looked up directly; any other goes through
    ``cpca`` with its full text, as one vectorised pass. Either way the district is the one ``cpca`` names."""
    names = division_names.get()
    out: list[ParsedAddress | None] = []
    rest: list[int] = []
    for i, p in enumerate(parts):
        key = ((p.get("province") or "").strip(), (p.get("city") or "").strip(), (p.get("district") or "").strip())
        found = names.get(key) if key[0] and key[2] else None
        out.append(found)
        if found is None:
            rest.append(i)
    if rest:
        for i, parsed in zip(rest, addresses_parse([_full(parts[i]) for i in rest])):
            out[i] = parsed
    return out


@lru_cache(maxsize=1)
def _data_center_id() -> int:
    return Site.objects.only("pk").get(is_data_center=True).pk


def data_center() -> Site:
    try:
        return Site.objects.select_related("province").get(pk=_data_center_id())
    except Site.DoesNotExist:
        _data_center_id.cache_clear()
        return Site.objects.select_related("province").get(is_data_center=True)


def _best(areas, address: str) -> int | None:
    """The tie-break of SPEC §2 among a district's service areas: (keywords, priority, site code, site id) rows."""
    best, best_key = None, None
    for keywords, priority, code, site_id in areas:
        if keywords:
            if not any(k and k in address for k in keywords):
                continue
            keyword_rank = 0
        else:
            keyword_rank = 1
        key = (keyword_rank, -priority, code)
        if best_key is None or key < best_key:
            best, best_key = site_id, key
    return best


def _areas(adcodes) -> dict[str, list[tuple]]:
    """The active service areas of these districts as plain rows (no model objects: routing a thousand orders
    reads a few thousand of them)."""
    out: dict[str, list[tuple]] = {}
    for adcode, keywords, priority, code, site_id in ServiceArea.objects.filter(
        district__adcode__any=adcodes, site__active=True, site__is_data_center=False
    ).values_list("district__adcode", "keywords", "priority", "site__code", "site_id"):
        out.setdefault(adcode, []).append((keywords, priority, code, site_id))
    return out


def route_many(parts: list[dict]) -> list[Route]:
    """Routes for many sender addresses (dicts of province, city, district, address) with a constant number of
    queries: one parse, one look-up of districts, one of service areas."""
    texts = [_full(p) for p in parts]
    parsed = parts_parse(parts)
    codes = {p.adcode for p in parsed if p is not None and not p.adcode.endswith("00")}
    known = set(District.objects.filter(adcode__any=codes, statistical_only=False).values_list("adcode", flat=True))
    areas = _areas(known)
    chosen: list[tuple[str, str, int | None]] = []
    for text, p in zip(texts, parsed):
        if p is None:
            reason, adcode, site = _("The address names no district that could be recognised."), "", None
        elif p.adcode.endswith("00"):
            reason = _("The address names no district (only %(place)s).") % {
                "place": p.city if p.city and p.city != "市辖区" else p.province
            }
            adcode, site = "", None
        elif p.adcode not in known:
            reason = _("District %(code)s %(name)s is not in the network's division list.") % {
                "code": p.adcode,
                "name": p.district,
            }
            adcode, site = p.adcode, None
        else:
            adcode, site = p.adcode, _best(areas.get(p.adcode, []), text)
            reason = (
                ""
                if site
                else _("No active site serves district %(code)s %(name)s.") % {"code": p.adcode, "name": p.district}
            )
        chosen.append((adcode, reason, site))
    # the provinces once each (a few dozen), not once per site: prefetched, shared by the sites
    wanted = {s for _a, _r, s in chosen if s}
    sites = {s.pk: s for s in Site.objects.prefetch_related("province").filter(pk__any=wanted)}
    center = data_center() if any(s is None for _a, _r, s in chosen) else None
    return [Route(site=sites[s] if s else center, adcode=a, reason=r) for a, r, s in chosen]


def route_address(*, province: str = "", city: str = "", district: str = "", address: str = "") -> Route:
    """Where an order with this sender address goes."""
    return route_many([{"province": province, "city": city, "district": district, "address": address}])[0]
