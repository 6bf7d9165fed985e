"""The synthetic therapists of `seed_demo --therapists N --seed S`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from devtools.demo import bulk
from directory.listing import reasons_not_listed
from directory.models import Credential, Location, Profile
from directory.search.words import build_search_text
from tests.factories import make_listed_profile, make_user

pytestmark = pytest.mark.django_db


def seed(n: int, seed: int = 7, **options) -> str:
    """The command: the demo people, then the synthetic therapists (the tests of the
    synthetic therapists alone call the seeder directly, without the demo people)."""
    out = StringIO()
    call_command("seed_demo", therapists=n, seed=seed, force=True, stdout=out, **options)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(
        Location.objects.filter(profile__in=bulk.synthetic_profiles())
        .order_by("profile__slug", "latitude", "longitude")
        .values_list("profile__slug", "latitude", "longitude", "city", "country")
    )


def test_fifty_therapists_are_fifty_listed_profiles():
    report = bulk.create_synthetic_therapists(50, seed=7)

    assert report.therapists == 50
    assert Profile.objects.listed().count() == 50


def test_the_command_adds_them_beside_the_demo_people_and_says_so():
    output = seed(50)

    assert Profile.objects.listed().filter(pk__in=bulk.synthetic_profiles().values("pk")).count() == 50
    assert User.objects.filter(email="reviewer@demo.example").exists()
    assert "Created 50 synthetic listed therapists (seed 7)" in output


def test_the_same_seed_gives_the_same_slugs_and_coordinates():
    seed(40, seed=3)
    first = snapshot()
    slugs = list(bulk.synthetic_profiles().order_by("id").values_list("slug", flat=True))

    output = seed(40, seed=3)

    assert "Removed 40 earlier synthetic therapists" in output
    assert snapshot() == first
    assert list(bulk.synthetic_profiles().order_by("id").values_list("slug", flat=True)) == slugs
    assert bulk.synthetic_profiles().count() == 40


def test_another_seed_gives_other_therapists():
    bulk.create_synthetic_therapists(30, seed=1)
    first = snapshot()

    bulk.create_synthetic_therapists(30, seed=2)

    assert snapshot() != first


def test_it_refuses_to_mix_with_a_real_profile_and_writes_nothing():
    make_listed_profile(make_user("real.person@example.test"))

    with pytest.raises(CommandError, match="--allow-mixed"):
        seed(10)

    assert not bulk.synthetic_users().exists()
    assert Profile.objects.count() == 1


def test_the_refusal_holds_when_the_seeder_is_called_directly():
    make_listed_profile(make_user("real.person@example.test"))

    with pytest.raises(bulk.MixedDataRefused):
        bulk.create_synthetic_therapists(5, seed=1)


def test_allow_mixed_adds_them_beside_a_real_profile():
    real = make_listed_profile(make_user("real.person@example.test"))

    bulk.create_synthetic_therapists(10, seed=1, allow_mixed=True)

    assert Profile.objects.listed().count() == 11
    assert Profile.objects.filter(pk=real.pk).exists()


def test_demo_profiles_do_not_count_as_real():
    make_listed_profile(make_user("someone@demo.example"))

    bulk.create_synthetic_therapists(5, seed=1)

    assert Profile.objects.listed().count() == 6


def test_without_debug_it_refuses_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", therapists=5)

    assert not bulk.synthetic_users().exists()


def test_every_stored_profile_satisfies_the_listing_rule_in_python_too():
    bulk.create_synthetic_therapists(60, seed=7)

    profiles = bulk.synthetic_profiles().prefetch_related("services", "credentials", "locations")
    assert len(profiles) == 60
    for profile in profiles:
        assert reasons_not_listed(profile) == [], profile.slug
        assert profile.search_text == build_search_text(profile)
        assert profile.display_name and profile.headline and profile.bio
        assert profile.fee_min is None or profile.fee_min <= profile.fee_max
        assert profile.years_oncology <= profile.years_practice


def test_the_data_is_plainly_fictional_and_cannot_sign_in():
    bulk.create_synthetic_therapists(25, seed=7)

    users = bulk.synthetic_users()
    assert users.count() == 26  # 25 therapists and the synthetic reviewer
    assert all(email.endswith("@synthetic.example") for email in users.values_list("email", flat=True))
    assert not any(user.has_usable_password() for user in users)
    identifiers = Credential.objects.filter(profile__in=bulk.synthetic_profiles()).values_list("identifier", flat=True)
    assert identifiers and all(identifier.startswith("SYN-") for identifier in identifiers)
    bios = bulk.synthetic_profiles().values_list("bio", flat=True)
    assert all("does not exist" in bio for bio in bios)


def test_places_are_spread_over_several_countries_and_home_visits_have_a_radius():
    bulk.create_synthetic_therapists(200, seed=7)

    locations = Location.objects.filter(profile__in=bulk.synthetic_profiles())
    countries = set(locations.values_list("country", flat=True))
    assert {"US", "GB"} <= countries and len(countries) >= 4
    assert locations.filter(country="US", latitude__gt=40.5, latitude__lt=41.0, longitude__gt=-74.3,
                            longitude__lt=-73.6).exists()  # fmt: skip
    assert locations.filter(travel_radius_miles__isnull=False).exists()
    assert not locations.filter(profile__visits_home=False, travel_radius_miles__isnull=False).exists()
    for latitude, longitude in locations.values_list("latitude", "longitude"):
        assert -90 <= latitude <= 90 and -180 <= longitude <= 180
        assert (latitude, longitude) != (0, 0)


def test_remove_synthetic_deletes_them_and_keeps_everyone_else():
    real = make_listed_profile(make_user("real.person@example.test"))
    seed(15, allow_mixed=True)

    call_command("seed_demo", remove_synthetic=True, force=True, stdout=StringIO())

    assert not bulk.synthetic_users().exists()
    assert Profile.objects.filter(pk=real.pk).exists()
    assert not Profile.objects.exclude(pk=real.pk).exclude(user__email__endswith="@demo.example").exists()
    assert User.objects.filter(email="reviewer@demo.example").exists()


def test_search_vectors_match_the_ones_the_search_code_writes():
    from directory.search.words import _weighted_vector

    bulk.create_synthetic_therapists(10, seed=7)

    for profile in bulk.synthetic_profiles().prefetch_related("services"):
        if connection.vendor == "postgresql":
            rows = Profile.objects.filter(pk=profile.pk).annotate(expected=_weighted_vector(profile))
            assert profile.search_vector == rows.values_list("expected", flat=True)[0]
        else:
            # SQLite keeps the column but never fills it; its search reads search_text.
            assert profile.search_vector is None
