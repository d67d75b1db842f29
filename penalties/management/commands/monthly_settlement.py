from datetime import date

from django.core.management.base import BaseCommand, CommandError

from penalties.money import monthly_settlement, previous_month
from penalties.reports import monthly_reports_generate


class Command(BaseCommand):
    help = ("Settle a month: fines and reversals into the ledger, refunds (60 %/40 %) and their corrections, "
            "rewards, and the monthly statements. Default: last month. Safe to run twice.")

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--no-reports", action="store_true", help="skip the statement PDFs")

    def handle(self, *args, month=None, no_reports=False, **options):
        if month:
            try:
                year, mon = (int(x) for x in month.split("-"))
                target = date(year, mon, 1)
            except (ValueError, TypeError):
                raise CommandError(f"--month must be YYYY-MM, not {month!r}") from None
        else:
            target = previous_month()
        result = monthly_settlement(month=target)
        reports = 0
        if not no_reports:

            reports = monthly_reports_generate(month=target)
        self.stdout.write(self.style.SUCCESS(
            f"month={target:%Y-%m} refunds={result.refunds} adjustments={result.adjustments} "
            f"refunded={result.refunded} rewards={result.rewards} reports={reports}"))
