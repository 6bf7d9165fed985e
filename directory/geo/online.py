"""Online geocoding of UK and Canadian postcodes, for sites that switch it on.

Set ``GEOCODER = "directory.geo.online.OnlineGeocoder"``. A UK postcode ("LS1 4AP") is looked
up on a postcodes.io-compatible service; a Canadian one ("M5V 3L9") on a service of the same
shape if ``GEOCODER_CA_POSTCODE_URL`` names one. Everything else (US ZIP codes, town names)
is answered by the offline geocoder, as are postcodes whenever the service cannot be reached,
so a search never fails because a service is down: the patient is asked for the town name.

The service is asked ``GET {base}/postcodes/{postcode}`` and answers 404 for an unknown
postcode, or 200 with ``{"result": {"postcode", "latitude", "longitude", "admin_district",
"country", "region"}}``. Answers are cached (found for 30 days, unknown for a day). What
patients type never reaches the logs: only the kind of failure does.

Settings (read on every lookup):

``GEOCODER_UK_POSTCODE_URL``  base URL for UK postcodes, default ``https://api.postcodes.io``;
                              empty switches UK lookups off (offline answer).
``GEOCODER_CA_POSTCODE_URL``  base URL for Canadian postcodes, default ``None`` (offline answer).
``GEOCODER_TIMEOUT``          seconds to wait for the service, default 3.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from directory.geo.offline import Geocoder, GeocodeResult, OfflineGeocoder, Place

logger = logging.getLogger(__name__)

DEFAULT_UK_POSTCODE_URL = "https://api.postcodes.io"
DEFAULT_TIMEOUT_SECONDS = 3.0
MAX_TIMEOUT_SECONDS = 30.0
FOUND_CACHE_SECONDS = 30 * 24 * 60 * 60
NOT_FOUND_CACHE_SECONDS = 24 * 60 * 60
# A postcode's answer is a few kilobytes; anything much bigger is not one.
MAX_RESPONSE_BYTES = 256 * 1024
MAX_TEXT_LENGTH = 100
MAX_QUERY_LENGTH = 200
CACHE_PREFIX = "geo-online:v1"
USER_AGENT = "oncology-massage-directory-geocoder/1"

# The same postcode shapes the offline geocoder recognises (and then asks for the town name).
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"
_CA_POSTCODE = r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s*\d[ABCEGHJ-NPRSTV-Z]\d"
_POSTCODE_IN_TEXT = re.compile(rf"\b(?:(?P<uk>{_UK_POSTCODE})|(?P<ca>{_CA_POSTCODE}))\b", re.IGNORECASE | re.ASCII)
# The first half of a postcode on its own: "LS1", "SW1A", "M5V".
_OUTWARD_CODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?|[A-Z]\d[A-Z]", re.IGNORECASE | re.ASCII)


@dataclass(frozen=True)
class _Country:
    code: str  # ISO 3166-1 alpha-2, as Place.country
    name: str  # as labels show it
    setting: str
    default_url: str | None
    town_keys: tuple[str, ...]
    region_keys: tuple[str, ...]
    example_town: str


_UK = _Country(
    code="GB",
    name="United Kingdom",
    setting="GEOCODER_UK_POSTCODE_URL",
    default_url=DEFAULT_UK_POSTCODE_URL,
    town_keys=("admin_district", "city"),
    # postcodes.io: "country" is England/Scotland/Wales/Northern Ireland, as the offline labels.
    region_keys=("country", "region"),
    example_town="Leeds",
)
_CA = _Country(
    code="CA",
    name="Canada",
    setting="GEOCODER_CA_POSTCODE_URL",
    default_url=None,
    town_keys=("admin_district", "city"),
    region_keys=("region", "province"),
    example_town="Toronto, Canada",
)


# --- messages -----------------------------------------------------------------------------


def _unavailable_message(country: _Country) -> str:
    return (
        f'The postcode lookup is not available right now. Type the town name instead, such as "{country.example_town}".'
    )


def _unknown_postcode_message(postcode: str, country: _Country) -> str:
    return (
        f'We could not find the postcode "{postcode}". Check it, or type the town name instead, '
        f'such as "{country.example_town}".'
    )


def _outward_code_message(code: str) -> str:
    return (
        f'"{code}" is only the first half of a postcode. Type the whole postcode, such as "LS1 4AP", '
        'or the town name, such as "Leeds" or "Toronto, Canada".'
    )


# --- the geocoder -------------------------------------------------------------------------


class _Unavailable(Exception):
    """The service gave no usable answer (network, status, size, JSON shape)."""


class OnlineGeocoder:
    """UK (and optionally Canadian) postcodes from an online service; the rest offline.

    Never raises and never blocks longer than about twice ``GEOCODER_TIMEOUT``: on any failure
    the answer is the offline geocoder's, with a message asking for the town name.
    """

    def __init__(self, offline: Geocoder | None = None) -> None:
        self.offline = offline if offline is not None else OfflineGeocoder()

    def warm_up(self) -> float:
        """Load the offline data now (see OfflineGeocoder.warm_up): it answers everything else."""
        warm_up = getattr(self.offline, "warm_up", None)
        return warm_up() if callable(warm_up) else 0.0

    def geocode(self, query: str) -> GeocodeResult:
        try:
            return self._geocode(query)
        except Exception as exc:  # a search box must never become a server error
            logger.error("Online geocoder failed with %s", type(exc).__name__)
            return self.offline.geocode(query)

    def _geocode(self, query: str) -> GeocodeResult:
        text = _clean(query)
        match = _POSTCODE_IN_TEXT.search(text) if text else None
        if match is None:
            result = self.offline.geocode(query)
            if text and not result.places and _OUTWARD_CODE.fullmatch(text) and _base_url(_UK) is not None:
                return GeocodeResult(query=result.query or text, places=(), message=_outward_code_message(text))
            return result
        country = _UK if match.group("uk") else _CA
        base_url = _base_url(country)
        if base_url is None:
            return self.offline.geocode(query)
        postcode = _normalise(match.group(0))
        try:
            place = _lookup(country, base_url, postcode)
        except _Unavailable:
            return self._offline_or(query, text, _unavailable_message(country))
        if place is None:
            return self._offline_or(query, text, _unknown_postcode_message(postcode, country))
        return GeocodeResult(query=text, places=(place,))

    def _offline_or(self, query: str, text: str, message: str) -> GeocodeResult:
        """The offline answer if the query also names a town ("Leeds LS1 4AP"), else `message`."""
        result = self.offline.geocode(query)
        if result.places:
            return result
        return GeocodeResult(query=result.query or text, places=(), message=message)


# --- settings -----------------------------------------------------------------------------


def _base_url(country: _Country) -> str | None:
    """The service's base URL, or None if switched off or not an absolute http(s) URL."""
    value = getattr(settings, country.setting, country.default_url)
    if not value:
        return None
    url = str(value).strip().rstrip("/")
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        logger.error("%s is not an http(s) URL: postcode lookups are off", country.setting)
        return None
    return url


def _timeout() -> float:
    value = getattr(settings, "GEOCODER_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT_SECONDS
    if not math.isfinite(seconds) or seconds <= 0:
        return DEFAULT_TIMEOUT_SECONDS
    return min(seconds, MAX_TIMEOUT_SECONDS)


# --- looking up, with the cache -----------------------------------------------------------


def _lookup(country: _Country, base_url: str, postcode: str) -> Place | None:
    """The place of a normalised postcode; None if the service does not know it.

    Raises _Unavailable when the service gave no usable answer (not cached: try again later).
    """
    key = f"{CACHE_PREFIX}:{country.code}:{postcode.replace(' ', '')}"
    cached = _cache_get(key)
    if cached is not None:
        if cached.get("found") is False:
            return None
        place = _place_from_cache(cached.get("place"))
        if place is not None:
            return place
    payload = _fetch(f"{base_url}/postcodes/{urllib.parse.quote(postcode.replace(' ', ''))}")
    if payload is None:
        _cache_set(key, {"found": False}, NOT_FOUND_CACHE_SECONDS)
        return None
    place = _place_from_payload(payload, country, postcode)
    if place is None:
        _cache_set(key, {"found": False}, NOT_FOUND_CACHE_SECONDS)
        return None
    _cache_set(key, {"found": True, "place": list(_place_fields(place))}, FOUND_CACHE_SECONDS)
    return place


def _cache_get(key: str) -> dict[str, Any] | None:
    try:
        value = cache.get(key)
    except Exception as exc:  # a cache outage must not stop the lookup
        logger.warning("Postcode cache read failed with %s", type(exc).__name__)
        return None
    return value if isinstance(value, dict) else None


def _cache_set(key: str, value: dict[str, Any], seconds: int) -> None:
    try:
        cache.set(key, value, seconds)
    except Exception as exc:
        logger.warning("Postcode cache write failed with %s", type(exc).__name__)


def _place_fields(place: Place) -> tuple[Any, ...]:
    return (place.label, place.latitude, place.longitude, place.city, place.region, place.postcode, place.country)


def _place_from_cache(value: object) -> Place | None:
    if not isinstance(value, list) or len(value) != 7:
        return None
    label, lat, lon, city, region, postcode, country = value
    if not all(isinstance(part, str) for part in (label, city, region, postcode, country)):
        return None
    if not _valid_coordinates(lat, lon):
        return None
    return Place(label, float(lat), float(lon), city, region, postcode, country)


# --- the HTTP request ---------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is no answer: following one could lead anywhere (or to another scheme)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# Only HTTP(S), no redirects: no file:, ftp: or data: handlers.
_OPENER = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.ProxyHandler(),
    urllib.request.HTTPHandler(),
    urllib.request.HTTPSHandler(),
    urllib.request.HTTPDefaultErrorHandler(),
    urllib.request.HTTPErrorProcessor(),
    _NoRedirects(),
):
    _OPENER.add_handler(_handler)


def _fetch(url: str) -> dict[str, Any] | None:
    """The service's JSON object for `url`; None on 404 (unknown postcode).

    Raises _Unavailable on anything else. Logs only the kind of failure: the URL holds the postcode.
    """
    timeout = _timeout()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked in _base_url
        url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            body = _read_limited(response, deadline=time.monotonic() + timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 404:
            return None
        logger.warning("Postcode lookup failed with HTTP status %s", exc.code)
        raise _Unavailable from None
    except (OSError, ValueError, _Unavailable) as exc:  # URLError, timeouts, resets, bad responses
        logger.warning("Postcode lookup failed with %s", _failure_name(exc))
        raise _Unavailable from None
    except Exception as exc:  # http.client oddities (e.g. a bad status line)
        logger.warning("Postcode lookup failed with %s", _failure_name(exc))
        raise _Unavailable from None
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        logger.warning("Postcode lookup failed with a response that is not JSON")
        raise _Unavailable from None
    if not isinstance(payload, dict):
        logger.warning("Postcode lookup failed with JSON that is not an object")
        raise _Unavailable
    return payload


def _read_limited(response: Any, *, deadline: float) -> bytes:
    """The body, at most MAX_RESPONSE_BYTES, read by `deadline` (a slow drip is a failure too)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise _Unavailable("too slow")
        chunk = response.read1(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise _Unavailable("too big")
        chunks.append(chunk)


def _failure_name(exc: BaseException) -> str:
    """The kind of failure; for a URLError, the kind of its reason (e.g. timeout, refused)."""
    reason = getattr(exc, "reason", None)
    if isinstance(exc, urllib.error.URLError) and isinstance(reason, BaseException):
        return f"{type(exc).__name__} ({type(reason).__name__})"
    return type(exc).__name__


# --- reading the answer -------------------------------------------------------------------


def _place_from_payload(payload: dict[str, Any], country: _Country, postcode: str) -> Place | None:
    """The place in a postcodes.io-shaped answer; None if it has no location.

    Raises _Unavailable if the answer is not of that shape.
    """
    result = payload.get("result")
    if not isinstance(result, dict):
        logger.warning("Postcode lookup failed with an answer without a result object")
        raise _Unavailable
    lat, lon = result.get("latitude"), result.get("longitude")
    if lat is None and lon is None:
        return None  # a postcode the service knows but cannot place (postcodes.io has a few)
    if not _valid_coordinates(lat, lon):
        logger.warning("Postcode lookup failed with coordinates missing or out of range")
        raise _Unavailable
    answered = result.get("postcode")
    if isinstance(answered, str) and _normalise(answered).replace(" ", "") == postcode.replace(" ", ""):
        postcode = _normalise(answered)
    town = _first_text(result, country.town_keys)
    region = _first_text(result, country.region_keys)
    label = ", ".join(part for part in (postcode, town, country.name) if part)
    return Place(label, float(lat), float(lon), town, region, postcode, country.code)


def _valid_coordinates(lat: object, lon: object) -> bool:
    if not all(isinstance(value, int | float) and not isinstance(value, bool) for value in (lat, lon)):
        return False
    lat, lon = float(lat), float(lon)  # type: ignore[arg-type]
    return math.isfinite(lat) and math.isfinite(lon) and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def _first_text(result: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = result.get(key)
        text = _clean(value)[:MAX_TEXT_LENGTH].strip() if isinstance(value, str) else ""
        if text:
            return text
    return ""


# --- text ---------------------------------------------------------------------------------


def _clean(text: object) -> str:
    """Printable, one-spaced, capped: as the offline geocoder reads a query."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text[: MAX_QUERY_LENGTH * 2])
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def _normalise(postcode: str) -> str:
    """ "ls14ap" -> "LS1 4AP": upper case, one space before the last three characters."""
    compact = "".join(postcode.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}"
