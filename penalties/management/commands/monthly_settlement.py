from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from penalties.management.commands.sla_sweep import _moment
from penalties.money import (
    SettlementRefused,
    month_ended,
    monthly_settlement,
    previous_month,
)
from penalties.reports import monthly_reports_generate


class Command(BaseCommand):
    help = (
        "Settle a month: fines and reversals into the ledger, refunds (60 %/40 %) and their corrections, "
        "rewards, and the monthly statements. Default: last month. Safe to run twice, for any month in any "
        "order; a month that has not ended is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the month before --at)")
        parser.add_argument(
            "--at",
            help="act as if run at this moment, Beijing time (replay a missed run); default now, never later than now",
        )
        parser.add_argument("--no-reports", action="store_true", help="skip the statement PDFs")

    def handle(self, *args, month=None, at=None, no_reports=False, **options):
        now = timezone.now()
        moment = _moment(at) if at else now
        if moment > now:
            raise CommandError(f"--at {at} is in the future: a run cannot act as if run later than now")
        if month:
            try:
                year, mon = (int(x) for x in month.split("-"))
                target = date(year, mon, 1)
            except (ValueError, TypeError):
                raise CommandError(f"--month must be YYYY-MM, not {month!r}") from None
        else:
            target = previous_month(timezone.localtime(moment).date())
        if not month_ended(target, moment):
            raise CommandError(
                f"{target:%Y-%m} has not ended yet: a month is settled only after it has ended (nothing was written)"
            )
        try:
            result = monthly_settlement(month=target, at=moment)
        except SettlementRefused as exc:
            raise CommandError(str(exc.message)) from None
        reports = 0
        if not no_reports:
            reports = monthly_reports_generate(month=target, at=moment)
        self.stdout.write(
            self.style.SUCCESS(
                f"month={target:%Y-%m} at={timezone.localtime(moment):%Y-%m-%d %H:%M} refunds={result.refunds} "
                f"adjustments={result.adjustments} refunded={result.refunded} rewards={result.rewards} reports={reports}"
            )
        )
