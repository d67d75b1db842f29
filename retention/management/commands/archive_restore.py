from django.core.management.base import BaseCommand, CommandError

from core.parsing import parse_date
from core.partitions import ArchiveError
from retention.partitions import TABLES, month_restore


class Command(BaseCommand):
    help = (
        "Bring an archived month back from the archive storage (ARCHIVE_STORAGE): each archive's SHA-256 and row "
        "count are checked against its manifest first; the month is attached again as it was. Without --table, "
        "every table archived for that month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--table", action="append", choices=sorted(TABLES), help="one table (repeatable)")

    def handle(self, *args, month=None, table=None, **options):
        day = parse_date(f"{month}-01") if month else None
        if day is None:
            raise CommandError(f"not a month: {month!r} (use 2024-09)")
        try:
            restored = month_restore(month=day, tables=table)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from None
        for name, rows in restored.items():
            self.stdout.write(f"{TABLES[name].month_table(day)}: {rows} rows restored, checksum verified")
