"""An independent oracle of the refund rules (SPEC §4 "Fine refunds"), deliberately simple; it imports nothing from
the product. Months are (year, month) pairs; amounts Decimals.

- The base of month M is the sum of M's fines that still stand.
- M+1 is clean when the site had online orders in it and no standing violation; then 60 % of the base (rounded
  half up to the cent) is owed. If M+2 is clean too, the remaining 40 % (base minus the 60 %).
- Only parts that have fallen due are owed: the 60 % once M+1 has been settled, the 40 % once M+2 has.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def month_add(month: tuple[int, int], n: int) -> tuple[int, int]:
    y, m = divmod(month[0] * 12 + month[1] - 1 + n, 12)
    return (y, m + 1)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def owed(
    *, fines: list[tuple[tuple[int, int], Decimal, bool]], order_months: set[tuple[int, int]], month: tuple[int, int]
) -> dict[tuple[tuple[int, int], str], Decimal]:
    """What a settlement of ``month`` owes for each (fined month, part) it decides: ``fines`` are (month, amount,
    standing); ``order_months`` the months with online orders."""
    base: dict[tuple[int, int], Decimal] = {}
    violated = set()
    for m, amount, standing in fines:
        if standing:
            base[m] = base.get(m, Decimal(0)) + amount
            violated.add(m)

    def clean(m):
        return m in order_months and m not in violated

    out = {}
    for m, b in base.items():
        if not (month_add(month, -12) <= m < month):
            continue
        first = cents(b * Decimal("0.6"))
        if month_add(m, 1) <= month:
            out[(m, "REFUND_60")] = first if clean(month_add(m, 1)) else Decimal(0)
        if month_add(m, 2) <= month:
            both = clean(month_add(m, 1)) and clean(month_add(m, 2))
            out[(m, "REFUND_40")] = (b - first) if both else Decimal(0)
    return out
