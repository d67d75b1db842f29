"""Money from the rule book (SPEC §4 "Weekly cycle, appeals, money"): fines and reversals into the ledger, the
monthly refunds (返款, 60 % then 40 %) with their corrections, and the monthly rewards (奖励).

Every amount is a Decimal rounded half up. Every run is safe twice: ledger entries carry unique keys, the reward
allocation of a month is written once, and refunds are settled as "what is owed now minus what was paid", so a
rerun owes nothing more and an appeal decided after a settlement is corrected by the next one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, locks
from core.models import Province, Site
from finance.models import EntryKind, Heading, LedgerEntry
from finance.services import Entry, entries_record, entries_record_query, money, reversals_record_query
from orders.models import BusinessType, OnlineOrder, OrderState

from .exceptions import SettlementRefused
from .models import ONLINE_RULES, WORK_ORDER_RULES, RewardQuota, RewardRank, Violation, ViolationStatus

REWARD_PLACES = 200
REWARD_AMOUNT = Decimal("200")
REFUND_FIRST = Decimal("0.6")
LOOKBACK_MONTHS = 12


month_add, month_bounds, previous_month, week_monday = (
    clock.month_add,
    clock.month_bounds,
    clock.previous_month,
    clock.week_monday,
)


# ---------------------------------------------------------------- fines and reversals


def _violations(violation_ids: list[int] | None) -> QuerySet:
    found = Violation.objects.all()
    return found if violation_ids is None else found.filter(pk__in=violation_ids)


def _fines(violation_ids: list[int] | None) -> QuerySet:
    """The standing violations as ledger entries (``finance.services.ENTRY_COLUMNS``): a fine in the month of the
    deadline or act, under its heading."""
    work_orders = list(WORK_ORDER_RULES)
    return (
        _violations(violation_ids)
        .filter(status=ViolationStatus.CONFIRMED)
        .annotate(
            # 00:00 on the 1st belongs to the month before (SPEC §4)
            month=TruncMonth(
                ExpressionWrapper(F("occurred_at") - timedelta(microseconds=1), output_field=DateTimeField()),
                output_field=DateField(),
                tzinfo=clock.tz(),
            ),
            kind=Value(EntryKind.FINE),
            heading=Case(
                When(rule__in=work_orders, then=Value(Heading.WORK_ORDERS)), default=Value(Heading.ONLINE_ORDERS)
            ),
            code=F("rule"),
            amount=-F("fine"),
            source_type=Value("violation"),
            source_id=F("id"),
            key=Concat(Value("fine:violation:"), Cast("id", CharField())),
            note=Value(""),
        )
    )


def _no_longer_standing(violation_ids: list[int] | None) -> QuerySet:
    """The violations that stopped standing (cancelled on appeal, voided by a closure, re-classified): their fines,
    if any, are reversed; the reversal notes why."""
    gone = [ViolationStatus.CANCELLED, ViolationStatus.VOIDED, ViolationStatus.RECLASSIFIED]
    return _violations(violation_ids).filter(status__in=gone).annotate(source_id=F("id"), note=F("status"))


def ledger_sync(*, violation_ids: list[int] | None = None, at: datetime | None = None) -> int:
    """A fine entry for every standing violation, a reversing entry for every fined one that no longer stands
    (cancelled on appeal, voided by a closure, re-classified). Two statements, both the ledger's (penalties hands
    it queries over its own violations); returns the entries written. Both concern the month of the deadline or
    act (a month's net fines are its standing fines: the refund base); each is posted in that month while its
    statements are not issued, else in the first open month (an issued statement never changes; the later one
    lists it as a correction)."""
    at = at or timezone.now()
    written = entries_record_query(_fines(violation_ids), at=at)
    return written + reversals_record_query(_no_longer_standing(violation_ids), source_type="violation", at=at)


# ---------------------------------------------------------------- refunds


def _clean_months(site_ids: list[int], months: list[date]) -> set[tuple[int, date]]:
    """(site, month) pairs that had online orders and no standing violation."""
    if not site_ids or not months:
        return set()
    lo, hi = month_bounds(min(months))[0], month_bounds(max(months))[1]
    tz = clock.tz()
    with_orders = {
        (site_id, m.date() if hasattr(m, "date") else m)
        for site_id, m in (
            OnlineOrder.objects.filter(site_id__in=site_ids, is_online=True, order_time__gte=lo, order_time__lt=hi)
            .annotate(m=TruncMonth("order_time", tzinfo=tz))
            .values_list("site_id", "m")
            .distinct()
        )
    }
    violated = set()
    for site_id, occurred in Violation.objects.filter(
        site_id__in=site_ids,
        status=ViolationStatus.CONFIRMED,
        rule__in=ONLINE_RULES,
        occurred_at__gt=lo,
        occurred_at__lte=hi,
    ).values_list("site_id", "occurred_at"):
        violated.add((site_id, clock.day_of(occurred).replace(day=1)))  # 00:00 on the 1st: the month before
    return {(s, m) for s in site_ids for m in months if (s, m) in with_orders and (s, m) not in violated}


@dataclass
class Settlement:
    month: date
    refunds: int = 0
    adjustments: int = 0
    rewards: int = 0
    refunded: Decimal = Decimal("0")
    entries: list = field(default_factory=list)


def refund_parts_due(fined: date, month: date) -> list[str]:
    """The refund parts of month ``fined``'s fines that a settlement of ``month`` decides: the 60 % once M+1 has
    ended, the 40 % once M+2 has. A settlement never judges a part that falls due after its month, so settling an
    earlier month again (in any order) cannot take back what a later one paid."""
    return [code for code, k in (("REFUND_60", 1), ("REFUND_40", 2)) if month_add(fined, k) <= month]


def refunds_settle(*, month: date, at: datetime | None = None) -> Settlement:
    """Settle month X (run on the 1st of X+1): for every site fined in one of the 12 months before X, each refund
    part due by X — 60 % of month M's net fines once M+1 was clean, the remaining 40 % once M+2 was clean too —
    is what is owed now; what was paid for that part (every entry, whichever settlement wrote it) is taken off.
    The first payment is a refund; any later difference (an appeal decided after a settlement, a closure day)
    is exactly one adjusting entry, booked when it is found. With no changed input a rerun writes nothing."""
    at = at or timezone.now()
    result = Settlement(month=month)
    first = month_add(month, -LOOKBACK_MONTHS)
    bases = {}
    for row in (
        LedgerEntry.objects.filter(
            heading=Heading.ONLINE_ORDERS,
            kind__in=[EntryKind.FINE, EntryKind.REVERSAL],
            month__gte=first,
            month__lt=month,
        )
        .values("site_id", "province_id", "month")
        .annotate(s=Sum("amount"))
    ):
        key = (row["site_id"], row["month"])
        province_id, base = bases.get(key, (row["province_id"], Decimal(0)))
        bases[key] = (province_id, base - row["s"])
    if not bases:
        return result
    sites = sorted({s for s, _m in bases})
    months = sorted({month_add(m, k) for _s, m in bases for k in (1, 2) if month_add(m, k) <= month})
    clean = _clean_months(sites, months)
    paid, count = {}, {}
    for row in (
        LedgerEntry.objects.filter(site_id__in=sites, source_type="refund", code__in=["REFUND_60", "REFUND_40"])
        .values("site_id", "code", "source_id")
        .annotate(s=Sum("amount"), n=Count("id"))
    ):
        paid[(row["site_id"], row["code"], row["source_id"])] = row["s"]
        count[(row["site_id"], row["code"], row["source_id"])] = row["n"]
    entries = []
    for (site_id, m), (province_id, base) in sorted(bases.items()):
        base = money(max(base, Decimal(0)))
        first_part = money(base * REFUND_FIRST)
        clean1 = (site_id, month_add(m, 1)) in clean
        owed = {
            "REFUND_60": first_part if clean1 else Decimal(0),
            "REFUND_40": (base - first_part) if clean1 and (site_id, month_add(m, 2)) in clean else Decimal(0),
        }
        source_id = int(m.strftime("%Y%m"))
        for code in refund_parts_due(m, month):
            already = paid.get((site_id, code, source_id), Decimal(0))
            diff = money(owed[code] - already)
            if not diff:
                continue
            n = count.get((site_id, code, source_id), 0)
            kind = EntryKind.REFUND if n == 0 and diff > 0 else EntryKind.ADJUSTMENT
            key = (
                f"{code.lower()}:{site_id}:{m:%Y%m}"
                if kind == EntryKind.REFUND
                else f"adj:{code.lower()}:{site_id}:{m:%Y%m}:{n}"
            )
            note = f"{m:%Y-%m} 罚款 ¥{base} 的{'60%' if code == 'REFUND_60' else '40%'}"
            if kind == EntryKind.ADJUSTMENT:
                note += f"（更正：应付 ¥{owed[code]}，已付 ¥{already}）"
            entries.append(
                Entry(
                    site_id=site_id,
                    province_id=province_id,
                    month=month,
                    kind=kind,
                    code=code,
                    amount=diff,
                    key=key,
                    source_type="refund",
                    source_id=source_id,
                    note=note,
                )
            )
            if kind == EntryKind.REFUND:
                result.refunds += 1
            else:
                result.adjustments += 1
            result.refunded += diff
    entries_record(entries, at=at)
    result.entries = entries
    return result


# ---------------------------------------------------------------- rewards


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def first_level_sites():
    return Site.objects.filter(
        kind=Site.Kind.SITE, level=Site.Level.FIRST, parent__isnull=True, active=True, is_data_center=False
    )


def quotas(*, places: int | None = None) -> list[dict]:
    """Each province's places: round half up (places × its first-level sites / all first-level sites)."""
    places = REWARD_PLACES if places is None else places
    counts = dict(first_level_sites().values_list("province_id").annotate(n=Count("id")))
    total = sum(counts.values())
    out = []
    for province in Province.objects.order_by("code"):
        n = counts.get(province.pk, 0)
        quota = round_half_up(Decimal(places) * n / total) if total else 0
        out.append({"province": province, "first_level_sites": n, "quota": quota})
    return out


@transaction.atomic
def rewards_allocate(*, month: date, at: datetime | None = None) -> int:
    """奖励 for month X: in each province, the first-level sites with 我要寄快递 orders picked up in X (their contract
    areas' count toward them) and no standing violation in X (theirs or their contract areas'), ranked by that
    count, then the higher on-time pickup rate, then the lower site code, take the province's places; places
    nobody qualifies for stay empty. Written once per month: a second run, or a later appeal, changes nothing."""
    at = at or timezone.now()
    if RewardQuota.objects.filter(month=month).exists():
        return 0
    start, end = month_bounds(month)
    parents = dict(first_level_sites().values_list("pk", "province_id"))
    family = {pk: pk for pk in parents}
    for area, parent in Site.objects.filter(parent_id__in=list(parents)).values_list("pk", "parent_id"):
        family[area] = parent
    counts: dict[int, list[int]] = {}
    for site_id, n, on_time in (
        OnlineOrder.objects.filter(
            site_id__in=list(family),
            business_type=BusinessType.SEND,
            state=OrderState.PICKED_UP,
            picked_up_at__gte=start,
            picked_up_at__lt=end,
        )
        .values("site_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(picked_up_at__lte=F("pickup_due_at"))))
        .values_list("site_id", "n", "on_time")
    ):
        agg = counts.setdefault(family[site_id], [0, 0])
        agg[0] += n
        agg[1] += on_time
    violated = {
        family[s]
        for s in Violation.objects.filter(
            site_id__in=list(family),
            status=ViolationStatus.CONFIRMED,
            rule__in=ONLINE_RULES,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .values_list("site_id", flat=True)
        .distinct()
    }
    codes = dict(Site.objects.filter(pk__in=list(parents)).values_list("pk", "code"))
    entries, ranks, written = [], [], 0
    for q in quotas():
        province = q["province"]
        ranking = sorted(
            (
                (site_id, n, Decimal(on_time) / n)
                for site_id, (n, on_time) in counts.items()
                if parents.get(site_id) == province.pk and n > 0 and site_id not in violated
            ),
            key=lambda r: (-r[1], -r[2], codes[r[0]]),
        )
        awarded = ranking[: q["quota"]]
        RewardQuota.objects.create(
            month=month,
            province=province,
            first_level_sites=q["first_level_sites"],
            quota=q["quota"],
            qualifiers=len(ranking),
            awarded=len(awarded),
        )
        for i, (site_id, n, rate) in enumerate(ranking, start=1):
            ranks.append(
                RewardRank(
                    month=month,
                    province=province,
                    site_id=site_id,
                    rank=i,
                    picked_up=n,
                    on_time_rate=rate.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
                    awarded=i <= q["quota"],
                )
            )
        for site_id, _n, _rate in awarded:
            entries.append(
                Entry(
                    site_id=site_id,
                    province_id=province.pk,
                    month=month,
                    kind=EntryKind.REWARD,
                    code="REWARD",
                    amount=REWARD_AMOUNT,
                    key=f"reward:{site_id}:{month:%Y%m}",
                    source_type="reward",
                    source_id=int(month.strftime("%Y%m")),
                    note=f"{month:%Y-%m} 我要寄快递服务质量奖励",
                )
            )
    RewardRank.objects.bulk_create(ranks, batch_size=1000)
    written = entries_record(entries, at=at)
    return written


SETTLE_LOCK = locks.SETTLEMENT


def month_ended(month: date, at: datetime) -> bool:
    return month_bounds(month)[1] <= at


def monthly_settlement(*, month: date, at: datetime | None = None) -> Settlement:
    """The whole monthly run for month X: ledger in step, refunds and corrections, rewards. Only for a month that
    has ended by ``at`` (the moment the run acts as if run: a missed run replays exactly as it would have run).
    Runs one at a time (a transaction-level advisory lock), so two at once cannot both correct the same part."""
    at = at or timezone.now()
    if not month_ended(month, at):
        raise SettlementRefused(
            _("%(month)s has not ended yet: a month is settled only after it has ended (nothing was written).")
            % {"month": f"{month:%Y-%m}"}
        )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SETTLE_LOCK])
        ledger_sync(at=at)
        result = refunds_settle(month=month, at=at)
        result.rewards = rewards_allocate(month=month, at=at)
    return result
