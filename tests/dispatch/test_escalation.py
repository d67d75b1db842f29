"""Escalation at its edges (on the tests' fixed clock): an order 10 minutes from its accept deadline at a site silent
for 20 minutes alerts the province, a missed deadline at a silent site alerts HQ, a callback given up alerts HQ;
each once, one message a run listing each site with its orders, no personal data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from core import alerts
from core.models import AlertMessage
from dispatch.escalation import escalations_run
from dispatch.models import SiteActivity
from orders.models import OnlineOrder, OutboxMessage

from ..factories import make_order

S = timedelta(seconds=1)


@pytest.fixture
def channels(net):
    hq = alerts.channel_save(province=None, kind="sms", name="总部值班", target="13800001111")
    zj = alerts.channel_save(province=net.zj, kind="sms", name="浙江值班", target="13900002222")
    return hq, zj


def _quiet(site, since):
    SiteActivity.objects.update_or_create(site=site, defaults={"last_refresh_at": since})


def _sent(channel):
    return list(AlertMessage.objects.filter(channel=channel).order_by("id"))


def test_an_order_ten_minutes_from_its_deadline_at_a_site_silent_for_twenty_alerts_the_province(net, channels):
    hq, zj = channels
    order = make_order(order_time=timezone.now() - timedelta(minutes=5))
    assert order.site == net.site_a
    due = order.accept_due_at
    at = due - timedelta(minutes=10)
    _quiet(net.site_a, at - timedelta(minutes=20))  # refreshed exactly 20 minutes ago: not silent yet
    assert escalations_run(at=at)["accept_soon"] == 0
    _quiet(net.site_a, at - timedelta(minutes=20) - S)  # a second longer: silent
    assert escalations_run(at=at - S)["accept_soon"] == 0  # 10 minutes and a second before: not yet
    assert escalations_run(at=at) == {"accept_soon": 1, "accept_missed": 0, "callback_failed": 0}
    [message] = _sent(zj)
    assert _sent(hq) == []
    assert message.kind == "accept_soon" and "浙江省" in message.payload["title"]
    [line] = message.payload["lines"]
    assert net.site_a.code in line and order.channel_order_id in line and "接单页 20 分钟未刷新" in line
    # the next minutes find it alerted: nothing more
    assert escalations_run(at=at + timedelta(minutes=1))["accept_soon"] == 0
    assert len(_sent(zj)) == 1


def test_a_missed_deadline_at_a_silent_site_alerts_hq_once(net, channels):
    hq, zj = channels
    order = make_order(order_time=timezone.now() - timedelta(minutes=5))
    due = order.accept_due_at
    _quiet(net.site_a, due - timedelta(hours=1))
    assert escalations_run(at=due - S) == {"accept_soon": 1, "accept_missed": 0, "callback_failed": 0}
    assert escalations_run(at=due) == {"accept_soon": 0, "accept_missed": 1, "callback_failed": 0}
    [message] = _sent(hq)
    assert message.kind == "accept_missed" and "浙江省 杭州西湖网点" in message.payload["lines"][0]
    assert escalations_run(at=due + timedelta(minutes=1))["accept_missed"] == 0
    # a clerk who accepts, or refreshes the workbench, ends it: a site that is not silent is never alerted
    other = make_order(order_time=timezone.now() - timedelta(minutes=4))
    _quiet(net.site_a, other.accept_due_at - timedelta(minutes=19))
    assert escalations_run(at=other.accept_due_at) == {"accept_soon": 0, "accept_missed": 0, "callback_failed": 0}


def test_one_message_per_province_lists_each_site_with_its_orders(net, channels):
    hq, zj = channels
    t = timezone.now() - timedelta(minutes=5)
    a = [make_order(order_time=t + i * S) for i in range(7)]
    b = make_order(order_time=t, sender_city="宁波市", sender_district="海曙区")
    assert b.site == net.site_b
    at = max(o.accept_due_at for o in [*a, b]) - timedelta(minutes=9)
    # site_b never refreshed: silent too
    _quiet(net.site_a, at - timedelta(hours=1))
    assert escalations_run(at=at)["accept_soon"] == 1
    [message] = _sent(zj)
    assert "8 单" in message.payload["title"]
    first, second = message.payload["lines"]
    assert first.startswith("杭州西湖网点（33010601）：7 单") and "等另 2 单" in first
    assert second.startswith("宁波海曙网点（33020301）：1 单") and "从未刷新" in second
    text = json.dumps(message.payload, ensure_ascii=False)
    for order in [*a, b]:  # names, phones and addresses never leave in an alert
        assert order.sender_name not in text and order.sender_phone not in text and order.sender_address not in text


def test_a_callback_given_up_alerts_hq_once(net, channels):
    hq, _zj = channels
    from orders.services import api_client_create, channels_ensure

    client, _secret = api_client_create(
        name="淘宝回调", kind="channel", channel=channels_ensure()["taobao"], adapter="generic", callback_url=""
    )
    order = make_order()
    now = timezone.now()
    rows = [
        OutboxMessage.objects.create(
            client=client,
            order=order,
            kind="accepted",
            url="https://cb.example/x",
            payload={},
            next_attempt_at=now,
            created_at=now,
            status=status,
            attempts=10 if status == "failed" else 2,
            last_error="HTTP 500: busy",
        )
        for status in ("failed", "failed", "pending")
    ]
    assert escalations_run(at=now)["callback_failed"] == 1
    [message] = _sent(hq)
    assert message.payload["lines"] == ["淘宝回调：2 条状态回调重试 10 次后放弃（最后一次：HTTP 500）"]
    assert escalations_run(at=now + timedelta(minutes=1))["callback_failed"] == 0
    OutboxMessage.objects.filter(pk=rows[2].pk).update(status="failed", attempts=10)
    assert escalations_run(at=now + timedelta(minutes=2))["callback_failed"] == 1
    assert "1 条" in _sent(hq)[-1].payload["title"]


def test_the_escalation_runs_every_minute_on_the_minute_queue():
    from config.beat import beat_schedule
    from config.celery import app

    entry = beat_schedule()["escalations"]
    assert entry["schedule"] == 60.0 and entry["task"] == "dispatch.tasks.escalations"
    assert app.amqp.router.route({}, entry["task"])["queue"].name == "minute"


def test_an_order_no_longer_waiting_is_not_alerted(net, channels):
    order = make_order(order_time=timezone.now() - timedelta(minutes=5))
    _quiet(net.site_a, order.accept_due_at - timedelta(hours=1))
    OnlineOrder.objects.filter(pk=order.pk).update(state="ACCEPTED")
    assert escalations_run(at=order.accept_due_at) == {"accept_soon": 0, "accept_missed": 0, "callback_failed": 0}


def test_provinces_without_channels_reach_hq_in_one_message(net):
    hq = alerts.channel_save(province=None, kind="sms", name="总部值班", target="13800001111")
    t = timezone.now() + timedelta(hours=1, minutes=5)  # 10:05 Beijing: both provinces in service hours
    zj = make_order(order_time=t, at=t)
    xj = make_order(
        order_time=t,
        at=t,
        sender_province="新疆维吾尔自治区",
        sender_city="乌鲁木齐市",
        sender_district="天山区",
        sender_address="解放路1号",
    )
    assert (zj.site, xj.site) == (net.site_a, net.site_x)
    at = max(zj.accept_due_at, xj.accept_due_at) - timedelta(minutes=9)
    assert min(zj.accept_due_at, xj.accept_due_at) > at
    for site in (net.site_a, net.site_x):
        _quiet(site, at - timedelta(hours=1))
    assert escalations_run(at=at)["accept_soon"] == 1
    [message] = _sent(hq)
    assert "2 个省" in message.payload["title"]
    assert [line.split(" ")[0] for line in message.payload["lines"]] == ["浙江省", "新疆维吾尔自治区"]


def test_an_escalation_reaches_the_provinces_wecom_robot(net):
    from ..core.test_alerts import KEY, FakeRobots

    robots = FakeRobots()
    try:
        alerts.channel_save(
            province=net.zj, kind="wecom", name="浙江运营群", target=f"{robots.base}/cgi-bin/webhook/send?key={KEY}"
        )
        order = make_order(order_time=timezone.now() - timedelta(minutes=5))
        at = order.accept_due_at - timedelta(minutes=8)
        _quiet(net.site_a, at - timedelta(minutes=25))
        assert escalations_run(at=at)["accept_soon"] == 1
        assert alerts.alerts_deliver() == 1
    finally:
        robots.close()
    [got] = robots.received
    content = got["body"]["markdown"]["content"]
    assert got["body"]["msgtype"] == "markdown" and got["query"] == {"key": [KEY]}
    assert content.startswith("### 浙江省：1 单 10 分钟内到接单时限，网点无人值守\n> 杭州西湖网点（33010601）：1 单")
    assert order.channel_order_id in content and "接单页 25 分钟未刷新" in content
    assert order.sender_phone not in content and order.sender_name not in content
    print("企业微信 body received:", got["raw"].decode())
