from django.core.management.base import BaseCommand
from django.utils import timezone

from people.history import baseline_missing, tracked_pairs


class Command(BaseCommand):
    help = "A baseline history record for every master-data row that has none (rows written in bulk); safe twice."

    def handle(self, *args, **options):
        written = baseline_missing(tracked_pairs(), at=timezone.now())
        self.stdout.write(f"history baseline: {written} records")
