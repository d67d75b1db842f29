"""A realistic order stream for the demo: the last 7 days across channels, business types and states, taken in
and worked through the real services (routing, clocks, events), so every page has something to show.

Idempotent per day: the stream of a day is keyed by its logistics numbers (DEMO<yyyymmdd>…); running it again
the same day changes nothing, and on a later day it adds that day's fresh orders (so the demo clerk always
finds live countdowns on 网点接单)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.demo import DEMO_SITE_DISTRICT, _person
from core.models import Courier, District, User
from orders.models import Channel, FailReason, OnlineOrder, OrderState
from orders.services import channels_ensure, order_cancel, order_create

from . import services as ops

STREETS = ["文三路", "天目山路", "教工路", "古墩路", "学院路", "中山路", "人民路", "解放路", "建设路", "和平路"]
GOODS = ["衣服", "文件", "书籍", "数码配件", "化妆品", "食品（干货）", "鞋子", "玩具", "日用品", "茶叶"]
CHANNELS = ["taobao", "taobao", "taobao", "kuaidi100", "kuaidi100", "wechat", "website", "alipay", "crm", "chubao"]
UNPARSABLE = ["开发区某小区3栋", "火车站附近", "老地方"]


def _phone(rng) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


def _address(d: District, rng) -> dict:
    return {
        "sender_province": d.province.name,
        "sender_city": d.city.name if d.city.name != "市辖区" else "",
        "sender_district": d.name,
        "sender_address": f"{rng.choice(STREETS)}{rng.randint(1, 400)}号",
    }


def _data(rng, *, key: str, district: District | None, business: str, order_time: datetime, channel: Channel) -> dict:
    data = {
        "channel_order_id": f"{channel.order_id_prefix}{key}",
        "business_type": business,
        "is_online": rng.random() < 0.85,
        "sender_name": _person(rng),
        "sender_phone": _phone(rng),
        "receiver_name": _person(rng),
        "receiver_phone": _phone(rng),
        "receiver_province": "上海市",
        "receiver_city": "",
        "receiver_district": "浦东新区",
        "receiver_address": f"{rng.choice(STREETS)}{rng.randint(1, 400)}号",
        "goods": rng.choice(GOODS),
        "weight_kg": f"{rng.uniform(0.2, 12):.1f}",
        "order_time": order_time,
        "remark": rng.choice(["", "", "", "请下午来取", "到了打电话", "放门卫"]),
    }
    if district is None:
        data.update(sender_province="", sender_city="", sender_district="", sender_address=rng.choice(UNPARSABLE))
    else:
        data.update(_address(district, rng))
    if rng.random() < 0.15:
        start = order_time + timedelta(hours=rng.choice([20, 24, 26]))
        data.update(window_start=start, window_end=start + timedelta(hours=2))
    return data


def _work(order: OnlineOrder, rng, *, clerk, now: datetime, waybill: str) -> None:
    """Move a past order through the states a real site would, with the times it would have."""
    t = order.order_time
    fate = rng.random()
    if order.site.is_data_center:
        return
    if fate < 0.04:
        order_cancel(
            order_id=order.pk,
            at=t + timedelta(minutes=rng.randint(3, 50)),
            actor_label=order.channel.name,
            text="客户在渠道取消",
        )
        return
    answer = t + timedelta(minutes=rng.choice([3, 8, 12, 20, 28, 29, 35, 70]))
    if answer > now:
        return
    if fate < 0.07:
        ops.order_accept_fail(
            order_id=order.pk, actor=clerk, at=answer, reason=FailReason.DUPLICATE, text="与同一客户的另一订单重复"
        )
        return
    ops.order_accept(order_id=order.pk, actor=clerk, at=answer)
    couriers = list(Courier.objects.filter(site_id=order.site_id, active=True)[:3])
    if couriers:
        ops.order_courier_assign(
            order_id=order.pk, actor=clerk, courier=rng.choice(couriers), at=answer + timedelta(minutes=2)
        )
    done = answer + timedelta(hours=rng.choice([1, 2, 4, 6, 15, 18]))
    if done > now or rng.random() < 0.08:
        return  # still waiting for pickup
    if rng.random() < 0.05:
        ops.order_pickup_fail(order_id=order.pk, actor=clerk, at=done, reason=FailReason.PHONE, text="多次致电无人接听")
        return
    ops.order_pickup_confirm(order_id=order.pk, actor=clerk, waybill=waybill, at=done)
    if rng.random() < 0.9:
        ops.pickup_scan_record(
            waybill=waybill,
            scanned_at=done + timedelta(minutes=rng.randint(20, 240)),
            site_code=order.site.code,
            operator=order.courier.name if order.courier else "",
        )


def demo_orders_build(*, size: int = 400, now: datetime | None = None) -> int:
    """Orders for the last 7 days (about ``size``), a third of them at the demo clerk's site, and today's round of
    demo-courier; returns how many were created (0 when today's stream and round exist already)."""
    now = now or timezone.now()
    day_key = timezone.localtime(now).strftime("%Y%m%d")
    if size <= 0:
        return 0
    if OnlineOrder.objects.filter(channel_order_id__contains=f"DEMO{day_key}").exists():
        # the stream exists; the courier's round may still be missing (demo accounts made after the stream)
        district = District.objects.select_related("city", "province").filter(adcode=DEMO_SITE_DISTRICT).first()
        if district is None:
            return 0
        with transaction.atomic():
            return _courier_round(
                random.Random(int(day_key) + 1), district=district, channels=channels_ensure(), now=now, day_key=day_key
            )
    rng = random.Random(int(day_key))
    channels = channels_ensure()
    hq = User.objects.filter(role=User.Role.HQ).first()
    demo_district = District.objects.select_related("city", "province").filter(adcode=DEMO_SITE_DISTRICT).first()
    served = list(
        District.objects.filter(service_areas__isnull=False, statistical_only=False)
        .select_related("city", "province")
        .distinct()
        .order_by("adcode")
    )
    if not served:
        return 0
    zhejiang = [d for d in served if d.adcode.startswith("33")] or served
    clerk_for = {}
    created = 0
    with transaction.atomic():
        for i in range(size):
            r = rng.random()
            district = (
                demo_district
                if r < 0.33 and demo_district
                else (rng.choice(zhejiang) if r < 0.7 else rng.choice(served))
            )
            if rng.random() < 0.02:
                district = None  # an address nobody can route: the data center
            order_time = now - timedelta(minutes=rng.randint(40, 7 * 24 * 60))
            channel = channels[rng.choice(CHANNELS)]
            business = "online" if rng.random() < 0.3 else "send"
            data = _data(
                rng,
                key=f"DEMO{day_key}{i:05d}",
                district=district,
                business=business,
                order_time=order_time,
                channel=channel,
            )
            intake = order_create(channel=channel, data=data, at=order_time)
            created += intake.created
            order = intake.order
            clerk = clerk_for.setdefault(
                order.site_id, User.objects.filter(site_id=order.site_id, role=User.Role.CLERK).first() or hq
            )
            if clerk is not None:  # without demo accounts the stream stays as it arrived
                _work(order, rng, clerk=clerk, now=now, waybill=f"3{day_key[2:]}{i:06d}")
        # live work for the demo clerk: fresh orders waiting with running countdowns
        if demo_district:
            for j in range(8):
                order_time = now - timedelta(minutes=rng.choice([1, 3, 6, 11, 15, 19, 22, 26]))
                channel = channels[rng.choice(CHANNELS)]
                data = _data(
                    rng,
                    key=f"DEMO{day_key}L{j:03d}",
                    district=demo_district,
                    business="online" if j % 3 == 0 else "send",
                    order_time=order_time,
                    channel=channel,
                )
                created += order_create(channel=channel, data=data, at=order_time).created
            created += _courier_round(rng, district=demo_district, channels=channels, now=now, day_key=day_key)
    return created


def _courier_round(rng, *, district: District, channels: dict, now: datetime, day_key: str) -> int:
    """Today's round of demo-courier (when the demo accounts exist): accepted orders of the demo site assigned to
    them, their deadlines spread over the coming hours (one within 2 hours, so the desk flags it)."""
    account = User.objects.filter(username="demo-courier", courier__isnull=False).select_related("courier").first()
    clerk = User.objects.filter(username="demo-clerk").first()
    if (
        account is None
        or clerk is None
        or OnlineOrder.objects.filter(channel_order_id__endswith=f"DEMO{day_key}C000").exists()
    ):
        return 0
    created = 0
    for j, hours_ago in enumerate([15, 12, 9, 5, 2]):
        order_time = now - timedelta(hours=hours_ago, minutes=rng.randint(0, 30))
        channel = channels[rng.choice(CHANNELS)]
        data = _data(
            rng,
            key=f"DEMO{day_key}C{j:03d}",
            district=district,
            business="send",
            order_time=order_time,
            channel=channel,
        )
        data.pop("window_start", None), data.pop("window_end", None)
        intake = order_create(channel=channel, data=data, at=order_time)
        created += intake.created
        order = intake.order
        if order.site_id != account.courier.site_id or order.state != OrderState.PENDING:
            continue
        ops.order_accept(order_id=order.pk, actor=clerk, at=order_time + timedelta(minutes=5))
        ops.order_courier_assign(
            order_id=order.pk, actor=clerk, courier=account.courier, at=order_time + timedelta(minutes=7)
        )
    return created
