from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from core import clock
from penalties.sweep import sla_sweep, sla_sweep_due


def _moment(raw: str, *, end: bool = False) -> datetime:
    try:  # well formed and impossible (2026-02-30) is "not a date" too, not a traceback
        value = parse_datetime(raw)
        day = parse_date(raw) if value is None else None
    except ValueError:
        value = day = None
    if value is None:
        if day is None:
            raise CommandError(f"not a date or time: {raw!r} (use 2026-11-23 or 2026-11-23T08:00)")
        value = datetime.combine(day + timedelta(days=1 if end else 0), datetime.min.time())
    if timezone.is_naive(value):
        value = timezone.make_aware(value, clock.tz())
    return value


class Command(BaseCommand):
    help = (
        "Record SLA violations for every deadline that passed in a window. Without arguments: from the end of "
        "the last run to now (what beat runs every minute). Safe to run twice and alongside the scheduler."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="window start, Beijing time (date or date-time)")
        parser.add_argument("--until", help="window end (a date means the end of that day); default now")

    def handle(self, *args, since=None, until=None, **options):
        if since is None and until is None:
            result = sla_sweep_due()
        else:
            if since is None:
                raise CommandError("--since is needed with --until")
            now = timezone.now()
            start, end = _moment(since), _moment(until, end=True) if until else now
            if start >= end:
                raise CommandError("--since must be before --until")
            if end > now:
                self.stdout.write(
                    self.style.WARNING(
                        f"--until {timezone.localtime(end):%Y-%m-%d %H:%M} is in the future: the sweep stops at now "
                        f"({timezone.localtime(now):%Y-%m-%d %H:%M}); later deadlines have not passed yet"
                    )
                )
                end = now
            if start >= end:
                raise CommandError("--since is in the future: no deadline in that window has passed yet")
            result = sla_sweep(since=start, until=end, at=now, trigger="command")
        if result.skipped:
            self.stdout.write(self.style.WARNING("another sweep is running: nothing done (run again later)"))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"since={timezone.localtime(result.since):%Y-%m-%d %H:%M} until={timezone.localtime(result.until):%Y-%m-%d %H:%M} "
                f"inserted={result.inserted} statements={result.statements} ms={result.duration_ms}"
            )
        )
