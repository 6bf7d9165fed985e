"""The stored listing (Profile.listed_until) always agrees with the full rule."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from devtools.demo.people import create_demo_people
from directory.listing import listed_q, refresh_listing
from directory.models import Credential, Location, Profile
from directory.search.facets import FACETS
from tests.factories import add_credential, add_location, make_listed_profile, make_profile, make_reviewer

pytestmark = pytest.mark.django_db

OFFSETS = (-800, -400, -31, -1, 0, 1, 17, 18, 30, 31, 364, 365, 366, 800, 5000)


def assert_stored_matches_rule():
    today = timezone.localdate()
    for offset in OFFSETS:
        day = today + timedelta(days=offset)
        stored = set(Profile.objects.listed(today=day).values_list("pk", flat=True))
        full = set(Profile.objects.filter(listed_q(day)).values_list("pk", flat=True))
        assert stored == full, f"{offset} days from today"
    assert_locations_copy_their_profiles()


COPIED = ("listed_until", *FACETS.values())


def assert_locations_copy_their_profiles():
    """Each location holds its profile's listing date and filter bits (listing.copy_to_locations)."""
    stored = {row[0]: row[1:] for row in Profile.objects.values_list("pk", *COPIED)}
    for row in Location.objects.values_list("profile_id", *COPIED):
        assert row[1:] == stored[row[0]], row[0]


def test_the_stored_listing_matches_the_rule_on_every_demo_profile_on_many_days():
    create_demo_people()
    assert Profile.objects.listed().exists()
    assert_stored_matches_rule()


def test_the_stored_listing_matches_the_rule_on_random_profiles():
    rng = random.Random(20261126)
    reviewer = make_reviewer()
    today = timezone.localdate()
    kinds = [kind for kind, _ in Credential.Kind.choices]
    statuses = [status for status, _ in Credential.Status.choices]
    for _ in range(40):
        profile = make_profile(
            submitted_at=timezone.now() if rng.random() < 0.8 else None,
            suspended_at=timezone.now() if rng.random() < 0.1 else None,
            bio="" if rng.random() < 0.1 else "A short bio.",
        )
        if rng.random() < 0.9:
            add_location(profile)
        for _ in range(rng.randint(0, 4)):
            kind = rng.choice(kinds)
            expires = today + timedelta(days=rng.randint(-60, 400))
            add_credential(
                profile,
                kind,
                status=rng.choice(statuses),
                reviewer=reviewer,
                issued_on=expires - timedelta(days=900),
                expires_on=expires if kind in Credential.EXPIRING_KINDS or rng.random() < 0.5 else None,
            )
    assert_stored_matches_rule()


def test_every_change_the_rule_reads_updates_the_stored_listing():
    profile = make_listed_profile()
    assert Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_locations_copy_their_profiles()

    training = profile.credentials.get(kind=Credential.Kind.ONCOLOGY_TRAINING)
    training.status = Credential.Status.WITHDRAWN
    training.save()
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_locations_copy_their_profiles()

    training.status = Credential.Status.VERIFIED
    training.save()
    assert Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_locations_copy_their_profiles()

    profile.services.clear()
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_locations_copy_their_profiles()
    profile.services.add(1)
    assert Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_locations_copy_their_profiles()

    Location.objects.filter(profile=profile).delete()
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_locations_copy_their_profiles()
    add_location(profile)
    assert Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_locations_copy_their_profiles()

    profile.suspended_at = timezone.now()
    profile.save()
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_locations_copy_their_profiles()


def test_refreshing_everything_changes_nothing_that_was_kept_in_step():
    create_demo_people()
    before = dict(Profile.objects.values_list("pk", "listed_until"))
    refresh_listing(Profile.objects.all())
    assert dict(Profile.objects.values_list("pk", "listed_until")) == before


def test_the_rule_declares_each_condition_once_and_reads_the_kinds_from_the_model():
    from directory import listing

    codes = [condition.code for condition in listing.RULE]
    assert len(codes) == len(set(codes)) == 6
    on_credentials = {condition.code: condition.kinds for condition in listing.RULE if condition.kinds}
    assert on_credentials == {
        "right_to_practise": Credential.PRACTISE_KINDS,
        "oncology_training": Credential.ONCOLOGY_KINDS,
    }


def test_refresh_listings_repairs_what_was_changed_behind_the_apps_back():
    import time
    from io import StringIO

    from django.core.management import call_command

    from directory.search.cache import current_edition

    create_demo_people()
    before = {row[0]: row[1:] for row in Profile.objects.values_list("pk", *COPIED, "last_verified_on")}
    edition_before = current_edition()
    # As a restore or SQL typed by hand could leave them: no signal runs for update().
    Profile.objects.update(listed_until=None, service_bits=0, last_verified_on=None)
    Location.objects.update(listed_until=None, language_bits=0)
    assert not Profile.objects.listed().exists()
    out = StringIO()
    call_command("refresh_listings", stdout=out)
    assert {row[0]: row[1:] for row in Profile.objects.values_list("pk", *COPIED, "last_verified_on")} == before
    assert_locations_copy_their_profiles()
    # A search edition past any used before a restore: nothing cached under old numbers is read again.
    assert current_edition() >= max(edition_before + 1, int(time.time()) - 60)
    assert f"Search edition {current_edition():,}." in out.getvalue()
    listed = Profile.objects.listed().count()
    assert listed > 0
    assert f"{listed:,} listed today (before: 0)" in out.getvalue()


def test_changes_inside_refresh_once_refresh_each_profile_once_at_the_end():
    from directory import listing

    calls = []
    original = listing.refresh_listing

    def counting(profiles, *args, **kwargs):
        calls.append(sorted(profiles.values_list("pk", flat=True)))
        return original(profiles, *args, **kwargs)

    listing.refresh_listing = counting
    try:
        with listing.refresh_once():
            first = make_listed_profile()
            second = make_listed_profile()
            second.services.add(2)
            # Inside the block the stored listing is not refreshed yet.
            assert not Profile.objects.listed().filter(pk__in=[first.pk, second.pk]).exists()
            assert calls == []
    finally:
        listing.refresh_listing = original
    assert calls == [sorted([first.pk, second.pk])]
    assert set(Profile.objects.listed().values_list("pk", flat=True)) == {first.pk, second.pk}
    assert_stored_matches_rule()
