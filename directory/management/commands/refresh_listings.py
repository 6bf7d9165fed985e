"""Recompute every profile's stored listing, filter bits and their copies on its locations.

The app keeps them in step on every change (directory/signals.py); this
repairs them after data was changed behind the app's back: a restore from
an older backup, SQL typed by hand, or an old process still running during
a deploy.
"""

from django.core.management.base import BaseCommand

from directory.listing import refresh_listing
from directory.models import Profile


class Command(BaseCommand):
    help = "Recompute the stored listing of every profile (and what the search copies from it)."

    def handle(self, *args, **options):
        listed_before = Profile.objects.listed().count()
        refreshed = refresh_listing(Profile.objects.all())
        listed = Profile.objects.listed().count()
        self.stdout.write(f"Refreshed {refreshed:,} profiles: {listed:,} listed today (before: {listed_before:,}).")
