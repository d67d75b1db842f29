"""A realistic demo network on top of the divisions: a first-level site per district, contract areas,
second-level sites, a sorting centre and a direct point per province, couriers, the data center; demo
accounts in demo mode. Deterministic and idempotent: running it twice changes nothing."""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat, Substr

from . import twofactor
from .models import Courier, District, Message, Province, ServiceArea, Site, User
from .services import message_send

DEMO_PASSWORD = "demo12345"
DEMO_SITE_DISTRICT = "330106"  # 浙江省杭州市西湖区
DEMO_PROVINCE = "33"
DATA_CENTER_CODE = "DC0000"
#: the demo accounts' authenticator secret (base32): demo-hq and demo-lcs are enrolled with it, and `make run` prints
#: it with the code of the moment, so a person trying the demo can still confirm fines and decide appeals
DEMO_TOTP_SECRET = "DEMOQNINEORDERDESKTOTPSECRETDEMO"
DEMO_SECOND_FACTOR_ACCOUNTS = ("demo-lcs", "demo-hq")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅志强俊峰晓东海燕文博宇浩然子轩雨涵"
CONTRACT_KEYWORDS = ["开发区", "工业园", "大学城", "科技园"]
SECOND_LEVEL_KEYWORDS = ["镇", "乡"]


def _short(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _district_label(d: District) -> str:
    city = d.city.name
    prefix = _short(d.province.name)
    if city in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
        return f"{prefix}{d.name}"
    return f"{prefix}{_short(city)}{d.name}"


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(n: int) -> str:
    return f"1{3 + n % 7}{n % 10}{n:08d}"[-11:]


@dataclass
class DemoResult:
    sites: int
    couriers: int
    service_areas: int
    accounts: list[str]


@transaction.atomic
def demo_network_build(*, with_accounts: bool) -> DemoResult:
    rng = random.Random(20261122)
    districts = list(
        District.objects.filter(statistical_only=False).select_related("city", "province").order_by("adcode")
    )
    provinces = {p.code: p for p in Province.objects.all()}
    if not districts:
        raise RuntimeError("No districts: run manage.py load_network first.")

    sites: list[Site] = []
    areas: list[tuple[str, str, list[str], int]] = []  # site code, adcode, keywords, priority
    for i, d in enumerate(districts):
        label = _district_label(d)
        code = f"{d.adcode}01"
        sites.append(
            Site(
                code=code,
                name=f"{label}网点",
                province=d.province,
                district=d,
                phone=f"0571-{8600000 + i}",
                email=f"site{code}@demo.q9.example",
                address=f"{label}人民路{1 + i % 300}号",
            )
        )
        areas.append((code, d.adcode, [], 10))
        if i % 4 == 0 or d.adcode == DEMO_SITE_DISTRICT:
            sites.append(
                Site(
                    code=f"{d.adcode}11",
                    name=f"{label}开发区承包区",
                    province=d.province,
                    district=d,
                    phone=f"0571-{8700000 + i}",
                )
            )
            areas.append((f"{d.adcode}11", d.adcode, CONTRACT_KEYWORDS[: 1 + i % 4], 10))
        if i % 7 == 3:
            sites.append(
                Site(
                    code=f"{d.adcode}21",
                    name=f"{label}乡镇二级网点",
                    province=d.province,
                    district=d,
                    level=Site.Level.SECOND,
                    phone=f"0571-{8800000 + i}",
                )
            )
            areas.append((f"{d.adcode}21", d.adcode, SECOND_LEVEL_KEYWORDS, 5))
    for code, province in sorted(provinces.items()):
        first = next((d for d in districts if d.province_id == province.id), None)
        sites.append(
            Site(
                code=f"{code}FB01",
                name=f"{_short(province.name)}转运中心",
                province=province,
                district=first,
                kind=Site.Kind.SORTING,
            )
        )
        sites.append(
            Site(
                code=f"{code}ZY01",
                name=f"{_short(province.name)}直营点部",
                province=province,
                district=first,
                kind=Site.Kind.DIRECT,
            )
        )
    sites.append(
        Site(
            code=DATA_CENTER_CODE,
            name="总部数据中心",
            province=provinces["11"],
            kind=Site.Kind.DIRECT,
            is_data_center=True,
            email="datacenter@demo.q9.example",
        )
    )
    Site.objects.bulk_create(sites, batch_size=2000, ignore_conflicts=True)

    site_ids = dict(Site.objects.values_list("code", "id"))
    # contract areas (code <adcode>11) hang under their district's first-level site (<adcode>01): one UPDATE
    parent = Site.objects.filter(code=Concat(Substr(OuterRef("code"), 1, 6), Value("01"))).values("id")[:1]
    Site.objects.filter(parent__isnull=True, code__regex=r"^[0-9]{6}11$").update(parent_id=Subquery(parent))

    district_ids = dict(District.objects.values_list("adcode", "id"))
    ServiceArea.objects.bulk_create(
        [ServiceArea(site_id=site_ids[c], district_id=district_ids[a], keywords=k, priority=p) for c, a, k, p in areas],
        batch_size=2000,
        ignore_conflicts=True,
    )
    couriers = []
    n = 0
    for s in sites:
        if s.is_data_center:
            continue
        for _ in range(2 if s.kind == Site.Kind.SITE and s.level == 1 and not s.code.endswith("11") else 1):
            n += 1
            couriers.append(Courier(site_id=site_ids[s.code], name=_person(rng), phone=_phone(n)))
    Courier.objects.bulk_create(couriers, batch_size=2000, ignore_conflicts=True)

    accounts = demo_accounts_ensure() if with_accounts else []
    return DemoResult(Site.objects.count(), Courier.objects.count(), ServiceArea.objects.count(), accounts)


def demo_accounts_ensure() -> list[str]:
    """The demo accounts (demo mode only), with password demo12345: a clerk, an LCS, HQ, a manager and a courier of
    the clerk's site."""
    site = Site.objects.get(code=f"{DEMO_SITE_DISTRICT}01")
    province = Province.objects.get(code=DEMO_PROVINCE)
    specs = [
        ("demo-clerk", "西湖网点客服", User.Role.CLERK, {"site": site}),
        ("demo-lcs", "浙江省平台客服", User.Role.LCS, {"province": province}),
        ("demo-hq", "总部电商组", User.Role.HQ, {}),
        ("demo-manager", "全国管理层", User.Role.MANAGER, {}),
    ]
    names = []
    for username, first_name, role, unit in specs:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "role": role, "email": f"{username}@demo.q9.example", **unit},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        names.append(username)
    courier = Courier.objects.filter(site=site, active=True).order_by("name", "pk").first()
    if courier is not None:  # demo-courier: a courier of the demo clerk's site, signs in on the phone page
        user, created = User.objects.get_or_create(
            username="demo-courier",
            defaults={
                "first_name": courier.name,
                "role": User.Role.COURIER,
                "site": site,
                "courier": courier,
                "phone": courier.phone,
                "email": "demo-courier@demo.q9.example",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        names.append("demo-courier")
    demo_second_factor_ensure()
    if not Message.objects.filter(title__startswith="欢迎使用").exists():
        message_send(
            audience=Message.Audience.SITE,
            site=site,
            title="欢迎使用 Q9 电商订单系统",
            body="请在服务时间内保持登录，每 10–20 分钟刷新一次订单列表。",
            link="/",
        )
        message_send(
            audience=Message.Audience.PROVINCE,
            province=province,
            title="欢迎使用：省平台稽核与申诉初审",
            body="本省网点的违规稽核、申诉初审都在这里完成。",
        )
        message_send(
            audience=Message.Audience.HQ,
            title="欢迎使用：总部电商组工作台",
            body="网点主数据在管理后台维护；数据中心订单由总部分件。",
        )
    return names


def demo_second_factor_ensure() -> list:
    """demo-hq and demo-lcs enrolled with the demo secret (idempotent); their devices."""
    key_hex = base64.b32decode(DEMO_TOTP_SECRET).hex()
    return [
        twofactor.demo_enrol(user=user, key_hex=key_hex)
        for user in User.objects.filter(username__in=DEMO_SECOND_FACTOR_ACCOUNTS).order_by("username")
    ]
