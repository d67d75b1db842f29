from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from retention.services import erasure_run


class Command(BaseCommand):
    help = (
        "Erase the personal data (names, phones, street addresses, free text) of orders closed more than "
        "PERSONAL_DATA_RETENTION_DAYS ago and of closed work orders, leaving those an open case may need. What beat "
        "runs nightly; safe twice and alongside it (a second run skips)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batches", type=int, default=None, help="batches at most (default ERASURE_MAX_BATCHES)")

    def handle(self, *args, batches=None, **options):
        if batches is not None and batches < 1:
            raise CommandError("--batches must be at least 1")
        run = erasure_run(max_batches=batches)
        if run is None:
            raise CommandError("another erasure is running: nothing done")
        self.stdout.write(
            f"orders closed before {run.closed_before:%Y-%m-%d %H:%M} ({settings.PERSONAL_DATA_RETENTION_DAYS} days): "
            f"{run.orders} erased, {run.held} held for an open case, {run.work_orders} work orders; "
            + ("nothing due left" if run.complete else "more due: the next run goes on")
        )
