"""Issue 28 item 12, the closure-days page: it opens on upcoming days; one act confirms a period after a
confirmation that says what it will do (deadlines moved, fines voided); an undo is a recorded decision the rule
book judges like any other; no package name on the page, whatever the year."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from core import clock
from core.models import ClosureDay
from penalties.models import Rule, Violation, ViolationStatus
from penalties.sweep import sla_sweep

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
V = ViolationStatus
URL = reverse("penalties:closures")


@pytest.fixture(autouse=True)
def _rules(db):
    from tests.rulebook_seed import rules_seed

    rules_seed()
    yield
    clock.closures_changed()


def test_the_page_opens_on_upcoming_days_and_names_no_package(net, login):
    hq = login(net.hq)
    page = hq.get(URL).content.decode()  # the test clock reads 2026-11-24: the year's holidays are past
    assert "02-15" not in page and "chinese" not in page.lower()
    past = hq.get(URL, {"year": 2026, "past": "1"}).content.decode()
    assert "春节" in past and "02-15–02-23" in past and "9 天" in past  # one row, one act for the whole period
    later = hq.get(URL, {"year": 2027}).content.decode()
    assert "chinese" not in later.lower() and "calendar" not in later.lower()


def test_a_period_is_confirmed_in_one_act_after_a_confirmation_that_says_what_it_will_do(net, login):
    t0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
    order = make_order(order_time=t0)
    sla_sweep(since=t0 - timedelta(days=1), until=t0 + timedelta(minutes=31), at=t0 + timedelta(minutes=31))
    fine = Violation.objects.get(rule=Rule.LATE_ACCEPT)
    hq = login(net.hq)
    data = {"first": "2026-11-23", "last": "2026-11-25", "reason": "暴雪停工", "province": ""}
    page = hq.post(URL, {**data, "action": "preview"}).content.decode()
    assert "2026-11-23 至 2026-11-25（共 3 天）将成为全网的停运期" in page
    assert "将顺延 2 个未完成的时限，作废 1 条罚款，新增 0 条罚款" in page  # the order's accept and pickup deadlines
    assert not ClosureDay.objects.exists()  # the confirmation changed nothing
    fine.refresh_from_db()
    assert fine.status == V.CONFIRMED
    hq.post(URL, {**data, "action": "confirm"})
    assert sorted(ClosureDay.objects.values_list("day", flat=True)) == [date(2026, 11, d) for d in (23, 24, 25)]
    fine.refresh_from_db()
    order.refresh_from_db()
    assert fine.status == V.VOIDED and order.accept_due_at == datetime(2026, 11, 26, 8, 30, tzinfo=SH)


def test_an_undo_is_a_recorded_decision_judged_by_the_rule_book(net, login):
    from dispatch import services as ops

    t0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
    order = make_order(order_time=t0)
    ops.order_accept(order_id=order.pk, actor=net.clerk_a, at=t0 + timedelta(minutes=40))  # 10 minutes late
    ops.order_pickup_confirm(order_id=order.pk, actor=net.clerk_a, waybill="300000000974", at=t0 + timedelta(hours=2))
    sla_sweep(since=t0 - timedelta(days=1), until=t0 + timedelta(hours=3), at=t0 + timedelta(hours=3))
    hq = login(net.hq)
    hq.post(URL, {"first": "2026-11-23", "last": "2026-11-23", "reason": "误报", "province": "", "action": "confirm"})
    closure = ClosureDay.objects.get()
    assert not Violation.objects.filter(status=V.CONFIRMED).exists()
    page = hq.post(URL, {"closure": closure.pk, "reason": "公告撤回", "action": "undo_preview"}).content.decode()
    assert "1 条罚款将重新成立" in page and ClosureDay.objects.exists()
    hq.post(URL, {"closure": closure.pk, "reason": "公告撤回", "action": "undo"})
    assert not ClosureDay.objects.exists()
    again = Violation.objects.get(status=V.CONFIRMED)
    assert again.rule == Rule.LATE_ACCEPT and again.occurred_at == t0 + timedelta(minutes=30)
    assert again.events.filter(kind="detected", data__source="rejudge").exists()
    history = closure.history.order_by("-history_date").first()
    assert (
        history.history_type == "-" and history.history_user == net.hq and history.history_change_reason == "公告撤回"
    )
