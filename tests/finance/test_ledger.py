"""The ledger: keyed, append-only entries rounded half up to the cent; statements and balances are sums, scoped."""

from datetime import date
from decimal import Decimal

import pytest

from finance.models import EntryKind, Heading, LedgerEntry
from finance.selectors import balance, statement
from finance.services import Entry, entries_record, money

M = date(2026, 10, 1)


def entry(net, key, amount, *, site=None, kind=EntryKind.FINE, heading=Heading.ONLINE_ORDERS, month=M):
    site = site or net.site_a
    return Entry(
        site_id=site.pk,
        province_id=site.province_id,
        month=month,
        kind=kind,
        code="LATE_ACCEPT",
        amount=Decimal(amount),
        key=key,
        heading=heading,
    )


@pytest.mark.parametrize(
    "value, cents", [("0.005", "0.01"), ("0.015", "0.02"), ("-0.005", "-0.01"), ("2.675", "2.68"), ("60", "60.00")]
)
def test_money_rounds_half_up_never_to_even(value, cents):
    assert money(Decimal(value)) == Decimal(cents)


def test_an_entry_is_written_once_per_key(net):
    assert entries_record([entry(net, "fine:1", "-100"), entry(net, "fine:2", "-50")]) == 2
    assert entries_record([entry(net, "fine:1", "-100"), entry(net, "fine:3", "-0.005")]) == 1
    assert sorted(LedgerEntry.objects.values_list("key", "amount")) == [
        ("fine:1", Decimal("-100.00")),
        ("fine:2", Decimal("-50.00")),
        ("fine:3", Decimal("-0.01")),
    ]
    assert entries_record([]) == 0


def test_balance_and_statement_are_sums_in_scope(net):
    entries_record(
        [
            entry(net, "a", "-100"),
            entry(net, "b", "60", kind=EntryKind.REFUND),
            entry(net, "c", "-50", heading=Heading.WORK_ORDERS),
            entry(net, "d", "-500", site=net.site_x),
            entry(net, "e", "-20", month=date(2026, 9, 1)),
        ]
    )
    assert balance(site_id=net.site_a.pk) == Decimal("-110")
    assert balance(site_id=net.site_a.pk, month=M, heading=Heading.ONLINE_ORDERS) == Decimal("-40")
    assert balance(site_id=net.site_a.pk, kinds=[EntryKind.REFUND]) == Decimal("60")
    mine = statement(user=net.clerk_a, month=M)
    assert mine["total"] == Decimal("-90")  # the other province's fine and September's are not in it
    assert [row["site__code"] for row in mine["per_site"]] == [net.site_a.code]
    national = statement(user=net.hq, month=M)
    assert national["total"] == Decimal("-590")
    zj = statement(user=net.lcs_zj, month=M)
    assert zj["total"] == Decimal("-90")
