"""Every decision on a site's violation or appeal sends the site a message with the link (and, when the province
upholds, the deadline to go to HQ); the violation list shows the appeal state and its deadline; the site's
activity feed lists the decisions."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core.models import Message
from core.selectors import messages_for
from dispatch import services as ops
from orders.models import EventKind
from penalties import appeals, services
from penalties.models import Rule, Violation
from penalties.reports import weekly_notices
from penalties.sweep import sla_sweep

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 17, 10, 0, tzinfo=SH)
NOTICE_AT = datetime(2026, 11, 23, 9, 0, tzinfo=SH)
WEEK = date(2026, 11, 16)


@pytest.fixture
def notified(net):
    order = make_order(order_time=T0)
    sla_sweep(since=T0 - timedelta(days=1), until=T0 + timedelta(hours=1), at=T0 + timedelta(hours=1))
    weekly_notices(week=WEEK, at=NOTICE_AT)
    return Violation.objects.get(order=order)


def _violation_messages(clerk, v):
    link = reverse("penalties:violation_detail", args=[v.pk])
    return list(messages_for(user=clerk).filter(category=Message.Category.VIOLATION, link=link).order_by("id"))


def test_lcs_upholding_tells_the_site_its_72_hours_to_go_to_hq(net, notified):
    appeal = appeals.appeal_file(violation_id=notified.pk, actor=net.clerk_a, text="系统故障", at=NOTICE_AT)
    decided = NOTICE_AT + timedelta(hours=10)
    appeals.appeal_lcs_decide(appeal_id=appeal.pk, actor=net.lcs_zj, cancel=False, text="证据不足", at=decided)
    [message] = _violation_messages(net.clerk_a, notified)
    assert "省平台" in message.title and notified.order.channel_order_id in message.title
    assert "2026-11-26 19:00" in message.body and "证据不足" in message.body  # decided + 72 h, Beijing time
    assert _violation_messages(net.clerk_b, notified) == []  # only the responsible site
    appeals.appeal_to_hq(appeal_id=appeal.pk, actor=net.clerk_a, text="不服", at=decided + timedelta(hours=1))
    appeals.appeal_hq_decide(
        appeal_id=appeal.pk, actor=net.hq, cancel=False, text="维持原判", at=decided + timedelta(days=2)
    )
    final = _violation_messages(net.clerk_a, notified)[-1]
    assert "总部终审" in final.title and "最终决定" in final.body
    assert "维持原判" in final.body


def test_cancellation_and_escalation_are_told(net, notified):
    appeal = appeals.appeal_file(violation_id=notified.pk, actor=net.clerk_a, text="x", at=NOTICE_AT)
    appeals.appeal_escalate(appeal_id=appeal.pk, actor=net.lcs_zj, text="请总部裁定", at=NOTICE_AT + timedelta(hours=1))
    appeals.appeal_hq_decide(
        appeal_id=appeal.pk, actor=net.hq, cancel=True, text="属实", at=NOTICE_AT + timedelta(hours=2)
    )
    escalated, cancelled = _violation_messages(net.clerk_a, notified)
    assert "总部" in escalated.title and "请总部裁定" in escalated.body
    assert "撤销" in cancelled.title and "冲回" in cancelled.body and "属实" in cancelled.body


def test_hq_confirming_or_rejecting_a_proposed_fine_is_told(net):
    order = make_order(order_time=NOTICE_AT)
    ops.order_accept_fail(
        order_id=order.pk, actor=net.clerk_a, reason="phone", text="空号", at=NOTICE_AT + timedelta(minutes=5)
    )
    event = order.events.get(kind=EventKind.ACCEPT_FAILED)
    proposed = services.violation_raise(
        event=event, rule=Rule.FALSE_FAIL_REASON, evidence="电话可接通", actor=net.lcs_zj
    )
    assert _violation_messages(net.clerk_a, proposed) == []  # a proposal is not a decision yet
    services.violation_confirm(violation_id=proposed.pk, actor=net.hq, text="录音核实")
    [message] = _violation_messages(net.clerk_a, proposed)
    assert "罚款已确认" in message.title and "100" in message.body and "72" in message.body

    other = make_order(order_time=NOTICE_AT)
    ops.order_accept_fail(
        order_id=other.pk, actor=net.clerk_a, reason="phone", text="空号", at=NOTICE_AT + timedelta(minutes=5)
    )
    p = services.violation_raise(
        event=other.events.get(kind=EventKind.ACCEPT_FAILED),
        rule=Rule.FALSE_FAIL_REASON,
        evidence="疑似",
        actor=net.lcs_zj,
    )
    services.violation_reject(violation_id=p.pk, actor=net.hq, text="证据不足")
    [rejected] = _violation_messages(net.clerk_a, p)
    assert "驳回" in rejected.title and "证据不足" in rejected.body


def test_violation_list_shows_appeal_state_and_deadline(net, notified, login, time_machine):
    time_machine.move_to(NOTICE_AT + timedelta(hours=1))
    client = login(net.clerk_a)
    page = client.get(reverse("penalties:violation_list"), {"week": ""}).content.decode()
    assert "可申诉" in page and "11月26日 09:00 截止" in page  # the notice + 72 h
    appeal = appeals.appeal_file(
        violation_id=notified.pk, actor=net.clerk_a, text="x", at=NOTICE_AT + timedelta(hours=1)
    )
    appeals.appeal_lcs_decide(
        appeal_id=appeal.pk, actor=net.lcs_zj, cancel=False, text="维持", at=NOTICE_AT + timedelta(hours=2)
    )
    page = client.get(reverse("penalties:violation_list")).content.decode()
    assert "11月26日 11:00 截止" in page  # until when the site may take it to HQ


def test_site_activity_feed(net, notified, login):
    appeal = appeals.appeal_file(violation_id=notified.pk, actor=net.clerk_a, text="x", at=NOTICE_AT)
    appeals.appeal_lcs_decide(
        appeal_id=appeal.pk, actor=net.lcs_zj, cancel=True, text="核实系统故障", at=NOTICE_AT + timedelta(hours=3)
    )
    feed = login(net.clerk_a).get(reverse("penalties:site_activity")).content.decode()
    assert 'data-testid="site-activity"' in feed and "核实系统故障" in feed and notified.order.channel_order_id in feed
    assert "核实系统故障" not in login(net.clerk_b).get(reverse("penalties:site_activity")).content.decode()
    lcs = login(net.lcs_zj)
    assert "核实系统故障" in lcs.get(reverse("penalties:site_activity"), {"site": net.site_a.code}).content.decode()
    assert (
        "核实系统故障"
        not in login(net.lcs_xj).get(reverse("penalties:site_activity"), {"site": net.site_a.code}).content.decode()
    )
    assert lcs.get(reverse("penalties:site_activity"), {"site": "x" * 300}).status_code == 200
