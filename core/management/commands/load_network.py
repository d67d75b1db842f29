import time

from django.core.management.base import BaseCommand

from core.divisions import network_load_divisions


class Command(BaseCommand):
    help = "Load every province, city and district (GB/T 2260, from cpca). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="an adcodes CSV (adcode,name,…) instead of cpca's own")

    def handle(self, *args, **options):
        started = time.monotonic()
        result = network_load_divisions(path=options.get("file"))
        self.stdout.write(
            self.style.SUCCESS(
                f"provinces={result.provinces} cities={result.cities} districts={result.districts} "
                f"seconds={time.monotonic() - started:.1f}"
            )
        )
