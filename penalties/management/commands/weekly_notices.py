from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from penalties.money import week_monday
from penalties.reports import weekly_notices


def parse_week(raw: str) -> date:
    """YYYY-Www (ISO week) → its Monday."""
    try:
        year, week = raw.upper().split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, TypeError):
        raise CommandError(f"--week must be YYYY-Www, e.g. 2026-W48, not {raw!r}") from None


class Command(BaseCommand):
    help = ("Issue a week's 《电商业务违规处罚明细》 to each responsible site (message centre and e-mail, PDF), and the "
            "province and national weekly reports. Default: last week. Safe to run twice.")

    def add_arguments(self, parser):
        parser.add_argument("--week", help="YYYY-Www (default: last week)")

    def handle(self, *args, week=None, **options):
        monday = parse_week(week) if week else week_monday(timezone.localdate()) - timedelta(days=7)
        result = weekly_notices(week=monday)
        self.stdout.write(self.style.SUCCESS(
            f"week={monday:%G-W%V} notices={result.notices} sent={result.sent} late_additions={result.late_additions} "
            f"reports={result.reports}"))
