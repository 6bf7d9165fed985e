"""Recompute every profile's stored listing and its search rows.

The app keeps them in step on every change (``services.listing_changed``); this
repairs them after data was changed behind the app's back: a restore from
an older backup, SQL typed by hand, or an old process still running during
a deploy. It also starts a search edition numbered past any used before, so
nothing cached before a restore is read again (SearchEdition.objects.beyond_any_used),
and updates the planner statistics (directory/statistics.py).
One transaction: profile changes wait for it.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from directory.listing import refresh_listing
from directory.models import Profile, SearchEdition
from directory.statistics import update_planner_statistics


class Command(BaseCommand):
    help = "Recompute the stored listing of every profile and its search rows."

    def handle(self, *args, **options):
        listed_before = Profile.objects.listed().count()
        with transaction.atomic():
            refreshed = refresh_listing(Profile.objects.all())
            edition = SearchEdition.objects.beyond_any_used()
        update_planner_statistics(after_bulk_load=True)
        listed = Profile.objects.listed().count()
        self.stdout.write(
            f"Refreshed {refreshed:,} profiles: {listed:,} listed today (before: {listed_before:,}). "
            f"Search edition {edition:,}."
        )
