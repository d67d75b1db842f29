"""The import kit's kind "sites" (``core.imports``): sites created or updated from a file, their parents set once
every site of the file exists. Registered in ``CoreConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .imports import Importer, Problem, repeats
from .models import District, Province, Site
from .services import site_parents_set, site_upsert

KINDS = {"网点": "site", "分拨": "sorting", "直营点部": "direct", "": "site"}
LEVELS = {"一级": 1, "二级": 2, "": 1, "1": 1, "2": 2}
ACTIVE = {"": True, "是": True, "启用": True, "1": True, "true": True, "否": False, "停用": False, "0": False}
ACTIVE["false"] = False


def _prepare(records: list[dict], context: dict) -> None:
    provinces = list(Province.objects.all())
    context["provinces"] = {p.code: p for p in provinces} | {p.name: p for p in provinces}
    context["codes"] = set(Site.objects.values_list("code", flat=True)) | {r.get("code", "") for r in records}
    wanted = {r["district"][:12] for r in records if r.get("district")}
    context["districts"] = District.objects.in_bulk(wanted, field_name="adcode")


def _place(rec: dict, context: dict) -> list[Problem]:
    problems = []
    province = context["provinces"].get(rec.get("province", ""))
    if rec.get("province") and province is None:
        problems.append(("province", _("no such province (give its two-digit code or full name)")))
    rec["province"] = province
    district = context["districts"].get(rec.get("district", "")[:12]) if rec.get("district") else None
    if rec.get("district") and district is None:
        problems.append(("district", _("no such district code")))
    rec["district"] = district
    return problems


def _row(rec: dict, context: dict) -> list[Problem]:
    problems = _place(rec, context)
    rec["kind"] = KINDS.get(rec.get("kind", ""))
    if rec["kind"] is None:
        problems.append(("kind", _("the kind must be 网点, 分拨 or 直营点部")))
    rec["level"] = LEVELS.get(rec.get("level", ""))
    if rec["level"] is None:
        problems.append(("level", _("the level must be 一级 or 二级")))
    if rec.get("parent") and rec["parent"] not in context["codes"]:
        problems.append(("parent", _("no such parent site code")))
    active = ACTIVE.get(rec.get("active", "").lower())
    if active is None:
        problems.append(("active", _("must be 是 or 否")))
    rec["active"] = active is not False
    return problems


def _run(job, records: list[dict], progress) -> str:
    created = updated = 0
    for n, rec in enumerate(records, start=1):
        defaults = {key: rec.get(key, "") for key in ("name", "phone", "email", "address")}
        defaults |= {key: rec[key] for key in ("province", "district", "kind", "level", "active")}
        _site, was_created = site_upsert(code=rec["code"], defaults=defaults)
        created += was_created
        updated += not was_created
        if n % 200 == 0:
            progress(n)
    site_parents_set({rec["code"]: rec["parent"] for rec in records if rec.get("parent")})
    return _("%(created)s sites created, %(updated)s updated.") % {"created": f"{created:,}", "updated": f"{updated:,}"}


SITES = Importer(
    kind="sites",
    columns={
        "网点编码": "code",
        "网点名称": "name",
        "省份": "province",
        "区县代码": "district",
        "类型": "kind",
        "级别": "level",
        "上级网点编码": "parent",
        "电话": "phone",
        "邮箱": "email",
        "地址": "address",
        "启用": "active",
    },
    required=("code", "name", "province"),
    limits={f.name: f.max_length for f in Site._meta.concrete_fields if getattr(f, "max_length", None)},
    prepare=_prepare,
    row=_row,
    rows=lambda records, context: repeats(records, "code"),
    run=_run,
    example={
        "code": "33010699",
        "name": "西湖新网点",
        "province": "浙江省",
        "district": "330106",
        "kind": "网点",
        "level": "一级",
        "phone": "0571-88886666",
        "address": "文三路100号",
        "active": "是",
    },
)
