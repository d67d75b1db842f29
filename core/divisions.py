"""Loading the administrative divisions (provinces, cities, districts) from the package ``cpca``.

cpca ships GB/T 2260 codes as 12-digit adcodes: ``PP0000000000`` provinces, ``PPCC00000000`` cities,
``PPCCDD000000`` districts. Rows named 市辖区 at district level are statistical codes only, not districts
anyone serves: they are loaded (so every code an address parser may return is known) and flagged.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import cpca
from django.db import transaction

from .models import City, District, Province
from .routing import division_names

#: service hours that differ from the default 08:00–20:00 (SPEC §2)
SPECIAL_HOURS = {"65": (time(10, 0), time(21, 0))}  # 新疆维吾尔自治区


def adcodes_path() -> Path:
    return Path(cpca.__file__).resolve().parent / "resources" / "adcodes.csv"


@dataclass
class LoadResult:
    provinces: int
    cities: int
    districts: int


def read_divisions(path: Path | None = None):
    provinces, cities, districts = {}, {}, {}
    with open(path or adcodes_path(), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code, name = row["adcode"], row["name"].strip()
            if code[2:] == "0" * 10:
                provinces[code[:2]] = name
            elif code[4:] == "0" * 8:
                cities[code[:4]] = name
            elif code[6:] == "0" * 6:
                districts[code[:6]] = name
    return provinces, cities, districts


@transaction.atomic
def network_load_divisions(*, path: Path | None = None) -> LoadResult:
    """Insert or rename every province, city and district; never touches HQ's service-hour settings."""
    provinces, cities, districts = read_divisions(path)
    Province.objects.bulk_create(
        [
            Province(code=code, name=name, **dict(zip(("service_start", "service_end"), SPECIAL_HOURS[code])))
            if code in SPECIAL_HOURS
            else Province(code=code, name=name)
            for code, name in sorted(provinces.items())
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name"],
    )
    province_ids = dict(Province.objects.values_list("code", "id"))
    City.objects.bulk_create(
        [City(code=code, name=name, province_id=province_ids[code[:2]]) for code, name in sorted(cities.items())],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "province"],
        batch_size=1000,
    )
    city_ids = dict(City.objects.values_list("code", "id"))
    District.objects.bulk_create(
        [
            District(
                adcode=code,
                name=name,
                city_id=city_ids[code[:4]],
                province_id=province_ids[code[:2]],
                statistical_only=name == "市辖区",
            )
            for code, name in sorted(districts.items())
        ],
        update_conflicts=True,
        unique_fields=["adcode"],
        update_fields=["name", "city", "province", "statistical_only"],
        batch_size=1000,
    )
    division_names.changed()
    return LoadResult(Province.objects.count(), City.objects.count(), District.objects.count())
