import time

from django.conf import settings
from django.core.management.base import BaseCommand

from core.demo import DEMO_PASSWORD, demo_network_build
from dispatch.demo_orders import demo_orders_build


class Command(BaseCommand):
    help = "Build a realistic demo network (and, in demo mode, the demo accounts). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", action="store_true", help="create the demo accounts even outside DEMO_MODE")
        parser.add_argument(
            "--orders",
            type=int,
            default=400,
            help="size of today's order stream (0: none); a second run the same day adds nothing",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        with_accounts = settings.DEMO_MODE or options["accounts"]
        result = demo_network_build(with_accounts=with_accounts)
        self.stdout.write(
            self.style.SUCCESS(
                f"sites={result.sites} couriers={result.couriers} service_areas={result.service_areas} "
                f"seconds={time.monotonic() - started:.1f}"
            )
        )
        orders = demo_orders_build(size=options["orders"])
        self.stdout.write(f"orders created={orders}")
        if result.accounts:
            self.stdout.write(f"demo accounts: {', '.join(result.accounts)} (password {DEMO_PASSWORD})")
        elif not with_accounts:
            self.stdout.write("demo accounts not created: DEMO_MODE is off (use --accounts to force)")
