"""A search measures only from a practice's published point, so many searches
from different places cannot locate a practice more closely than that point."""

import re

import pytest

from directory.models import Location
from tests.factories import make_reviewer, save_all
from tests.search_helpers import listed

pytestmark = pytest.mark.django_db

# Two exact points about 600 m apart that round to the same published point (40.75, -73.99).
FIRST_POINT = (40.7512, -73.9921)
SECOND_POINT = (40.7461, -73.9879)

# Thirty places around New York, from 0 to about 90 miles away.
SEARCHED_FROM = [
    "10001", "10002", "10003", "10011", "10019", "10025", "10027", "10128", "10451", "10301",
    "11201", "11215", "11375", "11101", "07102", "07030", "07302", "06901", "06830", "10601",
    "10701", "11501", "11550", "08901", "08540", "07960", "10956", "11747", "12601", "19103",
]  # fmt: skip


def without_request_tokens(html: str) -> str:
    """The page without what differs on every request (the script nonce, the form token)."""
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def answers(client) -> list:
    seen = []
    for place in SEARCHED_FROM:
        for radius in ("5", "250"):
            page = client.get("/therapists/", {"near": place, "radius": radius})
            api = client.get("/api/v1/therapists/", {"near": place, "radius": radius})
            assert page.status_code == 200 and api.status_code == 200
            seen.append((place, radius, without_request_tokens(page.content.decode()), api.json()))
    return seen


def test_two_exact_points_with_one_published_point_answer_every_search_alike(client):
    profile = listed(
        dict(city="New York", region="NY", postcode="10001", latitude=FIRST_POINT[0], longitude=FIRST_POINT[1]),
        display_name="Hidden Hollis",
        reviewer=make_reviewer(),
        visits_home=True,
    )
    save_all(profile.locations, travel_radius_miles=15)
    at_first = answers(client)
    found = [api for _, _, _, api in at_first if api["count"]]
    assert len(found) >= 30, "the therapist should be found from most of the places"
    assert {result["distance_miles"] for api in found for result in api["results"]} != {0}

    save_all(profile.locations, latitude=SECOND_POINT[0], longitude=SECOND_POINT[1])
    location = Location.objects.get(profile=profile)
    assert (location.latitude, location.longitude) == SECOND_POINT
    assert (location.published_latitude, location.published_longitude) == (40.75, -73.99)
    at_second = answers(client)

    for (place, radius, page, api), (_, _, page_again, api_again) in zip(at_first, at_second, strict=True):
        assert api_again == api, f"the API told the two points apart from {place} within {radius} miles"
        assert page_again == page, f"the page told the two points apart from {place} within {radius} miles"


def test_the_exact_point_is_used_once_the_therapist_shows_the_street_address(client):
    profile = listed(
        dict(city="New York", region="NY", postcode="10001", latitude=FIRST_POINT[0], longitude=FIRST_POINT[1]),
        reviewer=make_reviewer(),
    )
    location = Location.objects.get(profile=profile)
    assert (location.published_latitude, location.published_longitude) == (40.75, -73.99)
    save_all(profile.locations, show_street_address=True)
    location.refresh_from_db()
    assert (location.published_latitude, location.published_longitude) == FIRST_POINT
    detail = client.get(f"/api/v1/therapists/{profile.slug}/").json()
    assert (detail["locations"][0]["latitude"], detail["locations"][0]["longitude"]) == FIRST_POINT
