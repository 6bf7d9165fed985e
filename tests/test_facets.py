"""A profile's vocabulary links stored as bits agree with its link tables, and filter alike."""

import random
from io import StringIO

import pytest
from django.core.management import call_command

from directory.models import CancerType, CareSetting, Language, Phase, Profile, Service
from directory.search.facets import FACETS, MAX_BIT, mask
from tests.factories import make_listed_profile

pytestmark = pytest.mark.django_db

MODELS = {
    "services": Service,
    "phases": Phase,
    "care_settings": CareSetting,
    "cancer_types": CancerType,
    "languages": Language,
}


def assert_bits_match_links(profile: Profile) -> None:
    profile.refresh_from_db()
    for relation, field in FACETS.items():
        expected = mask(getattr(profile, relation).values_list("pk", flat=True))
        assert getattr(profile, field) == expected, relation
        # The copies the search reads on the location rows (listing.copy_to_locations).
        for location in profile.locations.all():
            assert getattr(location, field) == expected, (relation, location.pk)


def test_every_change_to_a_link_from_either_side_keeps_the_bits_in_step():
    profile = make_listed_profile()
    assert_bits_match_links(profile)
    for relation, model in MODELS.items():
        entries = list(model.objects.order_by("pk")[:3])
        getattr(profile, relation).set(entries[:2])
        assert_bits_match_links(profile)
        getattr(profile, relation).remove(entries[0])
        assert_bits_match_links(profile)
        getattr(profile, relation).add(entries[2])
        assert_bits_match_links(profile)
        entries[2].profiles.remove(profile)  # from the entry's side
        assert_bits_match_links(profile)
        entries[1].profiles.add(profile)
        assert_bits_match_links(profile)
        entries[1].profiles.clear()
        assert_bits_match_links(profile)
        getattr(profile, relation).clear()
        assert_bits_match_links(profile)


def test_deleting_an_entry_clears_its_bit():
    profile = make_listed_profile()
    language = Language.objects.create(name="Test language", slug="test-language", code="x-test", position=50)
    profile.languages.add(language)
    assert_bits_match_links(profile)
    language.delete()
    assert_bits_match_links(profile)


def test_the_bulk_seeder_stores_the_bits():
    call_command("seed_demo", therapists=30, seed=5, force=True, stdout=StringIO())
    for profile in Profile.objects.all():
        assert_bits_match_links(profile)


def test_filtering_by_bits_finds_exactly_what_the_link_tables_give():
    call_command("seed_demo", therapists=300, seed=11, force=True, stdout=StringIO())
    rng = random.Random(3)
    listed = Profile.objects.listed()
    for relation, model in MODELS.items():
        entries = list(model.objects.values_list("slug", "pk"))
        for _ in range(4):
            chosen = rng.sample(entries, k=min(len(entries), rng.randint(1, 3)))
            slugs, ids = [slug for slug, _ in chosen], [pk for _, pk in chosen]
            by_bits = set(listed.with_any(relation, slugs, ids=ids).values_list("pk", flat=True))
            by_links = set(listed.with_any(relation, slugs).values_list("pk", flat=True))
            assert by_bits == by_links, (relation, slugs)


def test_an_entry_whose_id_does_not_fit_is_filtered_through_the_link_table(django_assert_num_queries):
    assert mask([0, 5, MAX_BIT]) == (1 << 0) | (1 << 5) | (1 << MAX_BIT)
    assert mask([MAX_BIT + 1]) is None
    profile = make_listed_profile()
    where = str(Profile.objects.with_any("languages", ["xx"], ids=[MAX_BIT + 1]).query).split(" WHERE ", 1)[1]
    assert "EXISTS" in where
    assert "language_bits" not in where
    assert profile.pk in set(
        Profile.objects.with_any(
            "services", ["oncology-massage"], ids=list(profile.services.values_list("pk", flat=True))
        ).values_list("pk", flat=True)
    )
