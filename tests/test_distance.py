"""Distances in SQL against hand-computed haversine distances, on SQLite and PostgreSQL alike."""

import pytest

from directory.geo.offline import haversine_miles
from directory.models import Location, Profile
from directory.search.nearest import haversine_miles_expression
from tests.factories import add_location, make_reviewer
from tests.search_helpers import BROOKLYN, CHICAGO, NEWARK, NYC_10001, PHILADELPHIA, STAMFORD, listed, published_miles

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return make_reviewer()


POINTS = [
    (0.0, 0.0),
    (40.7484, -73.9967),
    (51.5072, -0.1276),
    (-33.8688, 151.2093),
    (64.1466, -21.9426),
    (89.9, 10.0),
    (-89.9, -170.0),
    (0.0, 179.999),
    (0.0, -179.999),
]


@pytest.mark.parametrize(("latitude", "longitude"), POINTS)
def test_the_sql_distance_matches_the_hand_computed_one(reviewer, latitude, longitude):
    profile = listed(reviewer=reviewer)
    for lat, lon in POINTS:
        add_location(profile, latitude=lat, longitude=lon)
    rows = Location.objects.filter(profile=profile).annotate(miles=haversine_miles_expression(latitude, longitude))
    assert rows.count() == len(POINTS) + 1
    for row in rows:
        assert row.miles == pytest.approx(
            haversine_miles(latitude, longitude, row.published_latitude, row.published_longitude), abs=1e-6
        )


def test_a_therapist_at_the_exact_searched_point_is_at_distance_zero(reviewer):
    # With the street address shown, the published point is the exact one.
    here = listed(dict(latitude=NYC_10001[0], longitude=NYC_10001[1], show_street_address=True), reviewer=reviewer)
    results = list(Profile.objects.listed().near(*NYC_10001, 1))
    assert results == [here]
    assert results[0].distance == pytest.approx(0.0, abs=1e-9)


def test_the_same_point_never_drops_out_for_rounding(reviewer):
    # With the law of cosines, acos gets an argument a hair above 1 for these.
    for lat, lon in ((45.5202, -122.6742), (-33.8688, 151.2093), (1e-9, 1e-9)):
        profile = listed(dict(latitude=lat, longitude=lon, show_street_address=True), reviewer=reviewer)
        found = Profile.objects.listed().near(lat, lon, 1).filter(pk=profile.pk).get()
        assert found.distance == pytest.approx(0.0, abs=1e-6)


def test_results_come_nearest_first_within_the_radius(reviewer):
    places = [STAMFORD, NEWARK, BROOKLYN, PHILADELPHIA, CHICAGO]
    for place in places:
        listed(place, display_name=place["city"], reviewer=reviewer)
    radius = 40
    expected = sorted(
        (published_miles(NYC_10001, p), p["city"]) for p in places if published_miles(NYC_10001, p) <= radius
    )
    results = list(Profile.objects.listed().near(*NYC_10001, radius).order_by("distance", "id"))
    assert [p.display_name for p in results] == [city for _, city in expected] == ["Brooklyn", "Newark", "Stamford"]
    for profile, (miles, _) in zip(results, expected, strict=True):
        assert profile.distance == pytest.approx(miles, abs=1e-6)


def test_the_radius_is_a_great_circle_distance_not_the_box(reviewer):
    # A point at a corner of the bounding box is inside the box but outside the circle.
    from directory.geo.offline import bounding_box

    min_lat, max_lat, min_lon, max_lon = bounding_box(*NYC_10001, 10)
    listed(dict(latitude=max_lat - 0.001, longitude=max_lon - 0.001), display_name="Corner", reviewer=reviewer)
    listed(dict(latitude=max_lat - 0.001, longitude=NYC_10001[1]), display_name="Edge", reviewer=reviewer)
    names = [p.display_name for p in Profile.objects.listed().near(*NYC_10001, 10)]
    assert names == ["Edge"]


def test_equal_distances_are_ordered_by_id(reviewer):
    twins = [listed(NEWARK, display_name=f"Twin {n}", reviewer=reviewer) for n in range(4)]
    results = list(Profile.objects.listed().near(*NYC_10001, 25).order_by("distance", "id"))
    assert [p.pk for p in results] == sorted(p.pk for p in twins)


def test_a_profile_with_several_locations_counts_its_nearest_and_appears_once(reviewer):
    profile = listed(CHICAGO, reviewer=reviewer)
    add_location(profile, **STAMFORD)
    add_location(profile, **NEWARK)
    results = list(Profile.objects.listed().near(*NYC_10001, 50))
    assert results == [profile]
    assert results[0].distance == pytest.approx(published_miles(NYC_10001, NEWARK), abs=1e-6)


def test_a_home_visit_area_counts_up_to_its_own_radius(reviewer):
    base = listed(PHILADELPHIA, reviewer=reviewer, visits_home=True)
    miles = published_miles(NYC_10001, PHILADELPHIA)
    base.locations.update(travel_radius_miles=int(miles) + 1)
    found = Profile.objects.listed().near(*NYC_10001, 5).get()
    assert found.visits_your_area is True
    assert found.distance == pytest.approx(miles, abs=1e-6)
    base.locations.update(travel_radius_miles=int(miles) - 1)
    assert not Profile.objects.listed().near(*NYC_10001, 5).exists()


def test_a_search_across_the_180th_meridian_finds_both_sides(reviewer):
    east = listed(dict(city="Taveuni", latitude=-16.8, longitude=179.99), reviewer=reviewer)
    west = listed(dict(city="Other side", latitude=-16.8, longitude=-179.99), reviewer=reviewer)
    found = set(Profile.objects.listed().near(-16.8, 179.999, 5))
    assert found == {east, west}
