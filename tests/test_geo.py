"""The offline geocoder, great-circle distances and the GEOCODER setting.

No database: these tests read only the package data, loaded once per test process.
"""

import gc
import math

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from directory.geo import offline as geo
from directory.geo.offline import (
    GeocodeResult,
    OfflineGeocoder,
    Place,
    bounding_box,
    geocode,
    get_geocoder,
    haversine_miles,
    public_coordinates,
)

offline = OfflineGeocoder()


def found(query: str) -> Place:
    result = offline.geocode(query)
    assert result.found, (query, result)
    assert result.place is not None
    return result.place


def labels(result: GeocodeResult) -> list[str]:
    return [place.label for place in result.places]


# --- US ZIP codes -------------------------------------------------------------------------


def test_zip_10001_is_new_york():
    place = found("10001")
    assert place.label == "New York, NY 10001, United States"
    assert (place.city, place.region, place.postcode, place.country) == ("New York", "NY", "10001", "US")
    assert place.latitude == pytest.approx(40.75, abs=0.01)
    assert place.longitude == pytest.approx(-74.00, abs=0.01)


def test_zip_plus_four_is_placed_at_its_zip():
    place = found(" 10001-1234 ")
    assert place.postcode == "10001"
    assert place.latitude == pytest.approx(40.75, abs=0.01)


def test_zip_in_a_us_address_is_used():
    assert found("New York, NY 10001, United States").postcode == "10001"
    assert found("1 Main St, Boston, MA 02116").postcode == "02116"


def test_five_digits_after_a_town_abroad_are_not_taken_for_a_us_zip():
    # 75001 is Addison, TX, and a Paris postcode.
    result = offline.geocode("Paris 75001")
    assert not any(place.country == "US" for place in result.places)


def test_military_zip_without_coordinates_is_not_found_and_says_why():
    result = offline.geocode("09001")
    assert not result.found and not result.places
    assert "no location on file" in result.message
    assert "nearby ZIP" in result.message


def test_zip_that_does_not_exist_is_not_found():
    result = offline.geocode("00000")
    assert not result.places
    assert "00000" in result.message


@pytest.mark.parametrize("query", ["1234", "123456", "10001-12", "1000 1", "10001--1234", "-"])
def test_malformed_zip_is_not_found_with_a_message(query):
    result = offline.geocode(query)
    assert not result.places
    assert "five digits" in result.message or "could not find" in result.message


def test_a_value_error_from_the_zip_package_never_escapes(monkeypatch):
    def refuse(zip_code, zips=None):
        raise ValueError("Invalid format")

    monkeypatch.setattr(geo.zipcodes, "matching", refuse)
    # Not the answer kept from another test, nor this one kept for the next.
    geo._kept_answer.cache_clear()
    try:
        result = offline.geocode("10001")
    finally:
        geo._kept_answer.cache_clear()
    assert not result.places
    assert result.message


# --- town names ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Brooklyn, NY", "brooklyn, new york", "Brooklyn NY", "BROOKLYN,NY"])
def test_brooklyn_ny_is_found_in_new_york_state(query):
    place = found(query)
    assert (place.city, place.region, place.country) == ("Brooklyn", "NY", "US")
    assert place.label == "Brooklyn, NY, United States"
    assert place.postcode == ""
    assert 40.5 < place.latitude < 40.8


def test_leeds_alone_is_leeds_in_england():
    place = found("Leeds")
    assert place.country == "GB"
    assert place.label == "Leeds, England, United Kingdom"
    assert place.region == "England"


@pytest.mark.parametrize(
    "query",
    ["Leeds, UK", "Leeds, United Kingdom", "Leeds, England", "Leeds, GB", "leeds, great britain", "Leeds UK"],
)
def test_leeds_with_its_country_is_found(query):
    assert found(query).country == "GB"


@pytest.mark.parametrize("query", ["Toronto, Canada", "Toronto", "Toronto, ON", "Toronto, Ontario, CA"])
def test_toronto_is_found_in_canada(query):
    place = found(query)
    assert (place.city, place.country) == ("Toronto", "CA")
    assert place.label == "Toronto, ON, Canada"


def test_paris_france_is_found():
    assert found("Paris, France").country == "FR"


def test_portland_alone_is_ambiguous_between_oregon_and_maine():
    result = offline.geocode("Portland")
    assert result.ambiguous and not result.found
    assert result.place is None
    assert labels(result)[:2] == ["Portland, OR, United States", "Portland, ME, United States"]
    assert len(result.places) <= 10
    assert "Portland" in result.message and "Portland, OR" in result.message


@pytest.mark.parametrize(
    "query",
    [
        "Portland, OR",
        "Portland, Oregon",
        "portland oregon",
        "Portland, OR, United States",
        "Portland, OR, USA",
    ],
)
def test_portland_with_its_state_is_found_in_oregon(query):
    place = found(query)
    assert (place.region, place.country) == ("OR", "US")
    assert place.label == "Portland, OR, United States"


def test_brooklyn_alone_is_ambiguous_although_brooklyn_ny_is_by_far_the_biggest():
    # Brooklyn is part of New York City: its namesakes are real alternatives.
    result = offline.geocode("Brooklyn")
    assert result.ambiguous
    assert "Brooklyn, NY, United States" in labels(result)
    assert "Brooklyn, OH, United States" in labels(result)


@pytest.mark.parametrize("query", ["Portland", "Brooklyn", "Springfield", "Salem, AR", "Montréal, France"])
def test_choices_have_distinct_labels_that_lead_back_to_the_same_place(query):
    choices = offline.geocode(query).places
    assert len(choices) > 1
    assert len({place.label for place in choices}) == len(choices)
    for place in choices:
        assert found(place.label) == place


def test_same_named_towns_in_one_state_are_told_apart_by_county():
    assert sorted(labels(offline.geocode("Salem, AR"))) == [
        "Salem, AR, United States (Fulton County)",
        "Salem, AR, United States (Saline County)",
    ]


def test_a_qualifier_that_names_two_places_is_not_decided_by_size():
    # CA is California and Canada: London, Ontario must not hide London, California.
    assert sorted(labels(offline.geocode("London, CA"))) == [
        "London, CA, United States",
        "London, ON, Canada",
    ]


def test_an_unknown_qualifier_offers_every_place_of_that_name():
    assert len(offline.geocode("Leeds, Kent").places) > 1


def test_a_small_us_town_missing_from_geonames_is_found_from_zip_data():
    place = found("Seal Harbor, ME")
    assert (place.region, place.country) == ("ME", "US")
    assert 44 < place.latitude < 45


def test_bar_harbor_maine_is_found():
    assert found("Bar Harbor, ME").region == "ME"


def test_names_match_without_accents_case_or_abbreviations():
    assert found("KOLN").city == "Köln"
    assert found("montreal, quebec").country == "CA"
    assert found("St. Paul, MN") == found("Saint Paul, Minnesota")


def test_an_alternate_name_of_a_big_city_is_found():
    assert found("Muenchen").city == "Munich"


def test_a_street_address_finds_its_town():
    assert found("10 Downing Street, London, UK").label == "London, England, United Kingdom"
    assert found("1 Main Street, Portland, OR").label == "Portland, OR, United States"


# --- not found ----------------------------------------------------------------------------


def test_unknown_text_is_not_found_with_a_suggestion():
    result = offline.geocode("zzzz")
    assert not result.found and not result.ambiguous and result.place is None
    assert '"zzzz"' in result.message
    assert "10001" in result.message
    assert "Portland, OR" in result.message


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_an_empty_query_asks_for_a_place(query):
    result = offline.geocode(query)
    assert not result.places
    assert result.message.startswith("Please type a place")


@pytest.mark.parametrize("query", ["LS1 4AP", "ls14ap", "SW1A 1AA", "M5V 3L9", "LS1"])
def test_uk_and_canadian_postcodes_are_not_found_and_suggest_the_town_name(query):
    result = offline.geocode(query)
    assert not result.places
    assert "online lookup" in result.message
    assert "town name" in result.message


def test_a_postcode_with_its_town_finds_the_town():
    assert found("Leeds LS1 4AP").country == "GB"


def test_a_town_in_the_wrong_country_is_not_found():
    assert not offline.geocode("Leeds, France").places


def test_the_query_is_capped_at_200_characters():
    result = offline.geocode("Leeds " * 100)
    assert len(result.query) <= 200
    assert not result.found


@hypothesis_settings(deadline=None, max_examples=200, derandomize=True)
@given(
    st.one_of(
        st.text(max_size=300),
        st.from_regex(r"[0-9A-Za-z ,.\-()']{0,40}", fullmatch=True),
        st.text(alphabet=st.characters(categories=["P", "S", "Z", "C"]), max_size=50),
    )
)
def test_any_text_gives_an_answer_and_never_raises(query):
    result = offline.geocode(query)
    assert isinstance(result, GeocodeResult)
    assert len(result.query) <= 200
    assert result.found == (result.place is not None)
    assert result.places or result.message
    assert len(result.places) <= 10


# --- distances ----------------------------------------------------------------------------

NEW_YORK = (40.7128, -74.0060)
LOS_ANGELES = (34.0522, -118.2437)


def test_haversine_new_york_to_los_angeles_is_about_2445_miles():
    assert haversine_miles(*NEW_YORK, *LOS_ANGELES) == pytest.approx(2445, abs=10)
    assert haversine_miles(*LOS_ANGELES, *NEW_YORK) == haversine_miles(*NEW_YORK, *LOS_ANGELES)


def test_haversine_of_a_point_to_itself_is_zero():
    assert haversine_miles(*NEW_YORK, *NEW_YORK) == 0.0


def test_haversine_of_antipodes_is_half_the_circumference():
    assert haversine_miles(0, 0, 0, 180) == pytest.approx(math.pi * geo.EARTH_RADIUS_MILES)


def destination(lat: float, lon: float, miles: float, bearing_degrees: float) -> tuple[float, float]:
    """The point `miles` away from (lat, lon) on the given bearing, on the same sphere."""
    angle = miles / geo.EARTH_RADIUS_MILES
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing_degrees)
    phi2 = math.asin(math.sin(phi) * math.cos(angle) + math.cos(phi) * math.sin(angle) * math.cos(theta))
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(angle) * math.cos(phi), math.cos(angle) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


@pytest.mark.parametrize(
    ("lat", "lon", "miles"),
    [
        (40.75, -74.0, 25),
        (53.8, -1.55, 100),
        (70.0, 20.0, 300),
        (89.5, 0.0, 50),
        (-89.9, 45.0, 10),
        (0.0, 179.9, 25),
    ],
)
def test_bounding_box_holds_every_point_at_the_radius(lat, lon, miles):
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, miles)
    assert -90 <= min_lat <= lat <= max_lat <= 90
    for bearing in range(0, 360, 5):
        point_lat, point_lon = destination(lat, lon, miles * 0.999, bearing)
        assert haversine_miles(lat, lon, point_lat, point_lon) == pytest.approx(miles * 0.999)
        assert min_lat <= point_lat <= max_lat, bearing
        assert min_lon <= point_lon <= max_lon, bearing


def test_bounding_box_is_tight_away_from_poles_and_antimeridian():
    min_lat, max_lat, min_lon, max_lon = bounding_box(40.75, -74.0, 25)
    assert max_lat - min_lat == pytest.approx(2 * 25 / 69.09, rel=0.01)
    assert -75 < min_lon < max_lon < -73


def test_bounding_box_reaching_a_pole_or_crossing_the_antimeridian_takes_every_longitude():
    assert bounding_box(89.9, 10.0, 50) == (pytest.approx(89.9 - 50 / 69.09, rel=1e-3), 90.0, -180.0, 180.0)
    assert bounding_box(-89.9, 10.0, 50)[::3] == (-90.0, 180.0)
    assert bounding_box(10.0, -179.9, 50)[2:] == (-180.0, 180.0)


def test_public_coordinates_are_rounded_to_about_a_kilometre():
    assert public_coordinates(40.748417, -73.996705) == (40.75, -74.0)


# --- choosing the geocoder ----------------------------------------------------------------

FAKE_PLACE = Place("Testville, TS, Nowhere", 1.0, 2.0, "Testville", "TS", "", "XX")


class FakeGeocoder:
    def geocode(self, query: str) -> GeocodeResult:
        return GeocodeResult(query=query, places=(FAKE_PLACE,))


def test_get_geocoder_uses_the_class_named_in_the_setting(settings):
    settings.GEOCODER = "tests.test_geo.FakeGeocoder"
    assert isinstance(get_geocoder(), FakeGeocoder)
    assert geocode("anywhere").place == FAKE_PLACE


def test_get_geocoder_is_offline_by_default_and_made_once(settings):
    settings.GEOCODER = "directory.geo.offline.OfflineGeocoder"
    first = get_geocoder()
    assert isinstance(first, OfflineGeocoder)
    assert get_geocoder() is first
    get_geocoder.cache_clear()
    assert get_geocoder() is not first


def test_offline_data_is_loaded_once_per_process():
    OfflineGeocoder.warm_up()
    assert OfflineGeocoder.warm_up() == 0.0


def test_the_loaded_towns_are_not_tracked_by_the_garbage_collector():
    # 300,000 tracked towns would add a fifth of a second to every full collection.
    OfflineGeocoder.warm_up()
    gc.collect()
    towns = geo._geo_data().by_name[geo._name_key("Portland")]
    assert not gc.is_tracked(towns)
    assert not gc.is_tracked(towns[0])


def test_the_answer_to_a_query_is_kept_for_the_next_search():
    assert offline.geocode("Leeds, UK") is offline.geocode("Leeds, UK")
