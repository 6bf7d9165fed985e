"""Read logic for profiles, as chainable QuerySet methods."""

import math
from datetime import date
from typing import NamedTuple

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Exists, F, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt
from django.utils import timezone

from directory.geo.offline import EARTH_RADIUS_MILES, bounding_box
from directory.search.terms import term_bits, term_text

# A home-visit area counts up to this many miles from its base, whatever
# travel radius the therapist typed: it bounds the box the index searches.
MAX_TRAVEL_RADIUS_MILES = 250
# The nearest therapists are looked for in rings of these outer radii, nearest
# ring first; a ring is searched only when the nearer ones did not give enough
# rows, so a dense city costs about the same at any size of directory.
DISTANCE_BANDS_MILES = (1, 3, 10, 25, 50, 100, 250)


def haversine_miles_expression(latitude: float, longitude: float, prefix: str = "") -> models.Expression:
    """Great-circle distance in miles from a point to a location's published point, in SQL.

    Haversine rather than the law of cosines: near-identical points give an
    argument a hair above 1 to ``acos`` (an error on PostgreSQL, NULL on
    SQLite). The argument of ``asin`` is clamped to 1 for the same reason.
    The same functions exist on SQLite and PostgreSQL, so both agree.
    """
    row_lat = Radians(F(f"{prefix}published_latitude"))
    row_lon = Radians(F(f"{prefix}published_longitude"))
    lat, lon = math.radians(latitude), math.radians(longitude)
    half_dlat = (row_lat - Value(lat)) / Value(2.0)
    half_dlon = (row_lon - Value(lon)) / Value(2.0)
    a = Power(Sin(half_dlat), 2) + Value(math.cos(lat)) * Cos(row_lat) * Power(Sin(half_dlon), 2)
    return models.ExpressionWrapper(
        Value(2.0 * EARTH_RADIUS_MILES) * ASin(Sqrt(Least(Value(1.0), a))), output_field=FloatField()
    )


def in_box_q(latitude: float, longitude: float, miles: float) -> Q:
    """Locations whose published point lies in the bounding box around a point (uses the coordinate index)."""
    min_latitude, max_latitude, min_longitude, max_longitude = bounding_box(latitude, longitude, miles)
    return Q(
        published_latitude__gte=min_latitude,
        published_latitude__lte=max_latitude,
        published_longitude__gte=min_longitude,
        published_longitude__lte=max_longitude,
    )


class ResultRow(NamedTuple):
    """One match of a search: the profile's id, and with a place its distance and home-visit cover."""

    pk: int
    distance: float | None = None
    visits_your_area: bool = False


class RowTest(NamedTuple):
    """A test on a search row (directory/search/rows.py): ``listed_until`` on or after a day
    (a date), or ``terms`` holding any of some terms (a tuple).

    Every search row of a profile holds the same listing day and terms, so the
    rings test them on the rows they read from the index, and a search whose
    every condition is such a test opens no profile row (``only_rows``).
    """

    field: str
    value: object

    def q(self) -> Q:
        """The same test as a filter on search rows."""
        if self.field == "listed_until":
            return Q(listed_until__gte=self.value)
        either = Q(pk__in=[])
        for term in self.value:
            either |= Q(terms__contains=term_text(term))
        return either


def listed_on(today: date | None = None) -> RowTest:
    """Listed on ``today``: the stored listing rule's last day is not before it."""
    return RowTest("listed_until", today or timezone.localdate())


def any_term(terms) -> RowTest:
    """Holding any of these terms (none: nothing matches)."""
    return RowTest("terms", tuple(terms))


class Dialect(NamedTuple):
    """The SQL that differs between the two databases, for the hand-written rings below."""

    least: str  # the smaller of two values
    keep_apart: str  # added to a subquery, keeps the planner from merging it into the query around it
    position: str  # where a string first occurs in another (0: nowhere): a plain substring search


def dialect(connection) -> Dialect:
    """The one place where the search writes SQL that depends on the database (SQLite or PostgreSQL).

    Everything else in the rings is standard SQL with the same meaning on both.
    The nearest-first equivalence tests (tests/test_nearest_rings.py) run on both.
    """
    if connection.vendor == "postgresql":
        return Dialect(least="LEAST", keep_apart="OFFSET 0", position="STRPOS")
    return Dialect(least="MIN", keep_apart="LIMIT -1 OFFSET 0", position="INSTR")


def _home_areas_covering(latitude: float, longitude: float) -> models.QuerySet:
    """Locations with a home-visit area that covers the point (within the travel radius, at most 250 miles)."""
    Location = apps.get_model("directory", "Location")
    travel_radius = Least(F("travel_radius_miles"), Value(MAX_TRAVEL_RADIUS_MILES))
    return (
        Location.objects.filter(travel_radius_miles__isnull=False, profile__visits_home=True)
        .filter(in_box_q(latitude, longitude, MAX_TRAVEL_RADIUS_MILES))
        .annotate(distance=haversine_miles_expression(latitude, longitude))
        .filter(distance__lte=travel_radius)
    )


# The alias of the search row whose profile a ring tests against the QuerySet.
CANDIDATE = "candidate"


class _Rings:
    """The SQL of ProfileQuerySet.nearest: one SELECT per ring, run nearest ring first.

    Hand-written because it is the hot path of every search with a place: the
    rings read the search rows (one per location of a listed profile) in a box
    from one index, test them (``RowTest``), and only when the search has
    conditions the rows do not hold, test the QuerySet's own conditions, compiled
    once (an ordinary filter on the primary key against the candidate row,
    ``RawSQL``). What differs between the databases comes from ``dialect()``.
    """

    def __init__(
        self, queryset: models.QuerySet, latitude: float, longitude: float, tests, only_rows: bool, home_reach: float
    ):
        connection = connections[queryset.db]
        SearchRow = apps.get_model("directory", "SearchRow")
        self.rows_table = connection.ops.quote_name(SearchRow._meta.db_table)
        self.dialect = dialect(connection)
        self.latitude, self.longitude = latitude, longitude
        # No home-visit area reaches further than this from its base.
        self.home_reach = min(home_reach, MAX_TRAVEL_RADIUS_MILES)
        lat = math.radians(latitude)
        self.point = (lat, math.cos(lat), math.radians(longitude))
        # The profile conditions (listed, filters, words) for the profile of the
        # candidate search row, compiled once: an EXISTS per candidate. Left out
        # when the row tests hold all of them (only_rows).
        if queryset.query.is_sliced or queryset.query.distinct:
            raise ValueError("nearest() needs an unsliced, non-distinct QuerySet.")
        if only_rows:
            self.matches: tuple[str, list] = ("1 = 1", [])
        else:
            # A fixed column reference, no input in it.
            candidate_profile = RawSQL(f"{CANDIDATE}.profile_id", ())  # noqa: S611
            of_candidate = queryset.order_by().filter(pk=candidate_profile).values("pk")
            sql, params = of_candidate.query.sql_with_params()
            self.matches = (f"EXISTS ({sql})", list(params))
        # The terms' Bloom filter first, for every test: the text is read only for the rows it lets through.
        tests = list(tests)
        self.tests = [self.bits_test(test) for test in tests if test.field == "terms"]
        self.tests += [self.row_test(test, connection) for test in tests]

    @staticmethod
    def bits_test(test: RowTest) -> tuple[str, list]:
        """A row that may hold any of the test's terms (directory/search/terms.py): an integer test."""
        return "({alias}.term_bits & %s) <> 0", [term_bits(test.value)]

    def row_test(self, test: RowTest, connection) -> tuple[str, list]:
        """A RowTest as SQL on the row aliased "{alias}": a term is found by a plain
        substring search (the same rows as ``terms LIKE '% term %'``, at less cost)."""
        if test.field == "listed_until":
            return "{alias}.listed_until >= %s", [connection.ops.adapt_datefield_value(test.value)]
        if not test.value:
            return "1 = 0", []
        sql = " OR ".join(f"{self.dialect.position}({{alias}}.terms, %s) > 0" for _ in test.value)
        return f"({sql})", [term_text(term) for term in test.value]

    def in_box(self, alias: str, miles: float) -> tuple[str, list]:
        """Search rows in the box around the point that pass the row tests: read from one index."""
        sql = (
            f"{alias}.published_latitude >= %s AND {alias}.published_latitude <= %s"
            f" AND {alias}.published_longitude >= %s AND {alias}.published_longitude <= %s"
            + "".join(f" AND {test.format(alias=alias)}" for test, _ in self.tests)
        )
        box = bounding_box(self.latitude, self.longitude, miles)
        return sql, [*box, *(value for _, params in self.tests for value in params)]

    def distance(self, alias: str) -> tuple[str, list]:
        """Haversine miles from the point to a search row's published point, as in haversine_miles_expression."""
        lat, cos_lat, lon = self.point
        row_lat, row_lon = f"RADIANS({alias}.published_latitude)", f"RADIANS({alias}.published_longitude)"
        sql = (
            f"(%s * ASIN(SQRT({self.dialect.least}(1.0, POWER(SIN(({row_lat} - %s) / 2.0), 2)"
            f" + %s * COS({row_lat}) * POWER(SIN(({row_lon} - %s) / 2.0), 2)))))"
        )
        return sql, [2.0 * EARTH_RADIUS_MILES, lat, cos_lat, lon]

    def locations_between(self, inner: float, outer: float) -> tuple[str, list]:
        """Profile ids with a location more than ``inner`` and at most ``outer`` miles away.

        A profile whose nearest location lies in that ring has that location
        there, so it is among them; the coordinate index reads the box.
        """
        distance, distance_params = self.distance("b")
        in_box, in_box_params = self.in_box("b", outer)
        matches, matches_params = self.matches
        # The box as a subquery the planner keeps apart, so each distance is computed once.
        sql = (
            f"SELECT {CANDIDATE}.profile_id FROM (SELECT b.profile_id, {distance} AS miles FROM {self.rows_table} b"
            f" WHERE {in_box} {self.dialect.keep_apart}) {CANDIDATE}"
            f" WHERE {CANDIDATE}.miles <= %s AND {CANDIDATE}.miles > %s AND {matches}"
        )
        return sql, [*distance_params, *in_box_params, outer, inner, *matches_params]

    def covering(self, alias: str) -> tuple[str, list]:
        """The condition that a search row is a home-visit area covering the point."""
        distance, distance_params = self.distance(alias)
        least = self.dialect.least
        sql = f"{alias}.home_radius_miles IS NOT NULL AND {distance} <= {least}({alias}.home_radius_miles, %s)"
        return sql, [*distance_params, MAX_TRAVEL_RADIUS_MILES]

    def home_areas_covering(self, beyond: float) -> tuple[str, list]:
        """Profile ids (of therapists who visit homes) with a home-visit area covering the point
        from more than ``beyond`` miles away (nearer ones are in the rings within the radius)."""
        h = CANDIDATE
        covering, covering_params = self.covering(h)
        distance, distance_params = self.distance(h)
        in_box, in_box_params = self.in_box(h, self.home_reach)
        matches, matches_params = self.matches
        sql = (
            f"SELECT {h}.profile_id FROM {self.rows_table} {h}"
            f" WHERE {in_box} AND {distance} > %s AND {covering} AND {matches}"
        )
        return sql, [*in_box_params, *distance_params, beyond, *covering_params, *matches_params]

    def ring(self, inner: float, outer: float, candidates: tuple[str, list]) -> tuple[str, list]:
        """One ring: candidates (matching profiles) whose nearest location lies in (inner, outer], nearest first."""
        candidates_sql, candidates_params = candidates
        distance, distance_params = self.distance("l")
        covering, covering_params = self.covering("c")
        sql = (
            "SELECT near.profile_id, near.distance, "
            f"(EXISTS (SELECT 1 FROM {self.rows_table} c"
            f" WHERE c.profile_id = near.profile_id AND {covering})) AS covers"
            f" FROM (SELECT l.profile_id, MIN({distance}) AS distance FROM {self.rows_table} l"
            f" WHERE l.profile_id IN ({candidates_sql}) GROUP BY l.profile_id) near"
            " WHERE near.distance > %s AND near.distance <= %s"
            " ORDER BY near.distance, near.profile_id"
        )
        return sql, [*covering_params, *distance_params, *candidates_params, inner, outer]

    def disc_ring(self, inner: float, outer: float) -> tuple[str, list]:
        """Matching profiles whose nearest location lies in (inner, outer], nearest first.

        Every location within ``outer`` miles lies in the box, and every location
        of a profile holds the same listing day and terms, so a profile's nearest location is
        among the box's rows when it is within ``outer``: the distances come from
        those rows, read once from the coordinate index.
        """
        distance, distance_params = self.distance("b")
        in_box, in_box_params = self.in_box("b", outer)
        matches, matches_params = self.matches
        covering, covering_params = self.covering("c")
        sql = (
            "SELECT near.profile_id, near.distance, "
            f"(EXISTS (SELECT 1 FROM {self.rows_table} c"
            f" WHERE c.profile_id = near.profile_id AND {covering})) AS covers"
            f" FROM (SELECT {CANDIDATE}.profile_id, MIN({CANDIDATE}.miles) AS distance"
            f" FROM (SELECT b.profile_id, {distance} AS miles FROM {self.rows_table} b"
            f" WHERE {in_box} {self.dialect.keep_apart}) {CANDIDATE}"
            f" WHERE {CANDIDATE}.miles <= %s AND {matches} GROUP BY {CANDIDATE}.profile_id) near"
            " WHERE near.distance > %s ORDER BY near.distance, near.profile_id"
        )
        return sql, [*covering_params, *distance_params, *in_box_params, outer, *matches_params, inner]

    def last_ring(self, inner: float, miles: float) -> tuple[str, list]:
        """The ring out to the radius, and beyond it the home-visit areas that cover the point,
        in one statement: their candidates together, nearest first. A home-visit area
        reaches at most ``home_reach`` from its base: within the radius, its base is in the
        rings."""
        if miles >= self.home_reach:
            return self.disc_ring(inner, miles)
        within, within_params = self.locations_between(inner, miles)
        covering, covering_params = self.home_areas_covering(miles)
        candidates = (f"{within} UNION ALL {covering}", [*within_params, *covering_params])
        return self.ring(inner, self.home_reach, candidates)

    def rows(self, cursor, limit: int, miles: float, beyond: float) -> list[tuple]:
        """Ring by ring from ``beyond`` out to ``miles`` (and the home-visit areas beyond),
        until ``limit`` rows: an outer ring is searched only when the inner ones gave fewer.
        After the first ring, the rows found so far say how far the next must reach
        (``next_edge``), so a sparse search skips the rings that could not give enough."""
        edges = [band for band in DISTANCE_BANDS_MILES if beyond < band < miles] + [miles]
        rows: list[tuple] = []
        inner = beyond
        while len(rows) < limit:
            outer = next_edge(edges, beyond, inner, len(rows), limit)
            edges = [edge for edge in edges if edge > outer]
            sql, params = self.disc_ring(inner, outer) if edges else self.last_ring(inner, outer)
            cursor.execute(f"{sql} LIMIT %s", [*params, limit - len(rows)])
            rows.extend(cursor.fetchall())
            if not edges:
                break
            inner = outer
        return rows


# How much further than the rings searched so far the next ring may reach, at most:
# from the first ring (1 mile) to the default radius (25 miles) in one step.
MAX_RING_GROWTH = 25


def next_edge(edges: list[float], start: float, searched: float, found: int, limit: int) -> float:
    """The outer edge of the next ring, one of ``edges`` (ascending; the last is the radius).

    The first ring is the nearest band. After it, ``found`` rows within ``searched``
    miles give the density: the next ring reaches the first edge at which, at that
    density, ``limit`` rows are to be expected (a ring that falls short costs a
    statement more than one that reaches a little further), but never more than
    MAX_RING_GROWTH times as far as the rings so far. The rings stay contiguous,
    so the rows are the same whichever edges are chosen; only the number of
    statements changes.
    """
    if searched <= max(start, 0.0):
        return edges[0]
    reach = searched * math.sqrt(limit / found) if found else math.inf
    allowed = [edge for edge in edges if edge <= searched * MAX_RING_GROWTH] or edges[:1]
    return next((edge for edge in allowed if edge >= reach), allowed[-1])


class ProfileQuerySet(models.QuerySet):
    def listed(self, today: date | None = None) -> "ProfileQuerySet":
        """Profiles patients may see: the listing rule, as stored by
        listing.refresh_listing and compared with today's date here."""
        return self.filter(listed_until__gte=today or timezone.localdate())

    def near(self, latitude: float, longitude: float, miles: float) -> "ProfileQuerySet":
        """Profiles with a location within ``miles`` of the point, or whose home-visit area covers it.

        Annotates ``distance`` (miles to the profile's nearest location) and
        ``visits_your_area`` (true when the point lies inside one of its
        home-visit areas). Candidates come from the coordinate index through a
        bounding box; the exact distance then decides.
        """
        Location = apps.get_model("directory", "Location")
        distance = haversine_miles_expression(latitude, longitude)
        within = (
            Location.objects.filter(in_box_q(latitude, longitude, miles))
            .annotate(distance=distance)
            .filter(distance__lte=miles)
            .order_by()
            .values("profile_id")
        )
        home_areas = _home_areas_covering(latitude, longitude).order_by().values("profile_id")
        covers_point = Q(pk__in=home_areas)
        # One UNION of two index-backed lookups: an OR of the two would make
        # PostgreSQL scan every profile. (SQLite refuses ORDER BY inside a UNION.)
        return (
            self.filter(pk__in=within.union(home_areas))
            .with_distance(latitude, longitude)
            .annotate(visits_your_area=models.ExpressionWrapper(covers_point, output_field=models.BooleanField()))
        )

    def nearest(
        self,
        latitude: float,
        longitude: float,
        miles: float,
        limit: int,
        tests: tuple[RowTest, ...] = (),
        beyond: float = -1.0,
        only_rows: bool = False,
        home_reach: float = MAX_TRAVEL_RADIUS_MILES,
    ) -> list[ResultRow]:
        """The first ``limit`` profiles of ``near(...)`` ordered by distance, then id, as ResultRow tuples.

        The same rows as ``near(latitude, longitude, miles).order_by("distance", "id")[:limit]``,
        found ring by ring (DISTANCE_BANDS_MILES), nearest ring first, one short
        statement per ring: an outer ring is searched only when the inner ones
        gave fewer than ``limit`` rows, so a dense city costs about the same at
        any size of directory. The rings do not overlap (a profile belongs to the
        ring of its nearest location), so no profile appears twice. Beyond
        ``miles`` only home-visit areas covering the point count.

        ``tests``: tests that every profile of this QuerySet meets, made on its
        search rows (``RowTest``; ``TherapistFilter.row_tests`` gives a search's),
        so that the rings open only the profiles that can match. The rows are
        those of listed profiles: the tests include ``listed_on()``.

        ``beyond``: a distance within which the caller knows nothing matches (a
        search that found no one within its radius, looking further): the rings
        start there.

        ``only_rows``: the caller knows the row tests hold every condition of this
        QuerySet (a search by place and vocabulary filters only): the rings then
        do not open the profile rows at all.

        ``home_reach``: no travel radius is larger (``largest_travel_radius()``):
        home-visit areas beyond the radius are looked for within it.
        """
        if limit <= 0:
            return []
        try:
            rings = _Rings(self, latitude, longitude, tests, only_rows, home_reach)
        except EmptyResultSet:  # a QuerySet that can match nothing (.none(), words with no letters)
            return []
        with connections[self.db].cursor() as cursor:
            rows = rings.rows(cursor, limit, miles, beyond)
        return [ResultRow(pk, distance, bool(covers)) for pk, distance, covers in rows]

    def with_distance(self, latitude: float, longitude: float) -> "ProfileQuerySet":
        """Annotate ``distance``: miles from the point to the profile's nearest location."""
        Location = apps.get_model("directory", "Location")
        nearest = (
            Location.objects.filter(profile_id=OuterRef("pk"))
            .annotate(distance=haversine_miles_expression(latitude, longitude))
            .order_by("distance", "id")
            .values("distance")[:1]
        )
        return self.annotate(distance=Subquery(nearest, output_field=FloatField()))

    def with_any(self, relation: str, slugs) -> "ProfileQuerySet":
        """Profiles linked to any of the given slugs through a many-to-many ``relation`` (services, …)."""
        field = self.model._meta.get_field(relation)
        # The slugs become ids once per query (an uncorrelated subquery), not once per profile tested.
        return self.linked_to(relation, field.related_model.objects.filter(slug__in=list(slugs)).values("pk"))

    def linked_to(self, relation: str, ids) -> "ProfileQuerySet":
        """Profiles linked to any of these entries (ids, or a query of them) through a many-to-many
        ``relation``. Given ids, each profile tested costs one probe of the link table's
        (profile, entry) index; a search knows its ids (``filterset.relation_ids``)."""
        field = self.model._meta.get_field(relation)
        through = field.remote_field.through
        target = field.m2m_reverse_field_name()
        return self.filter(Exists(through.objects.filter(profile_id=OuterRef("pk"), **{f"{target}_id__in": ids})))
