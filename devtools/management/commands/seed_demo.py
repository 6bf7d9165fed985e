"""Fill an empty database with plainly fictional demo content.

Safe to run twice: every object is looked up by a natural key before it is
made. It prints demo passwords, so it refuses to run with DEBUG off unless
forced.

``--therapists N --seed S`` adds N synthetic listed therapists for load
tests and benchmarks (see devtools/demo/bulk.py). They replace any earlier
synthetic therapists, so running twice with the same N and seed gives the
same data. They are never added to a database that holds real profiles
unless ``--allow-mixed`` is given; ``--remove-synthetic`` deletes them.
"""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from devtools.demo import bulk, people
from directory.statistics import update_planner_statistics

QUIET_MAIL = "django.core.mail.backends.locmem.EmailBackend"


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Create fictional demo therapists, reviewers and guides (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument(
            "--therapists",
            type=_non_negative,
            default=None,
            metavar="N",
            help="Also create N synthetic listed therapists (replacing earlier synthetic ones).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed for the synthetic therapists (default 1).")
        parser.add_argument(
            "--allow-mixed",
            action="store_true",
            help="Add synthetic therapists even though the database holds real profiles.",
        )
        parser.add_argument(
            "--remove-synthetic", action="store_true", help="Delete every synthetic therapist, then stop."
        )

    def handle(
        self,
        *args,
        force: bool = False,
        therapists: int | None = None,
        seed: int = 1,
        allow_mixed: bool = False,
        remove_synthetic: bool = False,
        **options,
    ):
        self.verbosity = options.get("verbosity", 1)
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with published passwords, so it only runs with DEBUG on. "
                "Use --force to run it anyway on a database nobody else uses."
            )
        if remove_synthetic:
            try:
                removed = bulk.remove_synthetic_therapists()
            except bulk.RemovalRefused as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(self.style.SUCCESS(f"Removed {removed} synthetic therapists."))
            update_planner_statistics(after_bulk_load=True)
            return
        # Check before anything is written, so a refusal leaves the database as it was.
        if therapists and not allow_mixed and bulk.real_profiles().exists():
            raise CommandError(
                "This database holds profiles of real accounts (not @demo.example or @synthetic.example). "
                "Synthetic therapists would mix into real search results; add --allow-mixed if you mean it."
            )
        call_command("load_guides", verbosity=0)
        # Review decisions on demo profiles would email their invented addresses: keep those in memory.
        with override_settings(EMAIL_BACKEND=QUIET_MAIL), transaction.atomic():
            lines = people.create_demo_people()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at /accounts/login/ with:"))
        for line in lines:
            self.stdout.write(f"  {line}")
        if therapists is not None:
            self._seed_synthetic(therapists, seed, allow_mixed)
        # As after any bulk write: the planner's statistics for the data just written.
        update_planner_statistics(after_bulk_load=True)

    def _seed_synthetic(self, n: int, seed: int, allow_mixed: bool) -> None:
        started = time.perf_counter()

        def progress(done: int) -> None:
            if self.verbosity >= 2 or (self.verbosity >= 1 and done % 20_000 == 0):
                self.stdout.write(f"  {done:,} of {n:,} synthetic therapists written…")

        try:
            report = bulk.create_synthetic_therapists(n, seed=seed, allow_mixed=allow_mixed, progress=progress)
        except (bulk.MixedDataRefused, bulk.RemovalRefused) as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        countries = ", ".join(f"{code} {count:,}" for code, count in sorted(report.countries.items()))
        if report.removed:
            self.stdout.write(f"Removed {report.removed:,} earlier synthetic therapists.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {report.therapists:,} synthetic listed therapists (seed {seed}) with "
                f"{report.locations:,} locations and {report.credentials:,} credentials in {elapsed:.1f} s."
            )
        )
        if countries:
            self.stdout.write(f"  By country: {countries}. They cannot sign in (unusable passwords).")
