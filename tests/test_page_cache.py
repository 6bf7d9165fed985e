"""Cached search pages and API answers: never stale, never someone's own page."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import caches
from django.utils import timezone

from directory import services
from directory.models import Credential, Language, Profile
from directory.search.cache import current_edition
from directory.services import suspend_profile
from guides.models import Guide
from tests.factories import changed, make_listed_profile, make_reviewer, make_user, save_all
from tests.search_helpers import listed

pytestmark = pytest.mark.django_db

SEARCH = "/therapists/"
API = "/api/v1/therapists/"


def names_in(response) -> list[str]:
    return re.findall(r'<h3 class="result-name"><a href="[^"]+">([^<]+)</a>', response.content.decode())


def cached_pages() -> list[str]:
    return [key for key in caches["search_pages"]._cache if "search-page:" in key]  # locmem


@pytest.fixture
def reviewer():
    return make_reviewer()


def test_the_same_search_is_served_from_the_cache(client, reviewer, django_assert_num_queries):
    listed(display_name="Cached Cora", reviewer=reviewer)
    first = client.get(SEARCH, {"near": "10001"})
    with django_assert_num_queries(1):  # the edition
        again = client.get(SEARCH, {"near": "10001"})
    assert again.content == first.content
    assert names_in(again) == ["Cached Cora"]


def test_a_suspended_therapist_leaves_the_cached_results_at_once(client, reviewer):
    profile = listed(display_name="Suspended Sue", reviewer=reviewer)
    assert names_in(client.get(SEARCH, {"near": "10001"})) == ["Suspended Sue"]
    assert client.get(API, {"near": "10001"}).json()["count"] == 1
    suspend_profile(profile=profile, reviewer=reviewer, reason="Licence under investigation.")
    assert names_in(client.get(SEARCH, {"near": "10001"})) == []
    assert client.get(API, {"near": "10001"}).json()["count"] == 0


@pytest.mark.parametrize("page_seconds", [600, 0])
def test_an_edit_to_what_a_card_shows_replaces_the_cached_page(client, reviewer, settings, page_seconds):
    # With pages not kept, the rendered cards still are (directory/search/cards.py).
    settings.SEARCH_PAGE_CACHE_SECONDS = page_seconds
    profile = listed(display_name="Editing Eve", reviewer=reviewer, languages=("en",))
    assert "<dt>Languages</dt> <dd>English</dd>" in client.get(SEARCH, {"near": "10001"}).content.decode()
    profile.languages.add(Language.objects.get(code="es"))
    services.save_profile(profile=profile, actor=profile.user, changed_fields=["languages"])
    assert "<dt>Languages</dt> <dd>English, Spanish</dd>" in client.get(SEARCH, {"near": "10001"}).content.decode()
    profile.headline = "Gentle work after surgery"
    services.save_profile(profile=profile, actor=profile.user, changed_fields=["headline"])
    assert "Gentle work after surgery" in client.get(SEARCH, {"near": "10001"}).content.decode()


def test_a_credential_lapsing_at_midnight_is_not_served_from_yesterdays_page(client, reviewer):
    profile = listed(display_name="Midnight Mo", reviewer=reviewer)
    today = timezone.localdate()
    save_all(Credential.objects.filter(profile=profile, kind=Credential.Kind.LICENCE), expires_on=today)
    assert names_in(client.get(SEARCH, {"near": "10001"})) == ["Midnight Mo"]
    with mock.patch("django.utils.timezone.localdate", return_value=today + timedelta(days=1)):
        assert names_in(client.get(SEARCH, {"near": "10001"})) == []


def card_links(response) -> list[str]:
    return re.findall(r'<h3 class="result-name"><a href="([^"]+)">', response.content.decode())


def test_a_kept_card_serves_other_searches_with_their_own_distance_and_link(
    client, reviewer, settings, django_assert_num_queries
):
    settings.SEARCH_PAGE_CACHE_SECONDS = 0
    listed(display_name="Kept Kay", reviewer=reviewer)  # in Manhattan
    manhattan = client.get(SEARCH, {"near": "10001"})
    assert cached_cards() == 1
    # The same therapist from Brooklyn: no profile, location or credential is read again.
    with django_assert_num_queries(3):  # the edition and 2 rings (1 mile; 10 with home visits beyond): nothing else
        brooklyn = client.get(SEARCH, {"near": "11201", "radius": "10"})
    assert names_in(brooklyn) == ["Kept Kay"]
    assert "under 1 mile" in manhattan.content.decode()
    assert "under 1 mile" not in brooklyn.content.decode()
    # Each card links with its own search carried.
    [from_manhattan], [from_brooklyn] = card_links(manhattan), card_links(brooklyn)
    assert "10001" in from_manhattan and "11201" not in from_manhattan
    assert "11201" in from_brooklyn


def test_a_kept_api_result_serves_other_searches_with_their_own_distance_and_host(
    client, reviewer, settings, django_assert_num_queries
):
    settings.SEARCH_PAGE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    listed(display_name="Kept Kim", reviewer=reviewer)  # in Manhattan
    [manhattan] = client.get(API, {"near": "10001"}).json()["results"]
    # The same therapist from Brooklyn, asked at another host: no profile, location or credential is read again.
    with django_assert_num_queries(3):  # the edition and 2 rings: nothing else
        [brooklyn] = client.get(API, {"near": "11201", "radius": "10"}, HTTP_HOST="other.example").json()["results"]
    assert manhattan["name"] == brooklyn["name"] == "Kept Kim"
    assert manhattan["distance_miles"] != brooklyn["distance_miles"]
    assert manhattan["url"].startswith("http://testserver/") and brooklyn["url"].startswith("http://other.example/")
    assert {key: value for key, value in manhattan.items() if key not in ("url", "distance_miles", "distance_km")} == {
        key: value for key, value in brooklyn.items() if key not in ("url", "distance_miles", "distance_km")
    }
    assert list(manhattan) == list(brooklyn)
    # A change shows at once.
    profile = Profile.objects.get(display_name="Kept Kim")
    profile.headline = "A new headline"
    profile.save()
    changed(profile)
    [after] = client.get(API, {"near": "10001"}).json()["results"]
    assert after["headline"] == "A new headline"


def test_a_card_is_made_again_the_next_day_and_after_a_change(client, reviewer, settings, django_assert_num_queries):
    from directory.search.cards import cards

    profile = listed(display_name="Daily Dee", reviewer=reviewer)
    cards([profile.pk])
    with django_assert_num_queries(1):  # the edition: the card is kept
        assert cards([profile.pk])[profile.pk].name == "Daily Dee"
    # Credentials lapse at midnight: the next day's card is made afresh.
    tomorrow = timezone.localdate() + timedelta(days=1)
    with mock.patch("django.utils.timezone.localdate", return_value=tomorrow), django_assert_num_queries(6):
        # The edition (read twice outside a request), the profile, its locations, credentials and links.
        cards([profile.pk])
    profile.display_name = "Daily Dot"
    profile.save()
    changed(profile)
    assert cards([profile.pk])[profile.pk].name == "Daily Dot"
    settings.SEARCH_CARD_CACHE_SECONDS = 0
    caches["cards"].clear()
    cards([profile.pk])
    assert cached_cards() == 0


def cached_cards() -> int:
    return len([key for key in caches["cards"]._cache if "card:" in key])  # locmem


def test_changes_to_guides_and_vocabularies_start_a_new_edition(reviewer):
    before = current_edition()
    guide = Guide.objects.create(title="A guide", slug="a-guide", summary="S", body="B", last_reviewed="2026-01-01")
    assert current_edition() > before
    before = current_edition()
    guide.delete()
    assert current_edition() > before
    before = current_edition()
    language = Language.objects.get(code="es")
    language.name = "Español"
    language.save()
    assert current_edition() > before


def test_a_signed_in_person_gets_a_fresh_page_that_is_never_stored(client, reviewer):
    listed(display_name="Fresh Fran", reviewer=reviewer)
    client.force_login(make_user())
    response = client.get(SEARCH, {"near": "10001"})
    assert names_in(response) == ["Fresh Fran"]
    assert client.get(API, {"near": "10001"}).status_code == 200
    assert cached_pages() == []


def test_the_api_answer_is_cached_per_host_because_its_links_are_absolute(client, reviewer, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    for n in range(2):
        listed(display_name=f"Linked {n}", reviewer=reviewer)
    first = client.get(API, {"near": "10001"}).json()
    other = client.get(API, {"near": "10001"}, HTTP_HOST="other.example").json()
    assert first["results"][0]["url"].startswith("http://testserver/")
    assert other["results"][0]["url"].startswith("http://other.example/")


def test_with_caching_off_nothing_is_stored(client, reviewer, settings):
    settings.SEARCH_PAGE_CACHE_SECONDS = 0
    listed(display_name="Uncached Uma", reviewer=reviewer)
    assert names_in(client.get(SEARCH, {"near": "10001"})) == ["Uncached Uma"]
    assert cached_pages() == []


def test_a_bulk_listing_refresh_starts_a_new_edition(reviewer):
    make_listed_profile(reviewer=reviewer)
    before = current_edition()
    from directory.listing import refresh_listing

    refresh_listing(Profile.objects.all())
    assert current_edition() > before


def test_words_with_no_letters_near_a_place_find_nobody_without_an_error(client, reviewer):
    listed(display_name="Quiet Quinn", reviewer=reviewer)
    response = client.get(SEARCH, {"near": "10001", "q": "!!! ???"})
    assert response.status_code == 200
    assert names_in(response) == []
    assert client.get(API, {"near": "10001", "q": "!!!"}).json()["count"] == 0


def test_a_search_with_errors_is_not_kept(client):
    response = client.get(SEARCH, {"near": "10001", "radius": "3"})
    assert "Choose one of the distances offered" in response.content.decode()
    assert cached_pages() == []


def test_linking_a_guide_to_a_service_starts_a_new_edition():
    from directory.models import Service

    guide = Guide.objects.create(title="A guide", slug="a-guide", summary="S", body="B", last_reviewed="2026-01-01")
    before = current_edition()
    guide.services.set([Service.objects.first()])
    assert current_edition() > before


def test_a_new_service_can_be_searched_for_at_once(client):
    from directory.models import Service

    client.get(SEARCH)  # the vocabularies are cached
    Service.objects.create(name="Scar tissue work", slug="scar-tissue-work", position=99)
    response = client.get(SEARCH, {"service": "scar-tissue-work"})
    assert "We do not know the service" not in response.content.decode()
    assert "Scar tissue work" in response.content.decode()


def test_pages_are_kept_apart_from_the_shared_cache_and_bounded(client, reviewer, settings):
    from django.core.cache import cache

    listed(display_name="Kept Apart", reviewer=reviewer)
    client.get(SEARCH, {"near": "10001"})
    assert cached_pages()
    assert not [key for key in cache._cache if "search-page:" in key]
    assert settings.CACHES["search_pages"]["BACKEND"].endswith("LocMemCache")


def test_a_kept_cards_map_areas_link_with_each_searchs_own_query(client, reviewer, settings):
    import json

    settings.MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    settings.SEARCH_PAGE_CACHE_SECONDS = 0
    listed(display_name="Mapped May", reviewer=reviewer)

    def area_urls(params) -> list[str]:
        html = client.get(SEARCH, params).content.decode()
        data = re.search(r'<script id="results-map-data" type="application/json">(.*?)</script>', html).group(1)
        return [area["url"] for area in json.loads(data)["areas"]]

    first = area_urls({"near": "10001"})
    second = area_urls({"near": "10001", "radius": "10"})  # the same card, kept
    assert first and all("search=near%3D10001" in url and "radius" not in url for url in first)
    assert second and all("radius%3D10" in url for url in second)
    assert {url.split("?")[0] for url in first} == {url.split("?")[0] for url in second}
