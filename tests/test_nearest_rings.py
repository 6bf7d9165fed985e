"""The nearest therapists, found ring by ring, are exactly the rows of the plain distance query."""

from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from directory.models import Profile
from directory.search.nearest import DISTANCE_BANDS_MILES, RowTest, any_term, listed_on
from directory.search.terms import option_term, vocabulary_term
from tests.factories import add_credential, add_location, make_reviewer
from tests.search_helpers import BROOKLYN, NYC_10001, listed

pytestmark = pytest.mark.django_db

# A dense city, a suburb, a rural ZIP, an English city, the middle of the Atlantic.
POINTS = [NYC_10001, (40.9176, -74.1718), (46.4083, -105.8406), (53.7997, -1.5492), (35.0, -40.0)]


def test_on_400_synthetic_therapists_the_rings_give_the_plain_query_rows():
    """The checks below on one seeded directory (seeding it takes longer than they do)."""
    call_command("seed_demo", therapists=400, seed=7, force=True, stdout=StringIO())
    for check in (
        _rings_give_the_plain_query_rows_in_its_order,
        _rings_respect_the_other_filters,
        _rings_test_the_terms_of_the_search_rows_and_still_give_the_plain_rows,
        _a_queryset_combined_with_or_gives_the_plain_rows,
        _the_search_tests_only_what_every_search_row_of_its_matches_holds,
        _rings_started_beyond_a_distance_give_the_plain_rows_further_than_it,
    ):
        check()


def plain_rows(queryset, latitude, longitude, miles, limit):
    ordered = queryset.near(latitude, longitude, miles).order_by("distance", "id")[:limit]
    return [(p.pk, p.distance, p.visits_your_area) for p in ordered]


def assert_same_rows(found, expected):
    assert [row.pk for row in found] == [pk for pk, _, _ in expected]
    for row, (_, distance, covers) in zip(found, expected, strict=True):
        assert row.distance == pytest.approx(distance, abs=1e-9)
        assert row.visits_your_area is bool(covers)


def _rings_give_the_plain_query_rows_in_its_order():
    from directory.search.filterset import largest_travel_radius

    # The largest travel radius bounds where home-visit areas are looked for beyond the
    # radius; the synthetic therapists travel 40 miles at most.
    reach = largest_travel_radius()
    assert 0 < reach < 250
    listed_profiles = Profile.objects.listed()
    for miles in (5, 25, 100, 250):
        for limit in (1, 20, 61, 201):
            for latitude, longitude in POINTS:
                expected = plain_rows(listed_profiles, latitude, longitude, miles, limit)
                assert_same_rows(listed_profiles.nearest(latitude, longitude, miles, limit), expected)
                # As a search by place alone runs it: from the search rows alone, within the largest travel radius.
                found = listed_profiles.nearest(
                    latitude, longitude, miles, limit, tests=row_tests(), only_rows=True, home_reach=reach
                )
                assert_same_rows(found, expected)


def _rings_respect_the_other_filters():
    narrowed = Profile.objects.listed().filter(accepting_new_clients=True, visits_practice=True)
    options = (any_term([option_term("accepting_new_clients")]), any_term([option_term("visits_practice")]))
    for latitude, longitude in POINTS:
        expected = plain_rows(narrowed, latitude, longitude, 25, 201)
        found = narrowed.nearest(latitude, longitude, 25, 201)
        assert_same_rows(found, expected)
        assert all(Profile.objects.get(pk=row.pk).accepting_new_clients for row in found)
        # The same filters as terms of the search rows, with no profile opened.
        assert_same_rows(
            narrowed.nearest(latitude, longitude, 25, 201, tests=row_tests(*options), only_rows=True), expected
        )


def row_tests(*more: RowTest, **wanted) -> tuple[RowTest, ...]:
    """The search rows' tests for listed profiles with any of these vocabulary ids, per relation."""
    terms = [any_term(vocabulary_term(relation, pk) for pk in ids) for relation, ids in wanted.items()]
    return (listed_on(), *terms, *more)


def _rings_test_the_terms_of_the_search_rows_and_still_give_the_plain_rows():
    from directory.models import Language, Phase, Service

    services = list(Service.objects.order_by("pk").values_list("slug", "pk"))
    phases = list(Phase.objects.order_by("pk").values_list("slug", "pk"))
    spanish = Language.objects.get(slug="es")
    narrowed = [
        (
            Profile.objects.listed().with_any("services", [services[1][0]]),
            row_tests(services=[services[1][1]]),
        ),
        (
            Profile.objects.listed()
            .with_any("services", [slug for slug, _ in services[:3]])
            .with_any("phases", [phases[0][0]])
            .with_any("languages", ["es"]),
            row_tests(services=[pk for _, pk in services[:3]], phases=[phases[0][1]], languages=[spanish.pk]),
        ),
    ]
    for queryset, tests in narrowed:
        for latitude, longitude in POINTS:
            for miles in (10, 100):
                expected = plain_rows(queryset, latitude, longitude, miles, 201)
                found = queryset.nearest(latitude, longitude, miles, 201, tests=tests)
                assert_same_rows(found, expected)
                # The row tests are these searches' every condition: the rings need not open a profile.
                found = queryset.nearest(latitude, longitude, miles, 201, tests=tests, only_rows=True)
                assert_same_rows(found, expected)


@pytest.mark.parametrize(
    ("query", "only_rows"),
    [
        ({"near": "10001"}, True),
        ({"near": "10001", "service": "lymphedema-therapy", "language": "es", "sort": "distance"}, True),
        ({"near": "10001", "q": "lymphedema spanish"}, True),
        ({"near": "10001", "accepting": "on"}, True),
        ({"near": "10001", "gender": "woman", "accessible": "on", "sliding_scale": "on"}, True),
        ({"near": "10001", "visit": ["home", "hospital"]}, True),
        ({"near": "10001", "q": "gentle"}, False),
        ({"near": "10001", "q": "lymphedema gentle"}, False),
        ({"near": "10001", "q": "!!"}, False),
    ],
)
def test_only_a_search_for_words_as_text_opens_the_profile_rows(query, only_rows):
    from directory.search.filterset import TherapistFilter

    search = TherapistFilter(QueryDict(urlencode(query, doseq=True)), queryset=Profile.objects.listed())
    assert search.is_valid(), search.errors
    assert search.rows_hold_everything() is only_rows


def _a_queryset_combined_with_or_gives_the_plain_rows():
    from datetime import timedelta

    from directory.models import Service

    first, second = Service.objects.order_by("pk").values_list("slug", "pk")[:2]
    either = Profile.objects.listed().with_any("services", [first[0]]) | Profile.objects.listed(
        today=timezone.localdate() + timedelta(days=400)
    ).with_any("services", [second[0]])
    for latitude, longitude in POINTS:
        assert_same_rows(
            either.nearest(latitude, longitude, 100, 201), plain_rows(either, latitude, longitude, 100, 201)
        )


def test_the_rings_test_the_search_rows_and_still_the_profile_itself():
    from directory.models import SearchRow, Service

    reviewer = make_reviewer()
    profile = listed(BROOKLYN, reviewer=reviewer)
    service = profile.services.first()
    other = Service.objects.exclude(profiles=profile).first()
    wants = Profile.objects.listed().with_any("services", [service.slug])
    wants_other = Profile.objects.listed().with_any("services", [other.slug])
    wants_tests, wants_other_tests = row_tests(services=[service.pk]), row_tests(services=[other.pk])
    assert [row.pk for row in wants.nearest(*NYC_10001, 25, 10, tests=wants_tests)] == [profile.pk]
    # A row that says "no" keeps the location out: the rings read the rows.
    SearchRow.objects.filter(profile=profile).update(terms=" ")
    assert wants.nearest(*NYC_10001, 25, 10, tests=wants_tests) == []
    # A row that says "yes" lists nobody: the profile's own row is tested too.
    SearchRow.objects.filter(profile=profile).update(terms=f" {vocabulary_term('services', other.pk)} ")
    assert wants_other.nearest(*NYC_10001, 25, 10, tests=wants_other_tests) == []
    SearchRow.objects.filter(profile=profile).update(
        listed_until=timezone.localdate().replace(year=2000), terms=f" {vocabulary_term('services', service.pk)} "
    )
    assert wants.nearest(*NYC_10001, 25, 10, tests=wants_tests) == []


def _the_search_tests_only_what_every_search_row_of_its_matches_holds():
    """TherapistFilter.row_tests hold for each search row of each match, and its
    nearest-first rows are the plain query's."""
    from directory.models import SearchRow, Service
    from directory.search.filterset import TherapistFilter

    services = list(Service.objects.order_by("pk").values_list("slug", flat=True)[:3])
    searches = [
        {"near": "10001", "radius": "25"},
        {"near": "10001", "radius": "100", "service": services[:2], "language": ["es"]},
        {"near": "10001", "radius": "100", "accepting": "on", "visit": ["home", "hospital"], "gender": "woman"},
        {"near": "10001", "radius": "250", "q": f"{services[2].replace('-', ' ')} massage"},
    ]
    for parameters in searches:
        search = TherapistFilter(QueryDict(urlencode(parameters, doseq=True)), queryset=Profile.objects.listed())
        assert search.is_valid(), search.errors
        matches = search.without_place()
        tests = search.row_tests()
        assert len(tests) >= 1 + ("service" in parameters)
        condition = Q()
        for test in tests:
            condition &= test.q()
        of_matches = SearchRow.objects.filter(profile__in=matches)
        assert of_matches.exists()
        assert of_matches.filter(condition).count() == of_matches.count()
        # Where they are the whole search, no other profile's rows pass them all.
        others = SearchRow.objects.filter(condition).exclude(profile__in=matches)
        assert others.exists() is not search.rows_hold_everything()
        place = search.place
        miles = float(parameters["radius"])
        assert_same_rows(search.nearest(miles, 201), plain_rows(matches, place.latitude, place.longitude, miles, 201))


@pytest.fixture
def postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Row locks (SELECT … FOR UPDATE) exist on PostgreSQL; SQLite has one writer at a time.")


def statements_of(action) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        action()
    return [query["sql"] for query in queries.captured_queries]


def assert_profile_locked_before(statements: list[str], table: str) -> None:
    lock = next(i for i, sql in enumerate(statements) if "FOR NO KEY UPDATE" in sql and '"directory_profile"' in sql)
    write = next(i for i, sql in enumerate(statements) if sql.startswith(("UPDATE", "DELETE")) and table in sql)
    assert lock < write, statements[: write + 1]


def test_changes_to_a_location_lock_its_profile_before_writing(postgresql):
    from directory import services
    from directory.models import Location

    profile = listed(BROOKLYN, reviewer=make_reviewer())
    location = profile.locations.get()
    location.city = "Brooklyn Heights"
    assert_profile_locked_before(statements_of(location.save), '"directory_location"')
    extra = add_location(profile, latitude=40.70, longitude=-73.99)
    assert_profile_locked_before(statements_of(extra.delete), '"directory_location"')
    # Many at once, through the service.
    deleting = lambda: services.remove_locations(Location.objects.filter(profile=profile))  # noqa: E731
    assert_profile_locked_before(statements_of(deleting), '"directory_location"')


def test_changes_to_a_credential_lock_its_profile_before_writing(postgresql):
    from directory.models import Credential

    profile = listed(BROOKLYN, reviewer=make_reviewer())
    credential = profile.credentials.get(kind=Credential.Kind.ONCOLOGY_TRAINING)
    credential.issuer = "Another school"
    assert_profile_locked_before(statements_of(credential.save), '"directory_credential"')
    insurance = add_credential(profile, Credential.Kind.INSURANCE)
    assert_profile_locked_before(statements_of(insurance.delete), '"directory_credential"')


def test_renaming_a_service_in_the_admin_locks_its_profiles_before_the_edition(postgresql, rf):
    from types import SimpleNamespace

    from django.contrib import admin

    from directory.models import Service

    profile = listed(BROOKLYN, reviewer=make_reviewer())
    service = profile.services.first()
    service.name = "A renamed service"
    model_admin = admin.site._registry[Service]
    form = SimpleNamespace(changed_data=["name"])
    statements = statements_of(lambda: model_admin.save_model(rf.post("/"), service, form, change=True))
    lock = next(i for i, sql in enumerate(statements) if "FOR NO KEY UPDATE" in sql and '"directory_profile"' in sql)
    edition = next(i for i, sql in enumerate(statements) if sql.startswith('UPDATE "directory_searchedition"'))
    assert lock < edition
    profile.refresh_from_db()
    assert "renamed" in profile.search_text.lower()


def test_a_profile_with_locations_in_several_rings_appears_once_at_its_nearest():
    reviewer = make_reviewer()
    # Its first location is 3.5 miles from 10001 (the 5-mile ring), its second 0.1 mile away.
    profile = listed(BROOKLYN, reviewer=reviewer)
    add_location(profile, latitude=NYC_10001[0] + 0.0014, longitude=NYC_10001[1], show_street_address=True)
    rows = Profile.objects.listed().nearest(*NYC_10001, 25, 10)
    assert [row.pk for row in rows] == [profile.pk]
    assert rows[0].distance == pytest.approx(0.1, abs=0.01)


def test_a_home_visit_area_beyond_the_radius_comes_after_everyone_within_it():
    reviewer = make_reviewer()
    near_by = listed(BROOKLYN, reviewer=reviewer)
    # 60 miles away, travelling up to 80 miles: outside a 25-mile search, yet it covers 10001.
    visiting = listed(
        dict(city="Far", region="NY", postcode="12550", latitude=41.6, longitude=-74.0, travel_radius_miles=80),
        reviewer=reviewer,
        visits_home=True,
    )
    rows = Profile.objects.listed().nearest(*NYC_10001, 25, 10)
    assert [row.pk for row in rows] == [near_by.pk, visiting.pk]
    assert rows[1].distance > 25
    assert rows[1].visits_your_area is True
    assert rows[0].visits_your_area is False


def test_the_rings_grow_outwards_up_to_the_largest_distance_offered():
    from directory.search.filterset import RADIUS_CHOICES

    assert list(DISTANCE_BANDS_MILES) == sorted(set(DISTANCE_BANDS_MILES))
    assert DISTANCE_BANDS_MILES[-1] == max(RADIUS_CHOICES)


def test_no_limit_finds_nothing_and_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert Profile.objects.listed().nearest(*NYC_10001, 25, 0) == []


def _rings_started_beyond_a_distance_give_the_plain_rows_further_than_it():
    listed_profiles = Profile.objects.listed()
    for beyond in (5.0, 25.0):
        for latitude, longitude in POINTS:
            found = listed_profiles.nearest(latitude, longitude, 250, 61, beyond=beyond)
            further = [row for row in plain_rows(listed_profiles, latitude, longitude, 250, 2000) if row[1] > beyond]
            assert_same_rows(found, further[:61])


def test_the_next_ring_reaches_as_far_as_the_rows_found_say():
    from directory.search.nearest import MAX_RING_GROWTH, next_edge

    edges = [1, 3, 10, 25, 50, 100, 250]
    # The first ring is the nearest band, whatever the limit.
    assert next_edge(edges, -1.0, -1.0, 0, 201) == 1
    # Nothing within a mile: as far as MAX_RING_GROWTH allows, the default radius.
    assert MAX_RING_GROWTH == 25
    assert next_edge(edges[1:], -1.0, 1, 0, 201) == 25
    # 20 within a mile: 201 are expected within about 3.2 miles, so the 10-mile edge.
    assert next_edge(edges[1:], -1.0, 1, 20, 201) == 10
    # 100 within a mile: about 1.4 miles needed, so the 3-mile edge.
    assert next_edge(edges[1:], -1.0, 1, 100, 201) == 3
    # 2 within a mile: about 10.02 miles needed, so the 25-mile edge.
    assert next_edge(edges[1:], -1.0, 1, 2, 201) == 25
    # 20 within 10 miles: about 32 miles needed, the 50-mile edge.
    assert next_edge(edges[3:], -1.0, 10, 20, 201) == 50
    # Started beyond a distance (nothing nearer can match): the next band first.
    assert next_edge([50, 100, 250], 25, 25, 0, 3) == 50
    # 2 found within 50 miles, 3 wanted: about 61 miles needed, the 100-mile edge.
    assert next_edge([100, 250], 25, 50, 2, 3) == 100


def test_a_longer_travel_radius_is_seen_by_the_next_search():
    from directory import services
    from directory.search.filterset import largest_travel_radius

    reviewer = make_reviewer()
    profile = listed(BROOKLYN, display_name="Travelling Tam", reviewer=reviewer, visits_home=True)
    location = profile.locations.get()
    location.travel_radius_miles = 60
    services.save_location(location=location)
    assert largest_travel_radius() == 60
    location.travel_radius_miles = 120
    services.save_location(location=location)  # a new search edition
    assert largest_travel_radius() == 120


def test_a_vocabulary_of_any_size_is_searched_from_the_search_rows(client):
    from directory import services
    from directory.models import Language
    from directory.search.filterset import TherapistFilter

    reviewer = make_reviewer()
    speaker = listed(display_name="Zed Speaker", reviewer=reviewer, languages=("en",))
    listed(display_name="Other Person", reviewer=reviewer, languages=("en",))
    # Ids far past any bit of a 64-bit integer, and one a prefix of the other.
    far = Language.objects.create(pk=1005, name="Zz Test language", slug="zz-test", code="x-zz", position=99)
    Language.objects.create(pk=100, name="Yy Test language", slug="yy-test", code="x-yy", position=98)
    speaker.languages.add(far)
    services.listing_changed(speaker)
    search = TherapistFilter(QueryDict("near=10001&language=zz-test"), queryset=Profile.objects.listed())
    assert search.is_valid(), search.errors
    assert search.rows_hold_everything() is True
    html = client.get("/therapists/", {"near": "10001", "language": "zz-test"}).content.decode()
    assert "Zed Speaker" in html and "Other Person" not in html
    html = client.get("/therapists/", {"near": "10001", "language": "yy-test"}).content.decode()
    assert "Zed Speaker" not in html and "Other Person" not in html
