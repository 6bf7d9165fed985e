"""Places and therapists for the search tests, with distances computed by hand (geo.haversine_miles)."""

from directory.geo.offline import haversine_miles, public_coordinates
from directory.listing import refresh_once
from directory.models import Language, Phase
from tests.factories import make_listed_profile

# ZIP 10001 as the offline geocoder knows it.
NYC_10001 = (40.7484, -73.9967)
BROOKLYN = dict(city="Brooklyn", region="NY", postcode="11201", latitude=40.6936, longitude=-73.9897)
NEWARK = dict(city="Newark", region="NJ", postcode="07102", latitude=40.7357, longitude=-74.1724)
STAMFORD = dict(city="Stamford", region="CT", postcode="06901", latitude=41.0534, longitude=-73.5387)
PHILADELPHIA = dict(city="Philadelphia", region="PA", postcode="19103", latitude=39.9526, longitude=-75.1652)
CHICAGO = dict(city="Chicago", region="IL", postcode="60601", latitude=41.8858, longitude=-87.6181)


def miles_from_10001(location: dict) -> float:
    """Miles from ZIP 10001 to where a search measures: the location's published (rounded) point."""
    return published_miles(NYC_10001, location)


def published_miles(point: tuple[float, float], location: dict) -> float:
    return haversine_miles(*point, *public_coordinates(location["latitude"], location["longitude"]))


def listed(location: dict | None = None, *, languages=(), phases=(), **fields):
    """A listed therapist at ``location`` (New York 10001 by default)."""
    with refresh_once():
        profile = make_listed_profile(location=location, **fields)
        if languages:
            profile.languages.set(Language.objects.filter(code__in=languages))
        if phases:
            profile.phases.set(Phase.objects.filter(slug__in=phases))
    return profile


# Each statement of the nearest-first rings orders by this (directory/search/nearest.py).
RING_MARK = "ORDER BY near.distance"


def queries_of(client, path: str, params: dict | None = None):
    """A GET's response, the number of its queries outside the nearest-first rings,
    and the number of ring statements (how many depends on how far it had to look)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
    rings = sum(RING_MARK in query["sql"] for query in captured.captured_queries)
    return response, len(captured) - rings, rings


def expected_search_rows(profiles=None) -> dict:
    """The search rows the domain tables call for, worked out here from the profiles, their
    links and locations (not by directory/search/rows.py): location id -> row values."""
    from directory.models import Profile
    from directory.search.terms import OPTION_TERMS, gender_term, option_term, vocabulary_term

    profiles = Profile.objects.all() if profiles is None else profiles
    expected = {}
    for profile in profiles.filter(listed_until__isnull=False).prefetch_related(
        "locations", "services", "phases", "care_settings", "cancer_types", "languages"
    ):
        terms = {
            vocabulary_term(relation, entry.pk)
            for relation in ("services", "phases", "care_settings", "cancer_types", "languages")
            for entry in getattr(profile, relation).all()
        }
        terms |= {option_term(field) for field in OPTION_TERMS if getattr(profile, field)}
        if profile.gender:
            terms.add(gender_term(profile.gender))
        for location in profile.locations.all():
            expected[location.pk] = (
                profile.pk,
                location.published_latitude,
                location.published_longitude,
                profile.listed_until,
                location.travel_radius_miles if profile.visits_home else None,
                terms,
            )
    return expected


def stored_search_rows(profiles=None) -> dict:
    from directory.models import SearchRow
    from directory.search.terms import term_bits

    rows = SearchRow.objects.all() if profiles is None else SearchRow.objects.filter(profile__in=profiles)
    stored = {}
    for row in rows:
        assert row.terms.startswith(" ") and row.terms.endswith(" "), row.terms
        assert row.term_bits == term_bits(row.terms.split()), row.terms
        stored[row.location_id] = (
            row.profile_id,
            row.published_latitude,
            row.published_longitude,
            row.listed_until,
            row.home_radius_miles,
            set(row.terms.split()),
        )
    return stored


def assert_search_rows_match(profiles=None) -> None:
    """One search row per location of each profile with a stored listing, holding what its
    profile, links and location say, and no other row."""
    assert stored_search_rows(profiles) == expected_search_rows(profiles)
