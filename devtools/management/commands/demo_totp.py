"""Print the current authenticator code of a demo account (DEBUG only).

For signing in as the demo reviewer or administrator without an
authenticator app: ``python manage.py demo_totp reviewer@demo.example``.
"""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PERIOD = 30


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account. Runs only with DEBUG on."

    def add_arguments(self, parser):
        parser.add_argument("email", help="For example reviewer@demo.example")

    def handle(self, *args, email: str, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo_totp prints sign-in codes, so it only runs with DEBUG on (a development database)."
            )
        if not email.lower().endswith("@demo.example"):
            raise CommandError("demo_totp is for the demo accounts only (…@demo.example).")
        authenticator = (
            Authenticator.objects.filter(user__email__iexact=email, type=Authenticator.Type.TOTP)
            .select_related("user")
            .first()
        )
        if authenticator is None:
            raise CommandError(f"{email} has no authenticator app. Run python manage.py seed_demo first.")
        secret = decrypt(authenticator.data["secret"])
        now = time.time()
        code = format_hotp_value(hotp_value(secret, int(now) // PERIOD))
        seconds_left = PERIOD - int(now) % PERIOD
        self.stdout.write(code)
        self.stderr.write(f"Valid for {seconds_left} more seconds; each code works once.")
