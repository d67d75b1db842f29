"""Reads of the rule book, scoped (SPEC §1), and the dashboard's figures (one grouped query each)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, scoping
from core.models import ClosureDay, Site
from finance.services import closed_months
from logistics.models import ScanType, TrackingEvent
from orders.models import EventKind, OnlineOrder, OrderEvent, OrderState, PickupSource
from orders.stats import orders_per_day

from .models import (
    Appeal,
    AppealStatus,
    Report,
    RewardQuota,
    RewardRank,
    Rule,
    RuleVersion,
    Violation,
    ViolationEvent,
    ViolationStatus,
    WeeklyNotice,
)


def violations_for(*, user) -> QuerySet[Violation]:
    return Violation.objects.filter(scoping.unit_q(user)).select_related("site", "province", "order", "order__channel")


#: the longest period the dashboard draws (a quarter)
DASHBOARD_MAX_DAYS = 92


def appeals_for(*, user) -> QuerySet[Appeal]:
    return Appeal.objects.filter(scoping.unit_q(user)).select_related("violation__order", "site", "province")


def appeal_waiting_status(*, user) -> str:
    """The step that waits for this viewer: the province's review for an LCS, HQ's for HQ."""
    return AppealStatus.LCS_REVIEW if scoping.role_of(user) == scoping.Role.LCS else AppealStatus.HQ_REVIEW


def appeals_waiting(*, user) -> QuerySet[Appeal]:
    """Appeals waiting for the viewer's decision, oldest first."""
    return appeals_for(user=user).filter(status=appeal_waiting_status(user=user)).order_by("filed_at", "id")


def appeals_handled(*, user) -> QuerySet[Appeal]:
    """Appeals past the viewer's step, newest first."""
    return appeals_for(user=user).exclude(status=appeal_waiting_status(user=user)).order_by("-filed_at", "-id")


def notices_for(*, user) -> QuerySet[WeeklyNotice]:
    """The weekly notices issued to the viewer's sites, newest week first."""
    return (
        WeeklyNotice.objects.filter(scoping.site_ids_q(user), issued_at__isnull=False)
        .select_related("site")
        .order_by("-week", "site__code")
    )


def reports_for(*, user) -> QuerySet[Report]:
    """The generated reports the viewer may read: every one for a national viewer, their province's for an LCS or a
    province's manager (the national ones name other provinces' worst sites and fines), none otherwise; the newest
    period first, then by kind and province, the id breaking ties."""
    qs = Report.objects.select_related("province").order_by("-period", "kind", "province__code", "id")
    if scoping.is_national(user):
        return qs
    if scoping.role_of(user) in (scoping.Role.LCS, scoping.Role.MANAGER) and user.province_id:
        return qs.filter(province_id=user.province_id)
    return qs.none()


def rule_versions_all() -> QuerySet[RuleVersion]:
    """Every version of every rule (the rule book's page): by rule, the latest effective first."""
    return RuleVersion.objects.select_related("created_by").order_by("code", "-effective_from", "-id")


def rule_versions_in_force(*, at: datetime) -> dict[str, int]:
    """Each rule's version in force at ``at``: {rule code: version id}."""
    versions = RuleVersion.objects.filter(effective_from__lte=at).order_by("code", "-effective_from").distinct("code")
    return dict(versions.values_list("code", "pk"))


def closure_days_for(*, year: int, since: date | None = None) -> QuerySet[ClosureDay]:
    """The confirmed closure days of a year (HQ's page: every province's and the network's), from ``since`` when
    given; by day, the id breaking ties (a network day and a province's on the same date)."""
    qs = ClosureDay.objects.filter(day__year=year).select_related("province", "confirmed_by").order_by("day", "id")
    return qs.filter(day__gte=since) if since else qs


def reward_months() -> list[date]:
    """The settled months, newest first (two years at most)."""
    return list(RewardQuota.objects.values_list("month", flat=True).distinct().order_by("-month")[:24])


def reward_quotas(*, month: date) -> list[RewardQuota]:
    return list(RewardQuota.objects.filter(month=month).select_related("province"))


def reward_ranks(*, user, month: date) -> QuerySet[RewardRank]:
    """The month's ranking by province and rank; a province's own for its LCS and managers."""
    ranks = RewardRank.objects.filter(month=month).select_related("site", "province").order_by("province__code", "rank")
    return ranks if scoping.is_national(user) else ranks.filter(province_id=user.province_id)


def _span_figures(*, scope, standing, first: date, last: date) -> dict:
    """Orders, standing violations and the on-time rates of [first, last] within ``scope``."""
    orders = sum(orders_per_day(scope=scope, first=first, last=last).counts.values())
    rows = standing.filter(
        occurred_at__gte=clock.day_start(first), occurred_at__lt=clock.day_start(last + timedelta(days=1))
    )
    by_rule = dict(rows.values_list("rule").annotate(n=Count("id")))
    return {
        "first": first,
        "last": last,
        "orders": orders,
        "violations": sum(by_rule.values()),
        "accept": None if not orders else max(0.0, 1 - by_rule.get(Rule.LATE_ACCEPT, 0) / orders),
        "pickup": None if not orders else max(0.0, 1 - by_rule.get(Rule.LATE_PICKUP, 0) / orders),
    }


def week_over_week(*, scope, standing, last: date) -> dict:
    """The seven days ending ``last`` beside the seven before: (label key, this week, last week, change)."""
    this = _span_figures(scope=scope, standing=standing, first=last - timedelta(days=6), last=last)
    before = _span_figures(
        scope=scope, standing=standing, first=last - timedelta(days=13), last=last - timedelta(days=7)
    )
    rows = []
    for key in ("orders", "violations", "accept", "pickup"):
        a, b = this[key], before[key]
        rows.append({"key": key, "this": a, "before": b, "change": None if a is None or b is None else a - b})
    return {"this": this, "before": before, "rows": rows}


def dashboard(
    *,
    user,
    days: int = 14,
    today: date | None = None,
    first: date | None = None,
    province_id: int | None = None,
) -> dict:
    """On-time accept and pickup rates per day, violations per rule, worst sites, week over week, and HQ's
    data-center waiting; over [first, today] (``days`` days ending today by default), within the user's unit and,
    for a national user, the province chosen."""
    today = today or timezone.localdate()
    first = first or today - timedelta(days=days - 1)
    days = (today - first).days + 1
    start, end = clock.day_start(first), clock.day_start(today + timedelta(days=1))
    tz = clock.tz()
    scope = scoping.unit_q(user)
    if province_id and scoping.is_national(user):
        scope &= Q(province_id=province_id)
    counted = orders_per_day(scope=scope, first=first, last=today)
    per_day = counted.counts
    standing = Violation.objects.filter(scope, status=ViolationStatus.CONFIRMED)
    late = (
        standing.filter(rule__in=[Rule.LATE_ACCEPT, Rule.LATE_PICKUP], occurred_at__gte=start, occurred_at__lt=end)
        .annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .values("day", "rule")
        .annotate(n=Count("id"))
    )
    late_by = {(row["day"], row["rule"]): row["n"] for row in late}
    rates = []
    for i in range(days):
        day = first + timedelta(days=i)
        n = per_day.get(day, 0)
        rates.append(
            {
                "day": day,
                "orders": n,
                "accept": None if not n else max(0.0, 1 - late_by.get((day, Rule.LATE_ACCEPT), 0) / n),
                "pickup": None if not n else max(0.0, 1 - late_by.get((day, Rule.LATE_PICKUP), 0) / n),
            }
        )
    period = standing.filter(occurred_at__gte=start, occurred_at__lt=end)
    by_rule = dict(period.values_list("rule").annotate(n=Count("id")))
    worst = list(
        period.values("site__code", "site__name", "province__name")
        .annotate(n=Count("id"))
        .order_by("-n", "site__code")[:10]
    )
    out = {
        "first": first,
        "today": today,
        "rates": rates,
        "worst": worst,
        "counted_at": counted.as_of,
        "by_rule": [(Rule(code).label, by_rule.get(code, 0)) for code in Rule.values],
        "total": sum(by_rule.values()),
        "weeks": week_over_week(scope=scope, standing=standing, last=today),
    }
    if (
        scoping.role_of(user) in (scoping.Role.HQ, scoping.Role.MANAGER)
        and scoping.is_national(user)
        and not province_id
    ):
        # the data center's pending orders through the partial index of pending orders per site, counted and
        # their oldest found in one aggregate: "ORDER BY order_time LIMIT 1" over a join walked the whole order-time
        # index when the queue was empty (2.5 s at 10 M orders)
        centers = list(Site.objects.filter(is_data_center=True).values_list("pk", flat=True))
        queue = OnlineOrder.objects.filter(site_id__in=centers, state=OrderState.PENDING).aggregate(
            n=Count("id"), oldest=Min("order_time")
        )
        oldest = queue["oldest"]
        waited = (
            OrderEvent.objects.filter(kind=EventKind.DISPATCHED, at__gte=start, at__lt=end)
            .annotate(w=Cast(KeyTextTransform("waited_minutes", "data"), FloatField()))
            .aggregate(avg=Avg("w"), n=Count("id"))
        )
        out["data_center"] = {
            "waiting": queue["n"],
            "oldest_minutes": int((timezone.now() - oldest).total_seconds() // 60) if oldest else 0,
            "dispatched": waited["n"],
            "avg_wait": round(waited["avg"] or 0),
        }
    return out


#: the kinds of deadline a site's clerk watches (``deadlines_for``'s ``deadline``)
DEADLINE_ACCEPT = "accept"
DEADLINE_PICKUP = "pickup"


def deadlines_for(*, user) -> QuerySet[OnlineOrder]:
    """What becomes late next at the clerk's sites, one row per running deadline: a pending order's accept
    deadline, an accepted order's pickup deadline. Each row carries ``deadline`` (``DEADLINE_ACCEPT`` or
    ``DEADLINE_PICKUP``) and ``due_at``; soonest first, the order's id breaking ties."""
    return (
        OnlineOrder.objects.filter(
            site_id__in=scoping.clerk_site_ids(user), state__in=[OrderState.PENDING, OrderState.ACCEPTED]
        )
        .annotate(
            deadline=Case(
                When(state=OrderState.PENDING, then=Value(DEADLINE_ACCEPT)),
                default=Value(DEADLINE_PICKUP),
                output_field=CharField(),
            ),
            due_at=Case(
                When(state=OrderState.PENDING, then="accept_due_at"),
                default="pickup_due_at",
                output_field=DateTimeField(),
            ),
        )
        .select_related("channel", "courier", "site")
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )


def audit_orders_for(*, user) -> QuerySet[OnlineOrder]:
    """稽核: the orders an auditor may pick from (the viewer's unit), each annotated ``findings`` (a violation was
    recorded on it); newest order first, the id breaking ties."""
    return (
        OnlineOrder.objects.filter(scoping.unit_q(user))
        .select_related("channel", "site", "courier", "province")
        .annotate(findings=Exists(Violation.objects.filter(order=OuterRef("pk"))))
        .order_by("-order_time", "-id")
    )


def waybill_suspects(qs, *, at=None):
    """Picked-up orders whose pickup waybill the tracking feed contradicts (SPEC §4 FALSE_WAYBILL "found, not only
    alleged"): confirmed by the site at least ``WAYBILL_SCAN_HOURS`` ago with no 揽收 scan of that waybill at the
    same site within those hours of the confirmation, or with a 揽收 scan of it at another site. Set-based (two
    EXISTS over the tracking index); annotated ``suspect`` = "no_scan" or "other_site". Orders that already
    carry a live FALSE_WAYBILL finding are left out. Listed for audit, never fined automatically."""
    at = at or timezone.now()
    hours = timedelta(hours=int(getattr(settings, "WAYBILL_SCAN_HOURS", 24)))
    scans = TrackingEvent.objects.filter(waybill_no=OuterRef("waybill_no"), scan_type=ScanType.PICKUP)
    same_site_in_time = scans.filter(
        site_code=OuterRef("site__code"),
        scanned_at__gte=ExpressionWrapper(OuterRef("picked_up_at") - hours, output_field=DateTimeField()),
        scanned_at__lte=ExpressionWrapper(OuterRef("picked_up_at") + hours, output_field=DateTimeField()),
    )
    elsewhere = scans.exclude(site_code=OuterRef("site__code"))
    found = Violation.objects.filter(
        order=OuterRef("pk"), rule=Rule.FALSE_WAYBILL, status__in=[ViolationStatus.PROPOSED, ViolationStatus.CONFIRMED]
    )
    return (
        qs.filter(
            state=OrderState.PICKED_UP,
            pickup_source=PickupSource.CONFIRM,
            waybill_no__isnull=False,
            picked_up_at__lte=at - hours,
        )
        .annotate(scanned_here=Exists(same_site_in_time), scanned_elsewhere=Exists(elsewhere), already=Exists(found))
        .filter(already=False)
        .filter(Q(scanned_here=False) | Q(scanned_elsewhere=True))
        .annotate(suspect=Case(When(scanned_elsewhere=True, then=Value("other_site")), default=Value("no_scan")))
    )


def waybill_correction_refusal(order: OnlineOrder) -> str | None:
    """The rule book's reasons a site may no longer correct an order's waybill number (``dispatch.corrections``):
    the weekly notice of the pickup's week has been issued to the site, or an audit judged the order."""
    local = timezone.localtime(order.picked_up_at, clock.tz()).date()
    week = local - timedelta(days=local.weekday())
    issued = (
        WeeklyNotice.objects.filter(site_id=order.site_id, week=week, issued_at__isnull=False)
        .values_list("issued_at", flat=True)
        .first()
    )
    if issued:
        return _("The weekly notice of that week was issued on %(t)s: the waybill number stands.") % {
            "t": timezone.localtime(issued).strftime("%Y-%m-%d %H:%M")
        }
    if Violation.objects.filter(order_id=order.pk, source=Violation.Source.AUDIT).exists():
        return _("An audit has judged this order: the waybill number stands.")
    return None


def week_figures(*, user, week: date) -> dict:
    """How the user's site, province or the nation did in an assessment week, counted as the weekly notices and
    reports count it (the standing violations the week's notices listed): violations, fines, per rule, and the
    on-time accept and pickup rates of the week's orders (1 − late findings ÷ orders)."""
    rows = violations_for(user=user).filter(notice_line__notice__week=week, status=ViolationStatus.CONFIRMED)
    by_rule = dict(rows.values_list("rule").annotate(n=Count("id")))
    orders = sum(orders_per_day(scope=scoping.unit_q(user), first=week, last=week + timedelta(days=6)).counts.values())
    late_accept, late_pickup = by_rule.get(Rule.LATE_ACCEPT, 0), by_rule.get(Rule.LATE_PICKUP, 0)
    return {
        "week": week,
        "orders": orders,
        "count": sum(by_rule.values()),
        "total": rows.aggregate(s=Sum("fine"))["s"] or Decimal(0),
        "by_rule": [(Rule(code).label, by_rule[code]) for code in Rule.values if by_rule.get(code)],
        "accept_rate": None if not orders else max(0.0, 1 - late_accept / orders),
        "pickup_rate": None if not orders else max(0.0, 1 - late_pickup / orders),
    }


def appeal_windows(*, user, at: datetime, limit: int = 10) -> list[tuple]:
    """The appeal windows open now for the user's violations, soonest to close first: (violation, deadline,
    whether it is the window to go to HQ). 72 hours after the notice, or after the province upheld."""
    scoped = violations_for(user=user)
    first = (
        scoped.filter(
            status=ViolationStatus.CONFIRMED,
            appeal__isnull=True,
            notice_line__notice__issued_at__gt=at - clock.APPEAL_WINDOW,
        )
        .select_related("notice_line__notice")
        .order_by("notice_line__notice__issued_at")[:limit]
    )
    out = [(v, v.notice_line.notice.issued_at + clock.APPEAL_WINDOW, False) for v in first]
    upheld = (
        Appeal.objects.filter(violation__in=scoped, status=AppealStatus.LCS_UPHELD, lcs_at__gt=at - clock.APPEAL_WINDOW)
        .select_related("violation__order", "violation__site")
        .order_by("lcs_at")[:limit]
    )
    out += [(a.violation, a.lcs_at + clock.APPEAL_WINDOW, True) for a in upheld]
    return sorted(out, key=lambda row: row[1])[:limit]


def held_for_money(*, order_ids=(), work_order_ids=(), at: datetime) -> tuple[set[int], set[int]]:
    """The orders and work orders among these whose personal data an open case may still need, so the erasure
    (``retention``) leaves them: a violation not yet confirmed, an appeal under review or still able to go to HQ
    (72 h after the province's decision), or a fine whose month's statements (and refund) are not issued yet."""
    rows = Violation.objects.filter(Q(order_id__in=list(order_ids)) | Q(work_order_id__in=list(work_order_ids)))
    rows = rows.values_list("order_id", "work_order_id", "status", "occurred_at", "appeal__status", "appeal__lcs_at")
    closed = closed_months()
    orders, work_orders = set(), set()
    for order_id, work_order_id, status, occurred_at, appeal, lcs_at in rows:
        if (
            status == ViolationStatus.PROPOSED
            or appeal in (AppealStatus.LCS_REVIEW, AppealStatus.HQ_REVIEW)
            or (appeal == AppealStatus.LCS_UPHELD and (lcs_at is None or lcs_at + timedelta(hours=72) >= at))
            or timezone.localtime(occurred_at, clock.tz()).date().replace(day=1) not in closed
        ):
            if order_id is not None:
                orders.add(order_id)
            else:
                work_orders.add(work_order_id)
    return orders, work_orders


def violation_history(*, violation: Violation) -> list[ViolationEvent]:
    """The violation's record as people read it, oldest first: each recorded act once. The judgement that found it
    ("detected") is one entry whatever the rows say (a violation recorded before that event existed gets it from its
    own record, a repeated row is read once), with the deadline it is about for one the clock found."""
    events = list(violation.events.select_related("actor").order_by("at", "id"))
    detected = [e for e in events if e.kind == "detected"]
    history = [e for e in events if e.kind != "detected"]
    first = detected[0] if detected else None
    if first is None and violation.source in (Violation.Source.SWEEP, Violation.Source.WORK_ORDER):
        first = ViolationEvent(violation=violation, kind="detected", at=violation.created_at, text="")
    if first is not None:
        if not first.text and violation.source == Violation.Source.SWEEP:
            due = timezone.localtime(violation.occurred_at).strftime("%Y-%m-%d %H:%M")
            first.text = _("deadline %(due)s passed without an answer") % {"due": due}
        history.insert(0, first)
    return history
