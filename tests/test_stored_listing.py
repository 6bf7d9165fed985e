"""The stored listing (Profile.listed_until) always agrees with the full rule."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from devtools.demo.people import create_demo_people
from directory import services
from directory.listing import listed_q, refresh_listing
from directory.models import Credential, Location, Profile, SearchRow
from tests.factories import add_credential, add_location, changed, make_listed_profile, make_profile, make_reviewer
from tests.search_helpers import assert_search_rows_match, stored_search_rows

pytestmark = pytest.mark.django_db

OFFSETS = (-800, -400, -31, -1, 0, 1, 17, 18, 30, 31, 364, 365, 366, 800, 5000)


def assert_stored_matches_rule():
    today = timezone.localdate()
    for offset in OFFSETS:
        day = today + timedelta(days=offset)
        stored = set(Profile.objects.listed(today=day).values_list("pk", flat=True))
        full = set(Profile.objects.filter(listed_q(day)).values_list("pk", flat=True))
        assert stored == full, f"{offset} days from today"
    assert_search_rows_match()


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
    """Each change followed by what a service does after it (services.listing_changed)."""
    profile = make_listed_profile()
    assert Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_search_rows_match()

    training = profile.credentials.get(kind=Credential.Kind.ONCOLOGY_TRAINING)
    services.withdraw_credential(credential=training, actor=profile.user)
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_search_rows_match()

    training.status = Credential.Status.VERIFIED
    training.save()
    changed(profile)
    assert Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_search_rows_match()

    profile.services.clear()
    changed(profile)
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_search_rows_match()
    profile.services.add(1)
    services.save_profile(profile=profile, actor=profile.user)
    assert Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_search_rows_match()

    services.remove_locations(Location.objects.filter(profile=profile))
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_search_rows_match()
    services.save_location(location=Location(profile=profile, city="Albany", latitude=42.65, longitude=-73.75))
    assert Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_search_rows_match()

    services.suspend_profile(profile=profile, reviewer=make_reviewer(), reason="A complaint is being looked into.")
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()
    assert_search_rows_match()


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
    before = {row[0]: row[1:] for row in Profile.objects.values_list("pk", "listed_until", "last_verified_on")}
    rows_before = stored_search_rows()
    edition_before = current_edition()
    # As a restore or SQL typed by hand could leave them, behind the services' back.
    Profile.objects.update(listed_until=None, last_verified_on=None)
    SearchRow.objects.filter(pk__in=list(rows_before)[::2]).delete()
    SearchRow.objects.update(terms=" ")
    assert not Profile.objects.listed().exists()
    out = StringIO()
    call_command("refresh_listings", stdout=out)
    assert {row[0]: row[1:] for row in Profile.objects.values_list("pk", "listed_until", "last_verified_on")} == before
    assert stored_search_rows() == rows_before
    assert_search_rows_match()
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
