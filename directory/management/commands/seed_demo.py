"""Fill an empty database with plainly fictional demo content.

Safe to run twice: every object is looked up by a natural key before it is
made. It prints demo passwords, so it refuses to run with DEBUG off unless
forced.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from directory.demo import people


class Command(BaseCommand):
    help = "Create fictional demo therapists, reviewers and guides (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with published passwords, so it only runs with DEBUG on. "
                "Use --force to run it anyway on a database nobody else uses."
            )
        call_command("load_guides", verbosity=0)
        with transaction.atomic():
            lines = people.create_demo_people()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at /accounts/login/ with:"))
        for line in lines:
            self.stdout.write(f"  {line}")
