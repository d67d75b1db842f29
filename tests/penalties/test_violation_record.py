"""A violation's record says each judgement once (one 「系统时效判定」, however many rows an older record holds),
and an appeal deadline reads the same on every page: 「11月26日 09:00 截止（还剩 1 天 23 小时）」 (``deadline`` filter)."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from penalties import appeals
from penalties.events import event_record
from penalties.models import Violation, ViolationEvent
from penalties.reports import weekly_notices
from penalties.sweep import sla_sweep

from ..factories import make_order

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 17, 10, 0, tzinfo=SH)
NOTICE_AT = datetime(2026, 11, 23, 9, 0, tzinfo=SH)  # the appeal window closes 72 h later; the tests' now: 11-24 09:00


@pytest.fixture
def notified(net):
    order = make_order(order_time=T0)
    sla_sweep(since=T0 - timedelta(days=1), until=T0 + timedelta(hours=1), at=T0 + timedelta(hours=1))
    weekly_notices(week=date(2026, 11, 16), at=NOTICE_AT)
    return Violation.objects.filter(order=order).order_by("occurred_at").first()


def _history(client, v) -> str:
    html = client.get(reverse("penalties:violation_detail", args=[v.pk])).content.decode()
    return html[html.index('data-testid="violation-history"') : html.index("</ol>", html.index("violation-history"))]


def test_the_clock_s_judgement_is_one_entry(net, login, notified):
    history = _history(login(net.lcs_zj), notified)
    assert history.count("系统时效判定") == 1
    assert re.search(r"时限 2026-11-17 \d\d:\d\d 已过仍未处理", history)
    # the same judgement recorded again adds no row
    event_record(notified, "detected", at=NOTICE_AT)
    assert ViolationEvent.objects.filter(violation=notified, kind="detected").count() == 1


def test_older_records_read_one_entry_too(net, login, notified):
    # a record holding the judgement twice (written before it was recorded once) and one holding none
    ViolationEvent.objects.create(violation=notified, kind="detected", at=notified.created_at, data={"source": "sweep"})
    assert _history(login(net.lcs_zj), notified).count("系统时效判定") == 1
    bare = Violation.objects.create(
        **{
            f.name: getattr(notified, f.name)
            for f in Violation._meta.concrete_fields
            if f.name not in ("id", "stint", "reclassified_from")
        },
        stint=notified.stint + 1,
    )
    history = _history(login(net.lcs_zj), bare)
    assert history.count("系统时效判定") == 1 and "已过仍未处理" in history


def test_the_appeal_deadline_reads_the_same_on_every_page(net, login, notified):
    said = '11月26日 09:00 截止（<span class="countdown" data-due="2026-11-26T09:00:00+08:00" data-warn="21600">还剩 '
    client = login(net.clerk_a)
    pages = {
        "violation": client.get(reverse("penalties:violation_detail", args=[notified.pk])),
        "home": client.get(reverse("home")),
        "list": client.get(reverse("penalties:violation_list")),
    }
    for name, page in pages.items():
        html = page.content.decode()
        assert said in html, name
        assert "2026-11-26 09:00" not in html and "11-26 09:00" not in html, name  # no second way of saying it
    # the window to HQ after the province upheld: the same words
    appeal = appeals.appeal_file(violation_id=notified.pk, actor=net.clerk_a, text="x", at=NOTICE_AT)
    appeals.appeal_lcs_decide(
        appeal_id=appeal.pk, actor=net.lcs_zj, cancel=False, text="维持", at=NOTICE_AT + timedelta(hours=2)
    )
    to_hq = '11月26日 11:00 截止（<span class="countdown" data-due="2026-11-26T11:00:00+08:00" data-warn="21600">还剩 '
    for url in (
        reverse("penalties:violation_detail", args=[notified.pk]),
        reverse("home"),
        reverse("penalties:violation_list"),
    ):
        assert to_hq in client.get(url).content.decode(), url
