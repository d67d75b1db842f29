"""Routing of an order to the site that serves its sender address (SPEC §2, §3).

Parse the address to a district (GB/T 2260 code, with ``cpca``), then pick among the service areas of that
district: a keyword match beats a district-only area; then the higher priority; then the lower site code.
Areas with keywords that the address does not contain do not apply. Nothing found, or an address that cannot
be parsed, goes to the data center with the reason, for HQ's manual dispatch (分件).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from .models import District, ServiceArea, Site


@dataclass(frozen=True)
class Route:
    site: Site
    adcode: str
    reason: str  # empty when a serving site was found

    @property
    def to_data_center(self) -> bool:
        return bool(self.reason)


@dataclass(frozen=True)
class ParsedAddress:
    adcode: str
    province: str
    city: str
    district: str


def address_parse(*, province: str = "", city: str = "", district: str = "", address: str = "") -> ParsedAddress | None:
    """The district of an address given as parts or as one full string; None when it names no district."""
    import cpca

    text = "".join(p for p in (province, city, district, address) if p).strip()
    if not text:
        return None
    row = cpca.transform([text]).iloc[0]
    adcode = row.get("adcode")
    if not isinstance(adcode, str) or len(adcode) != 6:
        return None
    names = [row.get(k) if isinstance(row.get(k), str) else "" for k in ("省", "市", "区")]
    return ParsedAddress(adcode=adcode, province=names[0], city=names[1], district=names[2])


@lru_cache(maxsize=1)
def _data_center_id() -> int:
    return Site.objects.only("pk").get(is_data_center=True).pk


def data_center() -> Site:
    try:
        return Site.objects.get(pk=_data_center_id())
    except Site.DoesNotExist:
        _data_center_id.cache_clear()
        return Site.objects.get(is_data_center=True)


def site_for_district(*, adcode: str, address: str) -> Site | None:
    """The serving site of a district by the tie-break of SPEC §2, or None."""
    candidates = (
        ServiceArea.objects.filter(district__adcode=adcode, site__active=True, site__is_data_center=False)
        .select_related("site")
        .only("keywords", "priority", "site__code", "site__id", "site__name", "site__province_id")
    )
    best = None
    best_key = None
    for area in candidates:
        if area.keywords:
            if not any(k and k in address for k in area.keywords):
                continue
            keyword_rank = 0
        else:
            keyword_rank = 1
        key = (keyword_rank, -area.priority, area.site.code)
        if best_key is None or key < best_key:
            best, best_key = area.site, key
    return best


def route_address(*, province: str = "", city: str = "", district: str = "", address: str = "") -> Route:
    """Where an order with this sender address goes."""
    parsed = address_parse(province=province, city=city, district=district, address=address)
    full = "".join(p for p in (province, city, district, address) if p)
    if parsed is None:
        return Route(site=data_center(), adcode="", reason=_("The address names no district that could be recognised."))
    if parsed.adcode.endswith("00"):
        return Route(site=data_center(), adcode="",
                     reason=_("The address names no district (only %(place)s).")
                     % {"place": parsed.city if parsed.city and parsed.city != "市辖区" else parsed.province})
    if not District.objects.filter(adcode=parsed.adcode, statistical_only=False).exists():
        return Route(site=data_center(), adcode=parsed.adcode,
                     reason=_("District %(code)s %(name)s is not in the network's division list.")
                     % {"code": parsed.adcode, "name": parsed.district})
    site = site_for_district(adcode=parsed.adcode, address=full)
    if site is None:
        return Route(site=data_center(), adcode=parsed.adcode,
                     reason=_("No active site serves district %(code)s %(name)s.")
                     % {"code": parsed.adcode, "name": parsed.district})
    return Route(site=site, adcode=parsed.adcode, reason="")
