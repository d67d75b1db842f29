"""The clock at its edges (SPEC §4 "Clocks")."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import clock
from core.models import Province

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db  # the clock reads the closure calendar and the rule versions


def t(*args):
    return datetime(*args, tzinfo=SH)


ZJ = Province(code="33", name="浙江省", service_start=time(8), service_end=time(20))
XJ = Province(code="65", name="新疆", service_start=time(10), service_end=time(21))


@pytest.mark.parametrize(
    "reached, due",
    [
        (t(2026, 11, 23, 10, 0), t(2026, 11, 23, 10, 30)),  # inside hours: plain 30 minutes
        (t(2026, 11, 23, 19, 50), t(2026, 11, 24, 8, 20)),  # the spec's example: 10 min today, 20 tomorrow
        (t(2026, 11, 23, 19, 30), t(2026, 11, 23, 20, 0)),  # exactly at closing
        (t(2026, 11, 23, 20, 0), t(2026, 11, 24, 8, 30)),  # at closing: all 30 minutes tomorrow
        (t(2026, 11, 23, 23, 59), t(2026, 11, 24, 8, 30)),  # at night
        (t(2026, 11, 24, 3, 0), t(2026, 11, 24, 8, 30)),  # before opening
        (t(2026, 11, 28, 19, 45), t(2026, 11, 29, 8, 15)),  # Saturday → Sunday: weekends are working days
    ],
)
def test_accept_deadline_counts_service_minutes(reached, due):
    assert clock.accept_due(ZJ, reached, mode=clock.SERVICE_HOURS) == due


def test_xinjiang_hours():
    assert clock.accept_due(XJ, t(2026, 11, 23, 9, 0), mode=clock.SERVICE_HOURS) == t(2026, 11, 23, 10, 30)
    assert clock.accept_due(XJ, t(2026, 11, 23, 20, 50), mode=clock.SERVICE_HOURS) == t(2026, 11, 24, 10, 20)
    # 20:10 is after closing in Zhejiang but inside Xinjiang's hours
    assert clock.accept_due(XJ, t(2026, 11, 23, 20, 10), mode=clock.SERVICE_HOURS) == t(2026, 11, 23, 20, 40)
    assert clock.accept_due(ZJ, t(2026, 11, 23, 20, 10), mode=clock.SERVICE_HOURS) == t(2026, 11, 24, 8, 30)


def test_literal_wall_clock_setting(settings):
    settings.ACCEPT_CLOCK = clock.WALL_CLOCK
    assert clock.accept_due(ZJ, t(2026, 11, 23, 19, 50)) == t(2026, 11, 23, 20, 20)
    settings.ACCEPT_CLOCK = clock.SERVICE_HOURS
    assert clock.accept_due(ZJ, t(2026, 11, 23, 19, 50)) == t(2026, 11, 24, 8, 20)


def test_exactly_at_the_deadline_is_on_time_one_second_later_is_late():
    due = clock.accept_due(ZJ, t(2026, 11, 23, 10, 0))
    assert not clock.is_late(due, due)
    assert clock.is_late(due + timedelta(seconds=1), due)
    assert not clock.is_late(due - timedelta(seconds=1), due)


def test_pickup_clock_16_hours_or_the_later_window():
    ordered = t(2026, 11, 23, 10, 0)
    assert clock.pickup_due(ordered) == t(2026, 11, 24, 2, 0)
    assert clock.pickup_due(ordered, t(2026, 11, 23, 18, 0)) == t(2026, 11, 24, 2, 0)  # earlier window: 16 h
    assert clock.pickup_due(ordered, t(2026, 11, 24, 17, 0)) == t(2026, 11, 24, 17, 0)  # later window: its end


def test_closed_days_stop_the_clock():
    closed = {t(2026, 11, 24, 0, 0).date()}
    due = clock.add_service_minutes(ZJ, t(2026, 11, 23, 19, 50), 30, is_closed=lambda d: d in closed)
    assert due == t(2026, 11, 25, 8, 20)


def test_batch_reuses_a_deadline_only_for_the_same_inputs(monkeypatch):
    """``clock.batch()`` (bulk intake) computes a deadline once per (province and its hours, start, mode): a
    second province, another moment or another window gets its own, and outside a batch nothing is kept."""
    calls = []
    real = clock.add_service_minutes
    monkeypatch.setattr(clock, "add_service_minutes", lambda *a, **k: calls.append(a) or real(*a, **k))
    evening = t(2026, 11, 23, 19, 50)
    with clock.batch():
        assert clock.accept_due(ZJ, evening, mode=clock.SERVICE_HOURS) == t(2026, 11, 24, 8, 20)
        assert clock.accept_due(ZJ, evening, mode=clock.SERVICE_HOURS) == t(2026, 11, 24, 8, 20)
        assert len(calls) == 1
        # Xinjiang's hours differ (both provinces unsaved here: the key holds the hours, not only the pk)
        assert clock.accept_due(XJ, evening, mode=clock.SERVICE_HOURS) == t(2026, 11, 23, 20, 20)
        assert clock.accept_due(ZJ, t(2026, 11, 23, 10), mode=clock.SERVICE_HOURS) == t(2026, 11, 23, 10, 30)
        assert len(calls) == 3
        start = t(2026, 11, 23, 10)
        assert clock.pickup_due(start, province=ZJ) == t(2026, 11, 24, 2)
        assert clock.pickup_due(start, t(2026, 11, 24, 9), province=ZJ) == t(2026, 11, 24, 9)  # a later window
        assert clock.pickup_due(start, province=ZJ) == t(2026, 11, 24, 2)
    clock.accept_due(ZJ, evening, mode=clock.SERVICE_HOURS)
    clock.accept_due(ZJ, evening, mode=clock.SERVICE_HOURS)
    assert len(calls) == 5  # no batch: computed each time
