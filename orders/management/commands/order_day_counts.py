from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import clock
from core.parsing import parse_date
from orders.stats import COUNT_DAYS, day_counts_nightly, day_counts_refresh

MAX_DAYS = 400


def _day(raw: str):
    day = parse_date(raw)
    if day is None:
        raise CommandError(f"not a date: {raw!r} (use 2026-11-23, a year from 2000 to 2100)")
    if day > timezone.localdate(timezone.now(), clock.tz()):
        raise CommandError(f"{day} is still to come: it has no orders to count")
    return day


class Command(BaseCommand):
    help = (
        f"Count the orders per Beijing day and site afresh, as the dashboard reads them. Without arguments: the "
        f"last {COUNT_DAYS} days (what beat runs nightly; beat counts today and yesterday every 5 minutes). "
        "Run it for the days of an import of old orders. Safe twice and alongside the scheduler."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="first day, Beijing time (2026-11-01)")
        parser.add_argument("--to", dest="last", help="last day (default: the first day)")

    def handle(self, *args, first=None, last=None, **options):
        if first is None and last is None:
            result = day_counts_nightly()
        else:
            if first is None:
                raise CommandError("--from is needed with --to")
            start, end = _day(first), _day(last) if last else _day(first)
            if end < start:
                raise CommandError("--to must not be before --from")
            if (end - start).days >= MAX_DAYS:
                raise CommandError(f"at most {MAX_DAYS} days at a time")
            result = day_counts_refresh(days=[start + timedelta(days=i) for i in range((end - start).days + 1)])
        if result.skipped:
            raise CommandError("another count is running: nothing done (run again in a minute)")
        self.stdout.write(
            f"{len(result.days)} days counted ({result.days[0]} – {result.days[-1]}): {result.rows} site-day rows"
        )
