"""Refunds (60 % then 40 %), their corrections, and the reward allocation, on worked examples."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from dispatch import services as ops
from finance.models import EntryKind, LedgerEntry
from finance.selectors import balance
from penalties.models import (
    RewardQuota,
    RewardRank,
    Rule,
    RuleVersion,
    Violation,
    ViolationStatus,
)
from penalties.money import ledger_sync, monthly_settlement, quotas, round_half_up

from ..factories import (
    CourierFactory,
    ServiceAreaFactory,
    SiteFactory,
    make_order,
)

SH = ZoneInfo("Asia/Shanghai")


def day(m, d=10, h=10):
    return datetime(2026, m, d, h, 0, tzinfo=SH)


def fine(site, when, amount="100", rule=Rule.FALSE_FAIL_REASON):
    order = make_order(order_time=when)
    version = RuleVersion.objects.filter(code=rule).order_by("-effective_from").first()
    from core.clock import week_of as _week

    return Violation.objects.create(
        order=order,
        stint=1,
        rule=rule,
        site=site,
        province=site.province,
        rule_version=version,
        fine=Decimal(amount),
        occurred_at=when,
        week=_week(when),
        status=ViolationStatus.CONFIRMED,
        source="audit",
        created_at=when,
    )


def orders_in(month):
    make_order(order_time=day(month, 15))


def refunds(site):
    return sorted(
        LedgerEntry.objects.filter(site=site, kind__in=[EntryKind.REFUND, EntryKind.ADJUSTMENT]).values_list(
            "month", "code", "amount"
        )
    )


def settle(*months):
    """Each month settled on the 1st of the next (a month is settled only after it has ended)."""
    for m in months:
        monthly_settlement(month=date(2026, m, 1), at=datetime(2026, m + 1, 1, 1, tzinfo=SH))


def test_fines_and_reversals_in_the_ledger(net):
    v = fine(net.site_a, day(3), "100")
    w = fine(net.site_a, day(3), "500", rule=Rule.FALSE_WAYBILL)
    assert ledger_sync() == 2 and ledger_sync() == 0
    assert balance(site_id=net.site_a.pk, month=date(2026, 3, 1)) == Decimal("-600")
    w.status = ViolationStatus.CANCELLED
    w.save()
    assert ledger_sync() == 1
    assert balance(site_id=net.site_a.pk, month=date(2026, 3, 1)) == Decimal("-100")
    entry = LedgerEntry.objects.get(key=f"fine:violation:{v.pk}")
    with pytest.raises(RuntimeError):
        entry.amount = 0
        entry.save()


def test_refund_60_then_40_over_three_months(net):
    fine(net.site_a, day(3), "100")
    fine(net.site_a, day(3), "55.55")  # 60 % of 155.55 is 93.33, half up; 40 % is the rest, 62.22
    orders_in(4), orders_in(5)
    settle(3, 4, 5)
    assert refunds(net.site_a) == [
        (date(2026, 4, 1), "REFUND_60", Decimal("93.33")),
        (date(2026, 5, 1), "REFUND_40", Decimal("62.22")),
    ]
    settle(5)  # twice: nothing more
    assert len(refunds(net.site_a)) == 2
    net_all = LedgerEntry.objects.filter(site=net.site_a).values_list("amount", flat=True)
    assert sum(net_all) == Decimal("0")


def test_violation_in_m_plus_1_ends_the_refund(net):
    fine(net.site_a, day(3))
    orders_in(4), orders_in(5)
    fine(net.site_a, day(4, 20))
    settle(3, 4, 5)
    assert [r for r in refunds(net.site_a) if r[0] <= date(2026, 5, 1) and "REFUND" in r[1]] == [
        (date(2026, 5, 1), "REFUND_60", Decimal("60.00"))
    ]  # only April's fine, from May being clean


def test_violation_in_m_plus_2_ends_the_40(net):
    fine(net.site_a, day(3))
    orders_in(4), orders_in(5)
    fine(net.site_a, day(5, 20))
    settle(3, 4, 5)
    assert refunds(net.site_a) == [(date(2026, 4, 1), "REFUND_60", Decimal("60.00"))]


def test_a_month_without_online_orders_is_not_clean(net):
    fine(net.site_a, day(3))
    make_order(order_time=day(4), is_online=False)  # offline only
    settle(3, 4)
    assert refunds(net.site_a) == []


def test_appeal_cancelled_after_settlement_is_corrected_next_month(net):
    fine(net.site_a, day(3))
    orders_in(4), orders_in(5)
    april = fine(net.site_a, day(4, 20))
    settle(3, 4)
    assert refunds(net.site_a) == []  # April was not clean
    april.status = ViolationStatus.CANCELLED  # cancelled on appeal in May
    april.save()
    settle(5)
    # May: March's 60 % (April is clean now) as an adjustment, and March's 40 % (May clean); April's fine was
    # reversed, so nothing of April is refunded
    assert refunds(net.site_a) == [
        (date(2026, 5, 1), "REFUND_40", Decimal("40.00")),
        (date(2026, 5, 1), "REFUND_60", Decimal("60.00")),
    ]
    kinds = dict(LedgerEntry.objects.filter(site=net.site_a, month=date(2026, 5, 1)).values_list("code", "kind"))
    # March's 60 % was never paid before May: its first payment is a refund, not an adjustment
    assert kinds["REFUND_60"] == EntryKind.REFUND and kinds["REFUND_40"] == EntryKind.REFUND


def test_a_fine_cancelled_after_its_refund_claws_it_back(net):
    v = fine(net.site_a, day(3))
    orders_in(4)
    settle(3, 4)
    assert refunds(net.site_a) == [(date(2026, 4, 1), "REFUND_60", Decimal("60.00"))]
    v.status = ViolationStatus.CANCELLED
    v.save()
    orders_in(5)
    settle(5)
    assert refunds(net.site_a)[-1] == (date(2026, 5, 1), "REFUND_60", Decimal("-60.00"))
    assert sum(LedgerEntry.objects.filter(site=net.site_a).values_list("amount", flat=True)) == Decimal("0")


def test_round_half_up_quota():
    assert (
        round_half_up(Decimal("2.5")) == 3
        and round_half_up(Decimal("0.49")) == 0
        and round_half_up(Decimal("1.5")) == 2
    )


@pytest.fixture
def reward_network(net):
    """Zhejiang: site_a and site_b plus three more first-level sites; Xinjiang: site_x. 6 first-level sites in all
    (the data center and contract area do not count)."""
    xihu = net.site_a.district
    extra = [SiteFactory(code=f"3301069{i}", name=f"西湖第{i}网点", district=xihu) for i in range(3)]
    for s in extra:
        ServiceAreaFactory(site=s, priority=0)
        CourierFactory(site=s)
    return extra


_waybills = iter(range(10**6))


def picked_up(site, n, *, late=0, month=6, business="send"):
    for i in range(n):
        when = day(month, 5 + i % 20)
        order = make_order(order_time=when, business_type=business)
        from core.models import User

        hq = User.objects.get(username="hq")
        from orders.models import OnlineOrder

        OnlineOrder.objects.filter(pk=order.pk).update(site=site, province=site.province)
        ops.order_accept(order_id=order.pk, actor=hq, at=when)
        done = when.replace(hour=12) if i >= late else when.replace(day=when.day + 1, hour=12)
        ops.order_pickup_confirm(order_id=order.pk, actor=hq, waybill=f"5{next(_waybills):011d}", at=done)


def test_reward_allocation_worked_example(net, reward_network):
    # quotas with 200 places: Zhejiang 5 of 6 first-level sites → 166.67 → 167; Xinjiang 1 of 6 → 33.33 → 33
    q = {row["province"].code: row["quota"] for row in quotas()}
    assert q == {"33": 167, "65": 33} and sum(q.values()) == 200
    # small quotas to see the edges: 2 places over 6 sites → Zhejiang round(1.67) = 2, Xinjiang round(0.33) = 0
    small = {row["province"].code: row["quota"] for row in quotas(places=2)}
    assert small == {"33": 2, "65": 0}
    three = {row["province"].code: row["quota"] for row in quotas(places=3)}
    assert three == {"33": 3, "65": 1} and sum(three.values()) == 4  # 2.5 rounds up, 0.5 rounds up: the honest sum


def test_reward_ranking_ties_and_empty_places(net, reward_network, monkeypatch):
    a, b, extra = net.site_a, net.site_b, reward_network
    picked_up(a, 4)
    picked_up(net.area_a, 2)  # the contract area counts toward site_a: 6
    picked_up(b, 6, late=3)  # a tie on count with a, lower on-time rate
    picked_up(extra[0], 6)  # a tie with a on count and rate: the lower code wins (33010601 < 33010690)
    picked_up(extra[1], 9)
    fine(extra[1], day(6, 20))  # most orders, but a standing violation: out
    picked_up(extra[2], 3, business="online")  # 在线下单 orders do not count
    picked_up(net.site_x, 2)
    monkeypatch.setattr("penalties.money.REWARD_PLACES", 4)  # Zhejiang 4 × 5/6 = 3.33 → 3; Xinjiang 0.67 → 1
    monthly_settlement(month=date(2026, 6, 1), at=datetime(2026, 7, 1, 1, tzinfo=SH))
    ranks = list(
        RewardRank.objects.filter(province__code="33").values_list("site__code", "rank", "picked_up", "awarded")
    )
    assert ranks == [(a.code, 1, 6, True), (extra[0].code, 2, 6, True), (b.code, 3, 6, True)]
    zj = RewardQuota.objects.get(province__code="33")
    assert (zj.first_level_sites, zj.quota, zj.qualifiers, zj.awarded) == (5, 3, 3, 3)
    xj = RewardQuota.objects.get(province__code="65")
    assert (xj.quota, xj.awarded) == (1, 1)
    rewards = dict(LedgerEntry.objects.filter(kind=EntryKind.REWARD).values_list("site__code", "amount"))
    assert rewards == {
        a.code: Decimal("200.00"),
        extra[0].code: Decimal("200.00"),
        b.code: Decimal("200.00"),
        net.site_x.code: Decimal("200.00"),
    }
    # not revised afterwards, and a second run changes nothing
    picked_up(extra[2], 10, month=6)
    monthly_settlement(month=date(2026, 6, 1), at=datetime(2026, 7, 2, tzinfo=SH))
    assert LedgerEntry.objects.filter(kind=EntryKind.REWARD).count() == 4


def test_fewer_qualifiers_than_places(net, reward_network):
    picked_up(net.site_a, 1)
    monthly_settlement(month=date(2026, 6, 1), at=datetime(2026, 7, 1, tzinfo=SH))
    zj = RewardQuota.objects.get(province__code="33")
    assert zj.quota == 167 and zj.qualifiers == 1 and zj.awarded == 1  # the other places stay empty


def test_monthly_command_twice_changes_nothing(net):
    fine(net.site_a, day(3))
    orders_in(4)
    call_command("monthly_settlement", month="2026-03")
    call_command("monthly_settlement", month="2026-04")

    def state():
        return (
            sorted(LedgerEntry.objects.values_list("site_id", "month", "kind", "code", "amount")),
            RewardQuota.objects.count(),
            RewardRank.objects.count(),
        )

    before = state()
    assert (date(2026, 4, 1), "REFUND_60", Decimal("60.00")) in refunds(net.site_a)  # the run did pay
    call_command("monthly_settlement", month="2026-04")
    assert state() == before


def test_the_ledgers_statements_are_finances_own():
    """Penalties hands the ledger queries over its own violations; no SQL text of penalties names finance's tables."""
    from pathlib import Path

    from django.conf import settings

    from finance.models import ClosedMonth, LedgerEntry

    tables = (LedgerEntry._meta.db_table, ClosedMonth._meta.db_table)
    for path in (Path(settings.BASE_DIR) / "penalties").glob("*.py"):  # the code; a migration's history stays
        text = path.read_text(encoding="utf-8")
        assert not any(table in text for table in tables), path
