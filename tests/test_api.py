"""The JSON API: the page's search, PRODUCT.md's fields and nothing private."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from directory.models import Credential, Enquiry
from tests.factories import add_credential, add_location, make_profile, make_reviewer
from tests.search_helpers import BROOKLYN, CHICAGO, NEWARK, NYC_10001, listed, published_miles, queries_of

pytestmark = pytest.mark.django_db
API = "/api/v1/therapists/"
RESULT_KEYS = {
    "slug",
    "name",
    "headline",
    "url",
    "services",
    "session_places",
    "accepting_new_clients",
    "languages",
    "locations",
    "verified_credentials",
}
LOCATION_KEYS = {"city", "region", "postcode", "country", "latitude", "longitude"}
CREDENTIAL_KEYS = {"kind", "issuer", "jurisdiction", "verified_on", "expires_on", "method", "checked_on", "source"}
# Licences and registrations add their public number and look-up; training its hours and hands-on practice.
EXTRA_KEYS = {"licence": {"identifier", "lookup_url"}, "oncology_training": {"training_hours", "hands_on"}}


@pytest.fixture
def reviewer():
    return make_reviewer()


def test_the_api_has_its_stable_addresses():
    assert reverse("api_therapist_list") == API
    assert reverse("api_therapist_detail", kwargs={"slug": "x"}) == f"{API}x/"


def test_a_search_near_a_place_gives_the_documented_fields(client, reviewer):
    profile = listed(BROOKLYN, display_name="Api Ana", reviewer=reviewer, languages=("en", "es"), visits_home=True)
    listed(CHICAGO, reviewer=reviewer)
    response = client.get(API, {"near": "10001"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"place", "count", "more", "next", "previous", "results"}
    assert body["place"] == "New York, NY 10001, United States"
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    result = body["results"][0]
    assert set(result) == RESULT_KEYS | {"distance_miles", "distance_km"}
    assert result["slug"] == profile.slug
    assert result["name"] == "Api Ana"
    assert result["url"] == f"http://testserver/therapists/{profile.slug}/"
    miles = published_miles(NYC_10001, BROOKLYN)  # to the published point, not the exact one
    assert result["distance_miles"] == round(miles)
    assert result["distance_km"] == round(miles * 1.609344)
    assert result["services"] == ["oncology-massage"]
    assert result["session_places"] == ["practice", "home"]
    assert result["languages"] == ["en", "es"]
    assert result["accepting_new_clients"] is True
    assert result["locations"] == [
        {
            "city": "Brooklyn",
            "region": "NY",
            "postcode": "11201",
            "country": "US",
            "latitude": 40.69,
            "longitude": -73.99,
        }
    ]
    assert {c["kind"] for c in result["verified_credentials"]} == {"licence", "oncology_training"}
    for credential in result["verified_credentials"]:
        assert set(credential) == CREDENTIAL_KEYS | EXTRA_KEYS[credential["kind"]]


def test_without_a_place_there_is_no_distance(client, reviewer):
    listed(reviewer=reviewer)
    result = client.get(API).json()["results"][0]
    assert set(result) == RESULT_KEYS


def test_exact_coordinates_only_when_the_therapist_opts_in(client, reviewer):
    profile = listed(dict(latitude=40.748417, longitude=-73.996743, show_street_address=True), reviewer=reviewer)
    location = client.get(f"{API}{profile.slug}/").json()["locations"][0]
    assert (location["latitude"], location["longitude"]) == (40.748417, -73.996743)


def test_the_api_never_shows_documents_notes_emails_or_enquiries(client, reviewer):
    profile = listed(reviewer=reviewer, phone="555-0100-SECRET")
    Credential.objects.filter(profile=profile).update(
        internal_note="INTERNAL-NOTE-1",
        note_to_therapist="NOTE-TO-THERAPIST-2",
        reference="REFERENCE-3",
        evidence="evidence/SECRET-DOC.pdf",
    )
    add_credential(profile, Credential.Kind.CLT, status=Credential.Status.REJECTED, issuer="REJECTED-ISSUER-4")
    Enquiry.objects.create(
        profile=profile, name="Patient Pat", email="pat@example.test", message="ENQUIRY-TEXT-5", consent=True
    )
    # Licence numbers are public (patients look them up); other numbers are not.
    identifiers = list(profile.credentials.exclude(kind="licence").values_list("identifier", flat=True))
    for url in (API, f"{API}{profile.slug}/", f"{API}?near=10001"):
        text = client.get(url).content.decode()
        for secret in [
            "INTERNAL-NOTE-1",
            "NOTE-TO-THERAPIST-2",
            "REFERENCE-3",
            "SECRET-DOC",
            "REJECTED-ISSUER-4",
            "ENQUIRY-TEXT-5",
            "Patient Pat",
            "pat@example.test",
            profile.user.email,
            "555-0100-SECRET",
            *identifiers,
        ]:
            assert secret not in text
        for word in ("evidence", "internal_note", "email", "enquir", "reviewed_by"):
            assert word not in text


def test_a_bad_parameter_gives_400_with_field_messages(client):
    response = client.get(API, {"radius": "far", "service": "astrology", "near": "zzzz"})
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"radius", "service", "near"}
    assert "number of miles" in body["errors"]["radius"][0]
    assert "astrology" in body["errors"]["service"][0]


def test_an_ambiguous_place_gives_400_with_the_choices(client):
    body = client.get(API, {"near": "Portland"}).json()
    assert "Portland, OR, United States" in body["place_choices"]
    assert body["errors"]["near"]


def test_a_bad_page_gives_400_and_a_page_past_the_end_404(client, reviewer):
    listed(reviewer=reviewer)
    assert client.get(API, {"page": "abc"}).status_code == 400
    assert client.get(API, {"page": "7"}).status_code == 404


def test_results_are_paginated_by_twenty_with_next_and_previous(client, reviewer):
    for n in range(21):
        listed(NEWARK, display_name=f"Paged {n:02d}", reviewer=reviewer)
    first = client.get(API, {"near": "10001"}).json()
    assert first["count"] == 21 and len(first["results"]) == 20
    assert first["next"] == "http://testserver/api/v1/therapists/?near=10001&page=2"
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["previous"] == "http://testserver/api/v1/therapists/?near=10001&page=1"
    ids = [r["slug"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 21


@pytest.mark.parametrize("state", ["unknown", "draft", "suspended"])
def test_an_unknown_or_unlisted_slug_gives_404_json(client, reviewer, state):
    if state == "unknown":
        slug = "nobody"
    elif state == "draft":
        profile = make_profile()
        add_location(profile)
        slug = profile.slug
    else:
        slug = listed(reviewer=reviewer, suspended_at=timezone.now()).slug
    response = client.get(f"{API}{slug}/")
    assert response.status_code == 404
    assert json.loads(response.content)["detail"]


def test_only_listed_therapists_appear_in_the_list(client, reviewer):
    shown = listed(reviewer=reviewer)
    listed(reviewer=reviewer, suspended_at=timezone.now())
    draft = make_profile()
    add_location(draft)
    assert [r["slug"] for r in client.get(API).json()["results"]] == [shown.slug]


def test_the_api_answers_get_only(client):
    assert client.post(API).status_code == 405


@pytest.mark.parametrize("results", [1, 20])
def test_the_api_runs_a_fixed_number_of_queries(client, reviewer, django_assert_num_queries, results):
    for _ in range(results):
        profile = listed(reviewer=reviewer, languages=("en",))
        add_location(profile, **BROOKLYN)
    cache.clear()
    search = {"near": "10001", "service": "oncology-massage", "language": "en"}
    # Besides the rings: 1 the search edition (directory/search/cache.py), 2 the
    # vocabularies the filter validates against (one UNION; kept afterwards), 3 the
    # largest travel radius (kept afterwards), 4 the page's profiles, 5 their locations,
    # 6 their verified credentials, 7 their services, languages and other links (one UNION,
    # named from the kept vocabularies, directory/search/cards.py).
    # The matches' ids and distances (at most MAX_RESULTS + 1) come from one statement per
    # ring, as far as the rows found say: 1 mile, then (20 found) 10 miles, then 25 with
    # the home-visit areas beyond.
    response, others, rings = queries_of(client, API, search)
    body = response.json()
    assert (others, rings) == (7, {1: 2, 20: 3}[results])
    assert len(body["results"]) == results
    # The same search again: the answer is cached for the edition, only the edition is read.
    with django_assert_num_queries(1):
        assert client.get(API, search).json() == body


@pytest.mark.parametrize("radius", ["3", "2.8323325", "24.9", "251"])
def test_only_the_offered_radii_are_accepted_so_a_hidden_address_cannot_be_narrowed_down(client, radius):
    response = client.get("/api/v1/therapists/", {"near": "10001", "radius": radius})
    assert response.status_code == 400
    assert "Choose one of the distances offered" in json.dumps(response.json())


def test_the_api_says_which_place_a_name_was_taken_to_mean(client):
    response = client.get("/api/v1/therapists/", {"near": "Leeds"})
    assert response.status_code == 200
    assert response.json()["place"] == "Leeds, England, United Kingdom"
