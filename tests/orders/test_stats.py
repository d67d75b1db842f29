"""Orders per Beijing day per site (orders.stats): counted once by beat, read by the dashboard and the week's
figures; a day not yet counted is counted from the orders, so the answer never depends on beat having run."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.urls import reverse

from core import scoping
from dispatch import services as ops
from orders.models import OrderCountDay, OrderDayCount
from orders.stats import (
    LOCK_KEY,
    day_counts_nightly,
    day_counts_recent,
    day_counts_refresh,
    orders_per_day,
)
from penalties.selectors import dashboard, week_figures

from ..factories import make_order

SH = ZoneInfo("Asia/Shanghai")
MON = date(2026, 11, 16)


def _at(day: date, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=SH)


def _orders(net):
    """Two orders of Monday at site_a (the last one a microsecond before Beijing midnight), one of Tuesday's first
    instant at site_a, one of Monday at site_b (宁波), one of Monday in the data center (no site serves 温州)."""
    late_monday = make_order(order_time=_at(MON, 23, 59, 59, 999999))
    make_order(order_time=_at(MON, 10))
    make_order(order_time=_at(MON + timedelta(days=1), 0))
    make_order(order_time=_at(MON, 11), sender_city="宁波市", sender_district="海曙区")
    lost = make_order(order_time=_at(MON, 12), sender_city="温州市", sender_district="鹿城区")
    assert lost.site_id == net.data_center.pk
    return late_monday


def _counts():
    return {(r.day, r.site_id): r.orders for r in OrderDayCount.objects.all()}


def test_a_day_is_counted_per_site_by_beijing_day_without_the_data_center(net):
    _orders(net)
    result = day_counts_refresh(days=[MON, MON + timedelta(days=1)], at=_at(MON + timedelta(days=2), 3))
    assert result.rows == 3 and not result.skipped
    assert _counts() == {(MON, net.site_a.pk): 2, (MON, net.site_b.pk): 1, (MON + timedelta(days=1), net.site_a.pk): 1}
    assert set(OrderCountDay.objects.values_list("day", flat=True)) == {MON, MON + timedelta(days=1)}


def test_the_counts_answer_as_the_orders_do_for_every_scope(net):
    _orders(net)
    week = (MON, MON + timedelta(days=6))
    users = (net.hq, net.lcs_zj, net.lcs_xj, net.clerk_a, net.manager_zj)
    live = {u.username: orders_per_day(scope=scoping.unit_q(u), first=week[0], last=week[1]).counts for u in users}
    assert live["hq"][MON] == 3 and live["lcs-zj"][MON] == 3 and live["clerk-a"][MON] == 2
    assert live["lcs-xj"][MON] == 0 and sum(live["hq"].values()) == 4
    day_counts_refresh(days=[week[0] + timedelta(days=i) for i in range(7)])
    for u in users:
        counted = orders_per_day(scope=scoping.unit_q(u), first=week[0], last=week[1])
        assert counted.counts == live[u.username], u.username


def test_a_counted_day_is_read_from_its_count_until_it_is_counted_again(net):
    moved = _orders(net)
    day_counts_refresh(days=[MON], at=_at(MON + timedelta(days=1), 0, 5))
    make_order(order_time=_at(MON, 15))  # arrives after the count (an import of old orders)
    ops.order_transfer(order_id=moved.pk, actor=net.hq, to_site=net.site_b, at=_at(MON + timedelta(days=1), 0, 10))
    hq = scoping.unit_q(net.hq)
    clerk = scoping.unit_q(net.clerk_a)
    assert orders_per_day(scope=clerk, first=MON, last=MON).counts[MON] == 2  # as counted at 00:05
    assert orders_per_day(scope=hq, first=MON, last=MON).as_of == _at(MON + timedelta(days=1), 0, 5)
    day_counts_refresh(days=[MON], at=_at(MON + timedelta(days=1), 0, 15))
    assert orders_per_day(scope=clerk, first=MON, last=MON).counts[MON] == 2  # one moved away, one arrived
    assert orders_per_day(scope=scoping.unit_q(net.lcs_zj), first=MON, last=MON).counts[MON] == 4
    assert _counts()[(MON, net.site_b.pk)] == 2


def test_a_day_counted_while_it_went_on_and_not_since_is_counted_from_the_orders(net):
    _orders(net)
    day_counts_refresh(days=[MON], at=_at(MON, 10, 30))  # beat stopped after this count, until today
    make_order(order_time=_at(MON, 15))
    assert orders_per_day(scope=scoping.unit_q(net.hq), first=MON, last=MON).counts[MON] == 4
    day_counts_refresh(days=[MON], at=_at(MON, 23, 55))
    make_order(order_time=_at(MON, 16))
    assert orders_per_day(scope=scoping.unit_q(net.hq), first=MON, last=MON).counts[MON] == 5
    # today and yesterday are trusted as counted: beat recounts them every 5 minutes
    today = date(2026, 11, 24)
    make_order(order_time=_at(today, 8))
    day_counts_refresh(days=[today], at=_at(today, 8, 30))
    make_order(order_time=_at(today, 8, 40))
    assert orders_per_day(scope=scoping.unit_q(net.hq), first=today, last=today).counts[today] == 1


def test_a_day_still_to_come_is_not_counted(net):
    assert day_counts_refresh(days=[date(2026, 11, 25), date(2026, 11, 24)]).days == [date(2026, 11, 24)]
    assert not OrderCountDay.objects.filter(day=date(2026, 11, 25)).exists()


def test_days_not_counted_are_counted_from_the_orders(net):
    _orders(net)
    day_counts_refresh(days=[MON + timedelta(days=1)])
    make_order(order_time=_at(MON + timedelta(days=1), 9))  # after the count: not seen on a counted day
    both = orders_per_day(scope=scoping.unit_q(net.hq), first=MON, last=MON + timedelta(days=1))
    assert both.counts == {MON: 3, MON + timedelta(days=1): 1}
    assert orders_per_day(scope=scoping.unit_q(net.hq), first=MON, last=MON).as_of is None


def test_beat_counts_today_and_yesterday_often_and_five_weeks_nightly(net):
    now = _at(MON + timedelta(days=1), 0, 30)
    assert day_counts_recent(at=now).days == [MON, MON + timedelta(days=1)]
    nightly = day_counts_nightly(at=now).days
    assert len(nightly) == 35 and nightly[-1] == MON + timedelta(days=1) and nightly[0] == MON - timedelta(days=33)


@pytest.mark.django_db(transaction=True)
def test_a_second_count_while_one_runs_skips(net):
    held, release = threading.Event(), threading.Event()

    def hold():
        with connections["default"].cursor() as cursor:  # this thread's own connection
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            held.set()
            release.wait(10)
            cursor.execute("COMMIT")
        connections["default"].close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10)
        assert day_counts_refresh(days=[MON]).skipped
        assert not OrderCountDay.objects.exists()
    finally:
        release.set()
        thread.join()
    assert not day_counts_refresh(days=[MON]).skipped


def test_the_dashboard_and_the_week_read_the_counts(net, login):
    _orders(net)
    today = MON + timedelta(days=6)
    before = dashboard(user=net.lcs_zj, today=today)
    counted = _at(today + timedelta(days=1), 0, 5)  # the week counted after it ended
    day_counts_refresh(days=[MON + timedelta(days=i) for i in range(7)], at=counted)
    make_order(order_time=_at(MON, 16))  # after the count: the counted figures stand until the next one
    after = dashboard(user=net.lcs_zj, today=today)
    assert [r["orders"] for r in after["rates"]] == [r["orders"] for r in before["rates"]]
    assert after["counted_at"] == counted and before["counted_at"] is None
    assert week_figures(user=net.lcs_zj, week=MON)["orders"] == 4
    page = login(net.hq).get(reverse("penalties:dashboard")).content.decode()
    assert "今日订单数为实时统计" in page
    day_counts_recent()
    page = login(net.hq).get(reverse("penalties:dashboard")).content.decode()
    assert "今日订单数统计于" in page


def test_the_command_counts_a_span_of_days_and_refuses_nonsense(net):
    from io import StringIO

    from django.core.management import CommandError, call_command

    _orders(net)
    out = StringIO()
    call_command("order_day_counts", "--from", "2026-11-16", "--to", "2026-11-17", stdout=out)
    assert "2 days counted" in out.getvalue() and len(_counts()) == 3
    for bad in (
        ["--from", "2026-11-17", "--to", "2026-11-16"],
        ["--to", "2026-11-16"],
        ["--from", "16/11/2026"],
        ["--from", "2020-01-01", "--to", "2026-01-01"],
    ):
        with pytest.raises(CommandError):
            call_command("order_day_counts", *bad, stdout=StringIO())
    call_command("order_day_counts", stdout=out)
    assert OrderCountDay.objects.count() == 35
