"""Miles or kilometres, as people in the searched place count distance.

The search measures in miles (the ``radius`` parameter stays in miles, so
shared links keep their meaning); only what a person reads is converted.
Distances are whole numbers ("under 1 mile", "8 km"): they are measured to the
published, rounded point of a practice, so a decimal would claim a precision
the point does not have.
"""

from typing import Literal

KM_PER_MILE = 1.609344
# Countries whose people count road distance in kilometres, among those the
# directory serves; everywhere else not listed here (the US, the UK) in miles.
KILOMETRE_COUNTRIES = frozenset({"CA", "AU", "NZ", "IE"})

Unit = Literal["mi", "km"]


def unit_for(country: str | None) -> Unit:
    """The unit for a place in ``country`` (a two-letter code): "km" or "mi"."""
    return "km" if (country or "").upper() in KILOMETRE_COUNTRIES else "mi"


def whole_miles(miles: float) -> int:
    return int(round(miles))


def whole_km(miles: float) -> int:
    return int(round(miles * KM_PER_MILE))


def distance_text(miles: float, unit: Unit = "mi") -> str:
    """A distance as people say it, in whole units: "under 1 mile", "1 mile", "79 miles", "127 km"."""
    if unit == "km":
        km = whole_km(miles)
        return "under 1 km" if miles * KM_PER_MILE < 1 else f"{km} km"
    whole = whole_miles(miles)
    if miles < 1:
        return "under 1 mile"
    return "1 mile" if whole == 1 else f"{whole} miles"


def radius_text(miles: float, unit: Unit = "mi") -> str:
    """A search radius in words: "25 miles", or in kilometres "40 km"."""
    if unit == "km":
        return f"{whole_km(miles)} km"
    whole = whole_miles(miles)
    return "1 mile" if whole == 1 else f"{whole} miles"
