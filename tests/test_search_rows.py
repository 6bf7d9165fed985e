"""The search rows agree with the domain tables after every change the services make, and
filter exactly as the link tables and the profiles' own fields do."""

import random
from io import StringIO

import pytest
from django.core.management import call_command

from directory import services
from directory.models import CancerType, CareSetting, Language, Location, Phase, Profile, SearchRow, Service
from directory.search.nearest import any_term
from directory.search.terms import option_term, vocabulary_term
from tests.factories import add_location, make_listed_profile, make_reviewer
from tests.search_helpers import BROOKLYN, assert_search_rows_match

pytestmark = pytest.mark.django_db

MODELS = {
    "services": Service,
    "phases": Phase,
    "care_settings": CareSetting,
    "cancer_types": CancerType,
    "languages": Language,
}


def test_every_change_through_the_services_keeps_the_search_rows_in_step():
    profile = make_listed_profile()
    assert_search_rows_match()
    for relation, model in MODELS.items():
        entries = list(model.objects.order_by("pk")[:3])
        getattr(profile, relation).set(entries[:2])
        services.save_profile(profile=profile, actor=profile.user)
        assert_search_rows_match()
        getattr(profile, relation).remove(entries[0])
        services.save_profile(profile=profile, actor=profile.user)
        assert_search_rows_match()
    for field, value in [("accepting_new_clients", False), ("visits_home", True), ("gender", "woman")]:
        setattr(profile, field, value)
        services.save_profile(profile=profile, actor=profile.user, changed_fields=[field])
        assert_search_rows_match()
    second = add_location(profile, **BROOKLYN, travel_radius_miles=15)
    assert_search_rows_match()
    assert SearchRow.objects.get(pk=second.pk).home_radius_miles == 15
    second.travel_radius_miles = 30
    services.save_location(location=second)
    assert SearchRow.objects.get(pk=second.pk).home_radius_miles == 30
    services.remove_locations(Location.objects.filter(pk=second.pk))
    assert_search_rows_match()
    services.suspend_profile(profile=profile, reviewer=make_reviewer(), reason="Checking a complaint.")
    assert not SearchRow.objects.filter(profile=profile).exists()
    assert_search_rows_match()


def test_a_location_moved_to_another_profile_leaves_the_first_ones_rows():
    first, second = make_listed_profile(), make_listed_profile()
    location = first.locations.get()
    location.profile = second
    services.save_location(location=location)
    assert_search_rows_match()
    assert SearchRow.objects.get(pk=location.pk).profile_id == second.pk


def test_deleting_a_vocabulary_entry_through_the_service_updates_the_listing_and_rows():
    profile = make_listed_profile(services=("oncology-massage",))
    language = Language.objects.create(name="Test language", slug="test-language", code="x-test", position=50)
    profile.languages.add(language)
    services.listing_changed(profile)
    assert vocabulary_term("languages", language.pk) in SearchRow.objects.get(profile=profile).terms
    services.delete_vocabulary_entries(Language.objects.filter(pk=language.pk))
    assert_search_rows_match()
    # Its only service gone, the profile is no longer listed, and has no search row.
    services.delete_vocabulary_entries(Service.objects.filter(slug="oncology-massage"))
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()
    assert not SearchRow.objects.filter(profile=profile).exists()


def test_the_bulk_seeder_and_refresh_listings_write_the_search_rows():
    call_command("seed_demo", therapists=30, seed=5, force=True, stdout=StringIO())
    assert SearchRow.objects.exists()
    assert_search_rows_match()
    SearchRow.objects.all().delete()
    call_command("refresh_listings", stdout=StringIO())
    assert_search_rows_match()


def test_the_terms_filter_exactly_as_the_link_tables_and_profile_fields_do():
    call_command("seed_demo", therapists=150, seed=11, force=True, stdout=StringIO())
    rng = random.Random(3)
    listed = Profile.objects.listed()

    def by_rows(test):
        return set(listed.filter(search_rows__in=SearchRow.objects.filter(test.q())).values_list("pk", flat=True))

    for relation, model in MODELS.items():
        entries = list(model.objects.values_list("slug", "pk"))
        for _ in range(4):
            chosen = rng.sample(entries, k=min(len(entries), rng.randint(1, 3)))
            test = any_term(vocabulary_term(relation, pk) for _, pk in chosen)
            by_links = set(listed.with_any(relation, [slug for slug, _ in chosen]).values_list("pk", flat=True))
            assert by_rows(test) == by_links, (relation, chosen)
    for field in (
        "accepting_new_clients",
        "accessible_premises",
        "sliding_scale",
        "visits_home",
        "visits_hospital",
        "visits_practice",
    ):
        by_field = set(listed.filter(**{field: True}).values_list("pk", flat=True))
        assert by_rows(any_term([option_term(field)])) == by_field, field
    assert by_rows(any_term([])) == set()


def test_a_term_sharing_its_bit_with_another_is_still_told_apart_by_the_text():
    from itertools import count

    from directory.search.terms import term_bit

    # Two language ids whose terms set the same bit of the rows' Bloom filter.
    first = 1000
    second = next(pk for pk in count(first + 1) if term_bit(f"l{pk}") == term_bit(f"l{first}"))
    assert 0 < term_bit(f"l{first}") < 1 << 63
    speaker = make_listed_profile(display_name="Zed Speaker")
    Language.objects.create(pk=first, name="First test language", slug="first-test", code="x-fi", position=90)
    Language.objects.create(pk=second, name="Second test language", slug="second-test", code="x-se", position=91)
    speaker.languages.add(second)
    services.listing_changed(speaker)
    assert_search_rows_match()
    found = Profile.objects.listed().nearest(
        40.7484, -73.9967, 25, 10, tests=(any_term([vocabulary_term("languages", first)]),), only_rows=True
    )
    assert found == []
    found = Profile.objects.listed().nearest(
        40.7484, -73.9967, 25, 10, tests=(any_term([vocabulary_term("languages", second)]),), only_rows=True
    )
    assert [row.pk for row in found] == [speaker.pk]
