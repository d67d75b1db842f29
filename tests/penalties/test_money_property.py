"""Money beyond examples: random sequences of fines (found by audit through the services),
cancellations, months with and without online orders, settlements of any month in any order (reruns included)
and issued statements, against the refund oracle (``refund_oracle``, which imports nothing from the product).

After every settlement: each refund part it decides is paid exactly as the oracle owes it; nothing paid for a
month exceeds its base; running it again writes nothing; an issued month's statement never changes."""

from __future__ import annotations

import ast
import os
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch import services as ops
from finance.models import LedgerEntry
from finance.selectors import statement
from finance.services import month_close
from penalties import services
from penalties.models import Rule, ViolationStatus
from penalties.money import monthly_settlement

from ..factories import make_order
from . import refund_oracle
from .refund_oracle import owed

SH = ZoneInfo("Asia/Shanghai")
YEAR = 2026
MONTHS = range(1, 7)  # fines and orders in January–June; settlements of February–July


def test_the_refund_oracle_imports_nothing_from_the_product():
    tree = ast.parse(Path(refund_oracle.__file__).read_text(encoding="utf-8"))
    names = {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    names |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert names <= {"__future__", "decimal"}, names


# online orders in most months (so refunds fall due), a few fines first, then fines, cancellations, settlements of
# any month in any order and issued statements
quiet = st.sets(st.sampled_from(MONTHS), max_size=2)
fine = st.tuples(
    st.just("fine"), st.sampled_from([1, 1, 2, 2, 3, 4, 5]), st.integers(1, 27), st.sampled_from(["fail", "waybill"])
)
settle = st.tuples(st.just("settle"), st.integers(2, 7))
acts = st.tuples(
    quiet,
    st.lists(fine, min_size=1, max_size=3),
    st.lists(
        st.one_of(
            fine,
            settle,
            settle,
            settle,
            st.tuples(st.just("orders"), st.sampled_from(MONTHS), st.integers(1, 27)),
            st.tuples(st.just("cancel"), st.integers(0, 20)),
            st.tuples(st.just("issue"), st.integers(1, 7)),
        ),
        min_size=3,
        max_size=14,
    ),
).map(lambda t: [("orders", m, 12) for m in MONTHS if m not in t[0]] + t[1] + t[2])


class _Rollback(Exception):
    pass


def test_refunds_agree_with_the_oracle(net):
    from tests.rulebook_seed import rules_seed

    rules_seed()
    waybills = iter(range(10**7))

    @settings(
        max_examples=int(os.environ.get("MONEY_EXAMPLES", "60")),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(acts)
    def check(history):
        fines: list[list] = []  # [violation, (year, month), amount, standing]
        order_months: set[tuple[int, int]] = set()
        issued: dict[date, tuple] = {}
        decided: dict[tuple, Decimal] = {}  # (fined month, part) -> what the last settlement deciding it owed
        clock = datetime(YEAR, 8, 1, 9, 0, tzinfo=SH)  # every month above has ended
        site = net.site_a
        try:
            with transaction.atomic():
                for act in history:
                    clock += timedelta(hours=1)
                    if act[0] == "fine":
                        _kind, m, d, how = act
                        when = datetime(YEAR, m, d, 10, 0, tzinfo=SH)
                        order = make_order(order_time=when)
                        if how == "fail":
                            ops.order_accept_fail(
                                order_id=order.pk,
                                actor=net.hq,
                                reason="phone",
                                text="空号",
                                at=when + timedelta(minutes=5),
                            )
                            event, rule = order.events.get(kind="accept_failed"), Rule.FALSE_FAIL_REASON
                        else:
                            ops.order_accept(order_id=order.pk, actor=net.hq, at=when + timedelta(minutes=5))
                            ops.order_pickup_confirm(
                                order_id=order.pk,
                                actor=net.hq,
                                at=when + timedelta(hours=1),
                                waybill=f"8{next(waybills):011d}",
                            )
                            event, rule = order.events.get(kind="picked_up"), Rule.FALSE_WAYBILL
                        v = services.violation_raise(event=event, rule=rule, evidence="稽核", actor=net.hq, at=clock)
                        fines.append([v, (YEAR, m), v.fine, True])
                        order_months.add((YEAR, m))
                    elif act[0] == "orders":
                        _kind, m, d = act
                        make_order(order_time=datetime(YEAR, m, d, 11, 0, tzinfo=SH))
                        order_months.add((YEAR, m))
                    elif act[0] == "cancel" and fines:
                        row = fines[act[1] % len(fines)]
                        if row[3]:
                            row[0].status = ViolationStatus.CANCELLED  # cancelled on appeal
                            row[0].save(update_fields=["status"])
                            row[3] = False
                    elif act[0] == "settle":
                        month = date(YEAR, act[1], 1)
                        monthly_settlement(month=month, at=clock)
                        _check_settlement(site, month, fines, order_months, decided)
                        before = LedgerEntry.objects.count()
                        monthly_settlement(month=month, at=clock + timedelta(minutes=1))
                        assert LedgerEntry.objects.count() == before, "a rerun with no changed input wrote entries"
                    elif act[0] == "issue":
                        month = date(YEAR, act[1], 1)
                        if month not in issued:
                            month_close(month=month, at=clock)
                            issued[month] = _statement(month)
                    for month, seen in issued.items():
                        assert _statement(month) == seen, f"the issued statement of {month:%Y-%m} changed"
                raise _Rollback
        except _Rollback:
            pass

    check()


def _statement(month: date) -> tuple:
    s = statement(user=None, month=month)
    return s["total"], tuple(s["entries"].values_list("pk", flat=True))


def _check_settlement(site, month: date, fines, order_months, decided) -> None:
    """The parts this settlement decides are paid as the oracle owes them now; the parts only a later settlement
    decides keep what that one paid (settling an earlier month again takes nothing back); never more than the
    base of the month once both parts are decided."""
    expected = owed(
        fines=[(m, amount, standing) for _v, m, amount, standing in fines],
        order_months=order_months,
        month=(month.year, month.month),
    )
    for m in {m for _v, m, _a, _s in fines}:
        for code, k in (("REFUND_60", 1), ("REFUND_40", 2)):
            if (m[0], m[1] + k) <= (month.year, month.month):
                decided[(m, code)] = expected.get((m, code), Decimal(0))
    paid = {
        (row["source_id"], row["code"]): row["s"]
        for row in LedgerEntry.objects.filter(site=site, source_type="refund")
        .values("source_id", "code")
        .annotate(s=Sum("amount"))
    }
    for (m, code), want in decided.items():
        assert paid.get((m[0] * 100 + m[1], code), Decimal(0)) == want, (m, code, month, paid, decided)
    for m in {m for _v, m, _a, _s in fines}:
        if (m, "REFUND_40") in decided and (m[0], m[1] + 2) <= (month.year, month.month):
            base = sum((a for _v, mm, a, standing in fines if mm == m and standing), Decimal(0))
            total = decided[(m, "REFUND_60")] + decided[(m, "REFUND_40")]
            assert Decimal(0) <= total <= base, (m, total, base)
