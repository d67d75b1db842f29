from django.core.management.base import BaseCommand, CommandError

from core.parsing import parse_date
from core.partitions import ArchiveError
from logistics.partitions import SCANS, scan_month_restore


class Command(BaseCommand):
    help = (
        "Bring an archived month of tracking scans back (PARTITION_ARCHIVE_DIR): the archive's SHA-256 and row count "
        "are checked against its manifest first; the month is attached again as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")

    def handle(self, *args, month=None, **options):
        day = parse_date(f"{month}-01") if month else None
        if day is None:
            raise CommandError(f"not a month: {month!r} (use 2024-09)")
        try:
            rows = scan_month_restore(month=day)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{SCANS.month_table(day)}: {rows} rows restored, checksum verified")
