"""A result card's parts (directory/search/cards.py) are exactly what the profile's own links and credentials give."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from directory.listing import valid_on_q
from directory.models import Credential, Language, Profile, Service
from directory.search.cache import edition_for_request
from directory.search.cards import load_card_parts
from tests.factories import add_credential, add_location, changed, make_reviewer
from tests.search_helpers import listed

pytestmark = pytest.mark.django_db


RELATIONS = ("services", "phases", "care_settings", "cancer_types", "languages")


def reference(profile: Profile) -> dict:
    """The same parts read the plain way, from the link tables and the credentials
    (their order is checked in test_credentials_come_licence_first…)."""
    current = profile.credentials.filter(status=Credential.Status.VERIFIED).filter(valid_on_q(timezone.localdate()))
    parts = {relation: [entry.slug for entry in getattr(profile, relation).all()] for relation in RELATIONS}
    return parts | {
        "language_codes": [language.code for language in profile.languages.all()],
        "locations": list(profile.locations.order_by("id").values_list("pk", flat=True)),
        "credentials": sorted(current.values_list("pk", flat=True)),
    }


def card(profile: Profile) -> dict:
    parts = {relation: [entry.slug for entry in getattr(profile, f"card_{relation}")] for relation in RELATIONS}
    return parts | {
        "language_codes": [language.code for language in profile.card_languages],
        "locations": [location.pk for location in profile.card_locations],
        "credentials": sorted(credential.pk for credential in profile.verified_credentials),
    }


def test_cards_show_what_the_links_and_credentials_give_for_every_synthetic_therapist():
    call_command("seed_demo", therapists=150, seed=3, force=True, stdout=StringIO())
    expected = {profile.pk: reference(profile) for profile in Profile.objects.listed()}
    assert len(expected) >= 150
    for profile in load_card_parts(Profile.objects.listed()):
        assert card(profile) == expected[profile.pk], profile.pk


def test_credentials_come_licence_first_then_oncology_training_latest_check_first():
    reviewer = make_reviewer()
    profile = listed(reviewer=reviewer)
    today = timezone.localdate()
    add_credential(profile, Credential.Kind.INSURANCE, status=Credential.Status.VERIFIED, reviewer=reviewer)
    newer = add_credential(profile, Credential.Kind.ONCOLOGY_TRAINING, status=Credential.Status.VERIFIED)
    Credential.objects.filter(pk=newer.pk).update(verified_on=today + timedelta(days=1))
    expired = add_credential(
        profile, Credential.Kind.MLD, status=Credential.Status.VERIFIED, expires_on=today - timedelta(days=1)
    )
    pending = add_credential(profile, Credential.Kind.BOARD)
    [loaded] = load_card_parts([Profile.objects.get(pk=profile.pk)])
    kinds = [credential.kind for credential in loaded.verified_credentials]
    assert kinds[0] == Credential.Kind.LICENCE
    assert kinds[1:3] == [Credential.Kind.ONCOLOGY_TRAINING] * 2
    assert loaded.verified_credentials[1].pk == newer.pk
    assert kinds[-1] == Credential.Kind.INSURANCE
    shown = {credential.pk for credential in loaded.verified_credentials}
    assert expired.pk not in shown and pending.pk not in shown
    assert card(loaded) == reference(profile)


def test_a_card_names_every_link_of_a_vocabulary_of_any_size_in_one_query(django_assert_num_queries):
    profile = listed(languages=("en",))
    add_location(profile, latitude=40.76, longitude=-73.98)
    far = Language.objects.create(pk=1005, name="Zz Test language", slug="zz-test", code="x-zz", position=99)
    profile.languages.add(far)
    changed(profile)
    loaded = Profile.objects.get(pk=profile.pk)
    load_card_parts([loaded])  # the vocabularies are cached for the edition from here on
    assert [language.code for language in loaded.card_languages] == ["en", "x-zz"]
    assert card(loaded) == reference(profile)
    # As in a search request: the edition, then locations, credentials and every
    # vocabulary's links in one UNION, named from the vocabularies kept for the edition.
    fresh = Profile.objects.get(pk=profile.pk)
    with django_assert_num_queries(4), edition_for_request():
        load_card_parts([fresh])
    assert card(fresh) == card(loaded)


def test_a_renamed_service_shows_its_new_name_on_the_next_card():
    profile = listed()
    service = profile.services.first()
    load_card_parts([profile])
    service.name = "A newly named service"
    service.save()
    [loaded] = load_card_parts([Profile.objects.get(pk=profile.pk)])
    assert "A newly named service" in [entry.name for entry in loaded.card_services]


def test_no_profiles_need_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert load_card_parts([]) == []


def test_the_search_page_and_the_api_show_the_card_parts(client):
    profile = listed(languages=("es",))
    spanish = Language.objects.get(code="es")
    service = Service.objects.get(pk=profile.services.first().pk)
    html = client.get("/therapists/", {"near": "10001"}).content.decode()
    card_html = html.split('class="result card')[1].split("</article>")[0]
    assert service.name in card_html
    assert spanish.name in card_html
    assert profile.locations.first().city in card_html
    result = client.get("/api/v1/therapists/", {"near": "10001"}).json()["results"][0]
    assert result["services"] == [service.slug]
    assert result["languages"] == ["es"]
    detail = client.get(f"/api/v1/therapists/{profile.slug}/").json()
    assert detail["services"] == [service.slug]
    assert detail["languages"] == ["es"]
    assert detail["locations"][0]["city"] == profile.locations.first().city
