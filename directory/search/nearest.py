"""Read logic for profiles, as chainable QuerySet methods."""

import math
from datetime import date
from typing import NamedTuple

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Exists, F, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from directory.geo.offline import EARTH_RADIUS_MILES, bounding_box
from directory.search.facets import FACETS, mask

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


class _Rings:
    """The SQL of ProfileQuerySet.nearest: one SELECT per ring, joined by UNION ALL."""

    def __init__(self, queryset: models.QuerySet, latitude: float, longitude: float):
        connection = connections[queryset.db]
        quote = connection.ops.quote_name
        Location = apps.get_model("directory", "Location")
        self.profile = quote(queryset.model._meta.db_table)
        self.location = quote(Location._meta.db_table)
        self.least = "LEAST" if connection.vendor == "postgresql" else "MIN"
        # A subquery with these is never merged into the query around it.
        self.keep_apart = "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"
        self.latitude, self.longitude = latitude, longitude
        lat = math.radians(latitude)
        self.point = (lat, math.cos(lat), math.radians(longitude))
        # The profile conditions (listed, filters, words), compiled once. Django writes
        # them as one WHERE clause on the profile table, so a condition on its primary
        # key can be added at the end.
        base = queryset.order_by().values_list("pk")
        if base.query.is_sliced or base.query.distinct:
            raise ValueError("nearest() needs an unsliced, non-distinct QuerySet.")
        sql, params = base.query.sql_with_params()
        if " WHERE " not in sql:
            sql, params = f"{sql} WHERE 1 = 1", params
        self.base = (f"{sql} AND {self.profile}.{quote('id')} = ", list(params))
        self.conditions = [
            (quote(column), operator, connection.ops.adapt_datefield_value(value) if operator == ">=" else value)
            for column, operator, value in queryset.location_conditions
        ]
        self.arms: list[tuple[str, list]] = []

    def in_box(self, alias: str, miles: float) -> tuple[str, list]:
        """Location rows in the box around the point whose copies meet the QuerySet's
        conditions (see ProfileQuerySet): both read from the coordinate index."""
        tests = [
            f"{alias}.{column} >= %s" if operator == ">=" else f"({alias}.{column} & %s) <> 0"
            for column, operator, _ in self.conditions
        ]
        sql = (
            f"{alias}.published_latitude >= %s AND {alias}.published_latitude <= %s"
            f" AND {alias}.published_longitude >= %s AND {alias}.published_longitude <= %s"
            + "".join(f" AND {test}" for test in tests)
        )
        box = bounding_box(self.latitude, self.longitude, miles)
        return sql, [*box, *(value for _, _, value in self.conditions)]

    def matches(self, alias: str) -> tuple[str, list]:
        """The condition that a location row's profile matches the QuerySet (listed, filters, words)."""
        sql, params = self.base
        return f"EXISTS ({sql}{alias}.profile_id)", params

    def distance(self, alias: str) -> tuple[str, list]:
        """Haversine miles from the point to a location row's published point, as in haversine_miles_expression."""
        lat, cos_lat, lon = self.point
        row_lat, row_lon = f"RADIANS({alias}.published_latitude)", f"RADIANS({alias}.published_longitude)"
        sql = (
            f"(%s * ASIN(SQRT({self.least}(1.0, POWER(SIN(({row_lat} - %s) / 2.0), 2)"
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
        matches, matches_params = self.matches("r")
        # The box as a subquery the planner keeps apart, so each distance is computed once.
        sql = (
            f"SELECT r.profile_id FROM (SELECT b.profile_id, {distance} AS miles FROM {self.location} b"
            f" WHERE {in_box} {self.keep_apart}) r WHERE r.miles <= %s AND r.miles > %s AND {matches}"
        )
        return sql, [*distance_params, *in_box_params, outer, inner, *matches_params]

    def covering(self, alias: str) -> tuple[str, list]:
        """The condition that a location row is a home-visit area covering the point."""
        distance, distance_params = self.distance(alias)
        sql = f"{alias}.travel_radius_miles IS NOT NULL AND {distance} <= {self.least}({alias}.travel_radius_miles, %s)"
        return sql, [*distance_params, MAX_TRAVEL_RADIUS_MILES]

    def home_areas_covering(self, beyond: float) -> tuple[str, list]:
        """Profile ids (of therapists who visit homes) with a home-visit area covering the point
        from more than ``beyond`` miles away (nearer ones are in the rings within the radius)."""
        covering, covering_params = self.covering("h")
        distance, distance_params = self.distance("h")
        in_box, in_box_params = self.in_box("h", MAX_TRAVEL_RADIUS_MILES)
        matches, matches_params = self.matches("h")
        sql = (
            f"SELECT h.profile_id FROM {self.location} h INNER JOIN {self.profile} hp ON hp.id = h.profile_id"
            f" WHERE {in_box} AND {distance} > %s AND {covering} AND hp.visits_home AND {matches}"
        )
        return sql, [*in_box_params, *distance_params, beyond, *covering_params, *matches_params]

    def add(self, inner: float, outer: float, candidates: tuple[str, list]) -> None:
        """One ring: candidates (matching profiles) whose nearest location lies in (inner, outer], nearest first."""
        candidates_sql, candidates_params = candidates
        distance, distance_params = self.distance("l")
        covering, covering_params = self.covering("c")
        sql = (
            "SELECT near.profile_id, near.distance, "
            f"(EXISTS (SELECT 1 FROM {self.location} c INNER JOIN {self.profile} cp ON cp.id = c.profile_id"
            f" WHERE c.profile_id = near.profile_id AND cp.visits_home AND {covering})) AS covers"
            f" FROM (SELECT l.profile_id, MIN({distance}) AS distance FROM {self.location} l"
            f" WHERE l.profile_id IN ({candidates_sql}) GROUP BY l.profile_id) near"
            " WHERE near.distance > %s AND near.distance <= %s"
            " ORDER BY near.distance, near.profile_id"
        )
        params = [*covering_params, *distance_params, *candidates_params, inner, outer]
        self.arms.append((sql, params))

    def statement(self, limit: int) -> tuple[str, list]:
        """The rings, nearest first, under one LIMIT.

        Each ring has its own LIMIT too: with a LIMIT, a subquery's ORDER BY
        decides which rows it gives, so no query planner may drop it. Both
        databases read the arms of a UNION ALL one after the other (PostgreSQL
        without parallel workers, see config/env.py).
        """
        sql = " UNION ALL ".join(
            f"SELECT * FROM ({arm} LIMIT %s) ring{index}" for index, (arm, _) in enumerate(self.arms)
        )
        params = [param for _, arm_params in self.arms for param in [*arm_params, limit]]
        return f"{sql} LIMIT %s", [*params, limit]


class ProfileQuerySet(models.QuerySet):
    # Conditions every profile of this QuerySet meets, as tests of the copies on
    # its location rows (listing.copy_to_locations): (column, operator, value),
    # the operator ">=" or "&" (any bit in common). nearest() applies them to
    # the locations it reads, before it tests the profiles themselves.
    location_conditions: tuple[tuple[str, str, object], ...] = ()

    def _clone(self):
        clone = super()._clone()
        clone.location_conditions = self.location_conditions
        return clone

    def _combined(self, combined):
        # Combined with another QuerySet, a profile may meet the other's conditions instead.
        combined = combined._chain()
        combined.location_conditions = ()
        return combined

    def __or__(self, other):
        return self._combined(super().__or__(other))

    def __xor__(self, other):
        return self._combined(super().__xor__(other))

    def _combinator_query(self, *args, **kwargs):
        return self._combined(super()._combinator_query(*args, **kwargs))

    def _with_location_condition(self, column: str, operator: str, value) -> "ProfileQuerySet":
        self.location_conditions = (*self.location_conditions, (column, operator, value))
        return self

    def listed(self, today: date | None = None) -> "ProfileQuerySet":
        """Profiles patients may see: the listing rule, as stored by
        listing.refresh_listing and compared with today's date here."""
        today = today or timezone.localdate()
        return self.filter(listed_until__gte=today)._with_location_condition("listed_until", ">=", today)

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

    def nearest(self, latitude: float, longitude: float, miles: float, limit: int) -> list[ResultRow]:
        """The first ``limit`` profiles of ``near(...)`` ordered by distance, then id, as ResultRow tuples.

        The same rows as ``near(latitude, longitude, miles).order_by("distance", "id")[:limit]``,
        found ring by ring (DISTANCE_BANDS_MILES): one SQL statement, a UNION ALL
        of one ordered SELECT per ring, under one LIMIT. Both databases read the
        arms in order and stop once the LIMIT is reached, so the outer rings are
        never searched when the inner ones suffice. The rings do not overlap (a
        profile belongs to the ring of its nearest location), so no profile
        appears twice. Beyond ``miles`` only home-visit areas covering the point count.

        The arms are written out here rather than built by the ORM: this
        QuerySet's own conditions are compiled once and tested per candidate
        (EXISTS on the primary key), which keeps the cost of building the
        statement well under the cost of running it.
        """
        if limit <= 0:
            return []
        try:
            rings = _Rings(self, latitude, longitude)
        except EmptyResultSet:  # a QuerySet that can match nothing (.none(), words with no letters)
            return []
        edges = [band for band in DISTANCE_BANDS_MILES if band < miles] + [miles]
        inner = -1.0
        for outer in edges:
            rings.add(inner, outer, rings.locations_between(inner, outer))
            inner = outer
        if miles < MAX_TRAVEL_RADIUS_MILES:
            rings.add(miles, MAX_TRAVEL_RADIUS_MILES, rings.home_areas_covering(miles))
        sql, params = rings.statement(limit)
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            return [ResultRow(pk, distance, bool(covers)) for pk, distance, covers in cursor.fetchall()]

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

    def with_any(self, relation: str, slugs, ids=None) -> "ProfileQuerySet":
        """Profiles linked to any of the given slugs through a many-to-many ``relation`` (services, …).

        With the entries' ``ids`` (the search knows them), a bit test on the
        profile's stored links (directory/search/facets.py); else the link table.
        """
        bits = mask(ids) if ids is not None and relation in FACETS else None
        if bits:
            field = FACETS[relation]
            return self.filter(GreaterThan(F(field).bitand(bits), 0))._with_location_condition(field, "&", bits)
        if ids is not None and not ids:
            return self.none()
        field = self.model._meta.get_field(relation)
        through = field.remote_field.through
        target = field.m2m_reverse_field_name()
        # The slugs become ids once per query (an uncorrelated subquery), not once per profile tested.
        wanted = field.related_model.objects.filter(slug__in=list(slugs)).values("pk")
        return self.filter(Exists(through.objects.filter(profile_id=OuterRef("pk"), **{f"{target}_id__in": wanted})))
