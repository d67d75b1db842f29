from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from penalties.management.commands.sla_sweep import _moment
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
    help = (
        "Issue a week's 《电商业务违规处罚明细》 to each responsible site (message centre and e-mail, PDF), and the "
        "province and national weekly reports. Default: last week. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--week", help="YYYY-Www (default: the week before --at)")
        parser.add_argument(
            "--at",
            help="act as if run at this moment, Beijing time (replay a missed Monday run "
            "exactly: issue time, appeal windows); default now, never later than now",
        )

    def handle(self, *args, week=None, at=None, **options):
        now = timezone.now()
        moment = _moment(at) if at else now
        if moment > now:
            raise CommandError(f"--at {at} is in the future: a run cannot act as if run later than now")
        monday = parse_week(week) if week else week_monday(timezone.localtime(moment).date()) - timedelta(days=7)
        if monday + timedelta(days=7) > timezone.localtime(moment).date():
            raise CommandError(
                f"week {monday:%G-W%V} has not ended by {timezone.localtime(moment):%Y-%m-%d %H:%M}: "
                "its notices are issued after it ends (nothing was written)"
            )
        result = weekly_notices(week=monday, at=moment)
        self.stdout.write(
            self.style.SUCCESS(
                f"week={monday:%G-W%V} at={timezone.localtime(moment):%Y-%m-%d %H:%M} notices={result.notices} "
                f"sent={result.sent} late_additions={result.late_additions} reports={result.reports}"
            )
        )
