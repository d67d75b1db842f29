from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import twofactor
from core.demo import DEMO_TOTP_SECRET, demo_second_factor_ensure


class Command(BaseCommand):
    help = (
        "Demo mode: enrol demo-hq and demo-lcs with the demo authenticator secret and print it with the code of the "
        "moment. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="enrol them even outside DEMO_MODE")

    def handle(self, *args, **options):
        if not (settings.DEMO_MODE or options["force"]):
            raise CommandError("DEMO_MODE is off: the demo accounts are not enrolled (use --force)")
        devices = demo_second_factor_ensure()
        if not devices:
            self.stdout.write("no demo accounts to enrol (run demo_data first)")
            return
        names = ", ".join(d.user.username for d in devices)
        self.stdout.write(
            f"second factor of {names}: authenticator secret {DEMO_TOTP_SECRET} (time-based, 6 digits); "
            f"code right now: {twofactor.current_code(devices[0])} (it changes every 30 seconds)"
        )
