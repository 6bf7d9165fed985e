"""Read logic for profiles, as chainable QuerySet methods."""

import math
from datetime import date

from django.apps import apps
from django.db import models
from django.db.models import Case, Exists, F, FloatField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt
from django.utils import timezone

from directory.geo import EARTH_RADIUS_MILES, bounding_box
from directory.listing import valid_on_q

# A home-visit area counts up to this many miles from its base, whatever
# travel radius the therapist typed: it bounds the box the index searches.
MAX_TRAVEL_RADIUS_MILES = 250
CREDENTIAL_ORDER = ("licence", "unregulated", "oncology_training", "clt", "mld", "board", "insurance", "other")


def haversine_miles_expression(latitude: float, longitude: float, prefix: str = "") -> models.Expression:
    """Great-circle distance in miles from a point to a row's ``latitude``/``longitude``, in SQL.

    Haversine rather than the law of cosines: near-identical points give an
    argument a hair above 1 to ``acos`` (an error on PostgreSQL, NULL on
    SQLite). The argument of ``asin`` is clamped to 1 for the same reason.
    The same functions exist on SQLite and PostgreSQL, so both agree.
    """
    row_lat = Radians(F(f"{prefix}latitude"))
    row_lon = Radians(F(f"{prefix}longitude"))
    lat, lon = math.radians(latitude), math.radians(longitude)
    half_dlat = (row_lat - Value(lat)) / Value(2.0)
    half_dlon = (row_lon - Value(lon)) / Value(2.0)
    a = Power(Sin(half_dlat), 2) + Value(math.cos(lat)) * Cos(row_lat) * Power(Sin(half_dlon), 2)
    return models.ExpressionWrapper(
        Value(2.0 * EARTH_RADIUS_MILES) * ASin(Sqrt(Least(Value(1.0), a))), output_field=FloatField()
    )


def in_box_q(latitude: float, longitude: float, miles: float) -> Q:
    """Rows whose coordinates lie in the bounding box around a point (uses the coordinate index)."""
    min_latitude, max_latitude, min_longitude, max_longitude = bounding_box(latitude, longitude, miles)
    return Q(
        latitude__gte=min_latitude,
        latitude__lte=max_latitude,
        longitude__gte=min_longitude,
        longitude__lte=max_longitude,
    )


def current_credentials_prefetch(today: date | None = None) -> Prefetch:
    """Verified, unexpired credentials as ``profile.verified_credentials``, licences first."""
    today = today or timezone.localdate()
    Credential = apps.get_model("directory", "Credential")
    # Licence first, then oncology training, then the rest, as patients read them.
    kind_order = Case(
        *[When(kind=kind, then=Value(position)) for position, kind in enumerate(CREDENTIAL_ORDER)],
        default=Value(len(CREDENTIAL_ORDER)),
    )
    queryset = (
        Credential.objects.filter(status=Credential.Status.VERIFIED)
        .filter(valid_on_q(today))
        .order_by("profile_id", kind_order, "-verified_on", "id")
    )
    return Prefetch("credentials", queryset=queryset, to_attr="verified_credentials")


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
        travel_radius = Least(F("travel_radius_miles"), Value(MAX_TRAVEL_RADIUS_MILES))
        home_areas = (
            Location.objects.filter(travel_radius_miles__isnull=False, profile__visits_home=True)
            .filter(in_box_q(latitude, longitude, MAX_TRAVEL_RADIUS_MILES))
            .annotate(distance=distance)
            .filter(distance__lte=travel_radius)
            .order_by()
            .values("profile_id")
        )
        covers_point = Q(pk__in=home_areas)
        # One UNION of two index-backed lookups: an OR of the two would make
        # PostgreSQL scan every profile. (SQLite refuses ORDER BY inside a UNION.)
        return (
            self.filter(pk__in=within.union(home_areas))
            .with_distance(latitude, longitude)
            .annotate(visits_your_area=models.ExpressionWrapper(covers_point, output_field=models.BooleanField()))
        )

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
        through = self.model._meta.get_field(relation).remote_field.through
        target = self.model._meta.get_field(relation).m2m_reverse_field_name()
        return self.filter(
            Exists(through.objects.filter(profile_id=OuterRef("pk"), **{f"{target}__slug__in": list(slugs)}))
        )

    def for_cards(self, today: date | None = None) -> "ProfileQuerySet":
        """Load what a result card or an API result shows, in a fixed number of queries."""
        Location = apps.get_model("directory", "Location")
        return self.prefetch_related(
            "services",
            "languages",
            Prefetch("locations", queryset=Location.objects.order_by("id")),
            current_credentials_prefetch(today),
        )
