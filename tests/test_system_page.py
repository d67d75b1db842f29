"""HQ's system page: the figures of /metrics for people (the same collector), HQ only, in HQ's navigation."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from core import alerts
from core.models import AlertMessage
from core.tasks import scheduler_heartbeat
from orders.models import OutboxMessage
from orders.services import api_client_create, channels_ensure
from penalties.models import SweepRun, WeeklyNotice

from .factories import make_order


def test_hq_reads_what_the_operators_scrape(net, login, settings):
    now = timezone.now()
    SweepRun.objects.create(
        started_at=now - timedelta(seconds=75), since=now - timedelta(minutes=5), until=now, duration_ms=5000
    )
    scheduler_heartbeat.delay()
    order = make_order()
    client_, _secret = api_client_create(
        name="淘宝回调", kind="channel", channel=channels_ensure()["taobao"], adapter="generic", callback_url=""
    )
    OutboxMessage.objects.create(
        client=client_,
        order=order,
        kind="accepted",
        url="https://cb.example/x",
        payload={},
        next_attempt_at=now,
        created_at=now,
        status="failed",
        attempts=10,
    )
    week = date(2026, 11, 16)
    WeeklyNotice.objects.create(site=net.site_a, week=week, created_at=now - timedelta(minutes=30), issued_at=now)
    WeeklyNotice.objects.create(site=net.site_b, week=week, created_at=now - timedelta(minutes=30))
    channel = alerts.channel_save(province=None, kind="sms", name="值班", target="13800001111")
    alerts.alert_send(province=None, kind="test", title="一", lines=[], channels=[channel])
    alerts.alert_send(province=None, kind="test", title="二", lines=[], channels=[channel])
    alerts.alerts_deliver()
    AlertMessage.objects.filter(payload__title="二").update(status="failed")

    page = login(net.hq).get(reverse("system"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "系统状态" in html and "调度器心跳" in html and "秒前" in html
    assert "已发出 1 / 2 份通知" in html and "2026-11-16 这一周" in html
    assert "已发送 1，失败 1，待发送 0" in html
    assert "淘宝" in html and "每分钟任务" in html and "批量任务" in html
    assert "浙江省" in html  # the oldest waiting order, by the province's name

    settings.METRICS_TOKEN = "t0123456789"
    scraped = login(net.hq).get("/metrics", headers={"Authorization": "Bearer t0123456789"}).content.decode()
    families = {f.name: f for f in text_string_to_metric_families(scraped)}
    lag = families["q9_sweep_lag_seconds"].samples[0].value
    shown = int(html.split('data-testid="system-lag">')[1].split(" ")[0])
    assert abs(lag - shown) <= 5  # the same figure, a moment apart
    alerts_today = {s.labels["status"]: s.value for s in families["q9_alerts_today"].samples}
    assert alerts_today == {"delivered": 1, "failed": 1, "pending": 0}
    issued = families["q9_notices_issued"].samples[0].value
    assert issued == 1


def test_only_hq_and_in_hqs_navigation(net, login):
    url = reverse("system")
    for user in (net.clerk_a, net.lcs_zj, net.manager):
        assert login(user).get(url).status_code == 403
    assert f'href="{url}"' in login(net.hq).get(reverse("home")).content.decode()


def test_a_stale_heartbeat_reads_in_hours_and_warns(net, login):
    from django.core.cache import cache

    from core.selectors import HEARTBEAT_KEY

    cache.set(HEARTBEAT_KEY, (timezone.now() - timedelta(hours=3, minutes=5)).isoformat(), timeout=None)
    html = login(net.hq).get(reverse("system")).content.decode()
    assert "3小时5分前" in html and "调度器或每分钟任务的进程没有运行" in html
