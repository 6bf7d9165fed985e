"""The online geocoder for UK and Canadian postcodes, against a real local HTTP service.

The service is an http.server on 127.0.0.1 (random port) that answers like postcodes.io for a
few postcodes; the settings point the geocoder at it, so no test talks to any other address.
No database: the offline geocoder answers everything that is not a postcode.
"""

import json
import logging
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache

from directory.geo import offline as geo
from directory.geo import online as geo_online
from directory.geo.offline import OfflineGeocoder, get_geocoder
from directory.geo.online import OnlineGeocoder

TIMEOUT = 0.3
SLOW_SECONDS = 1.5
UNAVAILABLE = "The postcode lookup is not available right now. Type the town name instead"

LEEDS = {
    "postcode": "LS1 4AP",
    "latitude": 53.799,
    "longitude": -1.549,
    "admin_district": "Leeds",
    "region": "Yorkshire and The Humber",
    "country": "England",
}
TORONTO = {"postcode": "M5V 3L9", "latitude": 43.642, "longitude": -79.387, "city": "Toronto", "province": "ON"}


def ok(result: dict) -> tuple[int, bytes]:
    return 200, json.dumps({"status": 200, "result": result}).encode()


# path -> (status, body); "slow" sleeps first, "redirect" sends a Location to another postcode.
ROUTES: dict[str, tuple[int, bytes]] = {
    "/postcodes/LS14AP": ok(LEEDS),
    "/postcodes/LS19ZZ": (404, b'{"status": 404, "error": "Postcode not found"}'),
    "/postcodes/M11AE": (200, b'{"status": 200, "result": {"latitude": 53.4'),
    "/postcodes/EH11YZ": ok({**LEEDS, "postcode": "EH1 1YZ"}),
    "/postcodes/W1A1AA": (500, b'{"status": 500, "error": "Internal error"}'),
    "/postcodes/SW1A1AA": ok({**LEEDS, "postcode": "SW1A 1AA", "latitude": 151.5}),
    "/postcodes/SW1A2AA": ok({**LEEDS, "postcode": "SW1A 2AA", "latitude": "51.5"}),
    "/postcodes/GY11AA": ok({"postcode": "GY1 1AA", "latitude": None, "longitude": None}),
    "/postcodes/B11AA": (302, b""),
    "/postcodes/E11AA": ok({**LEEDS, "postcode": "E1 1AA", "padding": "x" * 300_000}),
    "/postcodes/N11AA": (200, b'["not", "an", "object"]'),
    "/postcodes/N12AA": (200, b'{"status": 200, "result": "LS1 4AP"}'),
    "/ca/postcodes/M5V3L9": ok(TORONTO),
}
SLOW = {"/postcodes/EH11YZ"}


class PostcodeService:
    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                with service._lock:
                    service.requests[self.path] += 1
                if self.path in SLOW:
                    time.sleep(SLOW_SECONDS)
                status, body = ROUTES.get(self.path, (404, b'{"status": 404, "error": "Invalid postcode"}'))
                try:
                    self.send_response(status)
                    if status == 302:
                        self.send_header("Location", f"{service.url}/postcodes/LS14AP")
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (the timeout test)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll interval: shutdown() waits up to one interval.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def total(self) -> int:
        return sum(self.requests.values())


@pytest.fixture
def service(settings):
    running = PostcodeService()
    running.thread.start()
    settings.GEOCODER_UK_POSTCODE_URL = running.url
    settings.GEOCODER_CA_POSTCODE_URL = None
    settings.GEOCODER_TIMEOUT = TIMEOUT
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture(scope="module")
def geocoder():
    return OnlineGeocoder()


class CacheSpy:
    """The real cache, remembering how long each key was stored for."""

    def __init__(self):
        self.timeouts: dict[str, int] = {}

    def get(self, key, default=None):
        return cache.get(key, default)

    def set(self, key, value, timeout):
        self.timeouts[key] = timeout
        cache.set(key, value, timeout)


@pytest.fixture
def cache_spy(monkeypatch):
    spy = CacheSpy()
    monkeypatch.setattr(geo_online, "cache", spy)
    return spy


# --- UK postcodes found -------------------------------------------------------------------


def test_a_uk_postcode_is_found_with_its_coordinates_town_and_country(service, geocoder):
    result = geocoder.geocode("LS1 4AP")

    assert result.found
    assert result.message == ""
    assert result.place == geo.Place(
        label="LS1 4AP, Leeds, United Kingdom",
        latitude=53.799,
        longitude=-1.549,
        city="Leeds",
        region="England",
        postcode="LS1 4AP",
        country="GB",
    )
    assert service.requests == {"/postcodes/LS14AP": 1}


def test_a_found_postcode_is_cached_for_30_days_under_its_normalised_form(service, geocoder, cache_spy):
    first = geocoder.geocode("LS1 4AP")
    again = [geocoder.geocode(spelling) for spelling in ("LS1 4AP", "ls14ap", "  Ls1   4ap ")]

    assert service.total == 1
    assert all(result.place == first.place for result in again)
    assert cache_spy.timeouts == {"geo-online:v1:GB:LS14AP": 30 * 24 * 60 * 60}


def test_a_postcode_typed_with_its_town_is_looked_up_by_the_postcode(service, geocoder):
    result = geocoder.geocode("1 Park Row, Leeds LS1 4AP, UK")

    assert result.place.label == "LS1 4AP, Leeds, United Kingdom"
    assert service.requests == {"/postcodes/LS14AP": 1}


def test_the_label_geocodes_back_to_the_same_place(service, geocoder):
    place = geocoder.geocode("LS1 4AP").place

    assert geocoder.geocode(place.label).place == place


# --- UK postcodes not found ---------------------------------------------------------------


def test_an_unknown_postcode_asks_to_check_it_or_type_the_town(service, geocoder):
    result = geocoder.geocode("LS1 9ZZ")

    assert not result.places
    assert result.message == (
        'We could not find the postcode "LS1 9ZZ". Check it, or type the town name instead, such as "Leeds".'
    )


def test_an_unknown_postcode_is_cached_for_a_day(service, geocoder, cache_spy):
    geocoder.geocode("LS1 9ZZ")
    second = geocoder.geocode("ls19zz")

    assert service.total == 1
    assert "could not find the postcode" in second.message
    assert cache_spy.timeouts == {"geo-online:v1:GB:LS19ZZ": 24 * 60 * 60}


def test_an_unknown_postcode_typed_with_a_town_finds_the_town(service, geocoder):
    result = geocoder.geocode("Leeds LS1 9ZZ")

    assert result.found
    assert result.place.label == "Leeds, England, United Kingdom"


def test_a_postcode_the_service_cannot_place_counts_as_not_found(service, geocoder):
    result = geocoder.geocode("GY1 1AA")

    assert not result.places
    assert 'could not find the postcode "GY1 1AA"' in result.message


# --- the service failing: the offline answer, never an error ------------------------------


@pytest.mark.parametrize(
    "postcode",
    [
        pytest.param("M1 1AE", id="malformed JSON"),
        pytest.param("W1A 1AA", id="server error"),
        pytest.param("SW1A 1AA", id="latitude out of range"),
        pytest.param("SW1A 2AA", id="latitude not a number"),
        pytest.param("E1 1AA", id="answer too big"),
        pytest.param("N1 1AA", id="JSON not an object"),
        pytest.param("N1 2AA", id="result not an object"),
    ],
)
def test_a_bad_answer_falls_back_to_asking_for_the_town_and_is_not_cached(service, geocoder, postcode):
    first = geocoder.geocode(postcode)
    second = geocoder.geocode(postcode)

    assert not first.places
    assert first.message == UNAVAILABLE + ', such as "Leeds".'
    assert second == first
    assert service.total == 2  # a passing failure: the next search asks again


def test_a_bad_answer_for_a_postcode_typed_with_a_town_finds_the_town(service, geocoder):
    result = geocoder.geocode("Leeds M1 1AE")

    assert result.place.label == "Leeds, England, United Kingdom"


def test_a_slow_service_times_out_and_falls_back(service, geocoder):
    started = time.monotonic()
    result = geocoder.geocode("EH1 1YZ")
    elapsed = time.monotonic() - started

    assert not result.places
    assert result.message.startswith(UNAVAILABLE)
    assert elapsed < SLOW_SECONDS
    assert service.requests == {"/postcodes/EH11YZ": 1}


def test_a_redirect_is_not_followed(service, geocoder):
    result = geocoder.geocode("B1 1AA")

    assert result.message.startswith(UNAVAILABLE)
    assert service.requests == {"/postcodes/B11AA": 1}


def test_a_service_that_is_down_falls_back(settings, geocoder):
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    settings.GEOCODER_UK_POSTCODE_URL = f"http://127.0.0.1:{closed.server_address[1]}"
    closed.server_close()  # nothing listens on that port now
    settings.GEOCODER_TIMEOUT = TIMEOUT

    result = geocoder.geocode("LS1 4AP")

    assert not result.places
    assert result.message.startswith(UNAVAILABLE)


def test_a_cache_that_is_down_does_not_stop_the_lookup(service, geocoder, monkeypatch):
    class BrokenCache:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    monkeypatch.setattr(geo_online, "cache", BrokenCache())

    assert geocoder.geocode("LS1 4AP").place.city == "Leeds"


def test_the_logs_name_the_failure_but_never_the_postcode(service, geocoder, caplog):
    caplog.set_level(logging.DEBUG)
    for postcode in ("M1 1AE", "W1A 1AA", "EH1 1YZ", "LS1 9ZZ", "LS1 4AP", "B1 1AA"):
        geocoder.geocode(postcode)

    logged = caplog.text.upper().replace(" ", "")
    for postcode in ("M11AE", "W1A1AA", "EH11YZ", "LS19ZZ", "LS14AP", "B11AA"):
        assert postcode not in logged
    messages = [record.getMessage() for record in caplog.records if record.name == "directory.geo.online"]
    assert "Postcode lookup failed with a response that is not JSON" in messages
    assert "Postcode lookup failed with HTTP status 500" in messages
    assert "Postcode lookup failed with HTTP status 302" in messages
    assert any(message.startswith("Postcode lookup failed with") and "Timeout" in message for message in messages)


# --- settings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://127.0.0.1/", "127.0.0.1:9", "http://", "", None],
)
def test_a_base_url_that_is_not_http_or_https_leaves_postcodes_to_the_offline_answer(settings, geocoder, url):
    settings.GEOCODER_UK_POSTCODE_URL = url

    result = geocoder.geocode("LS1 4AP")

    assert result == OfflineGeocoder().geocode("LS1 4AP")
    assert "not switched on here" in result.message


def test_canadian_postcodes_stay_offline_unless_their_service_is_set(service, geocoder):
    result = geocoder.geocode("M5V 3L9")

    assert result == OfflineGeocoder().geocode("M5V 3L9")
    assert "Type the town name instead" in result.message
    assert service.total == 0


def test_a_canadian_postcode_is_found_on_the_service_set_for_it(service, geocoder, settings):
    settings.GEOCODER_CA_POSTCODE_URL = service.url + "/ca/"

    result = geocoder.geocode("m5v3l9")

    assert result.place == geo.Place(
        label="M5V 3L9, Toronto, Canada",
        latitude=43.642,
        longitude=-79.387,
        city="Toronto",
        region="ON",
        postcode="M5V 3L9",
        country="CA",
    )
    assert service.requests == {"/ca/postcodes/M5V3L9": 1}


def test_an_unknown_canadian_postcode_asks_for_the_town(service, geocoder, settings):
    settings.GEOCODER_CA_POSTCODE_URL = service.url + "/ca"

    result = geocoder.geocode("K1A 0B1")

    assert result.message == (
        'We could not find the postcode "K1A 0B1". Check it, or type the town name instead, such as "Toronto, Canada".'
    )
    assert service.requests == {"/ca/postcodes/K1A0B1": 1}


@pytest.mark.parametrize("timeout", ["soon", 0, -1, float("nan")])
def test_a_meaningless_timeout_setting_means_the_default(settings, timeout):
    settings.GEOCODER_TIMEOUT = timeout

    assert geo_online._timeout() == geo_online.DEFAULT_TIMEOUT_SECONDS


def test_the_settings_have_documented_defaults(settings):
    for name in ("GEOCODER_UK_POSTCODE_URL", "GEOCODER_CA_POSTCODE_URL", "GEOCODER_TIMEOUT"):
        if hasattr(settings, name):
            delattr(settings, name)

    assert geo_online._base_url(geo_online._UK) == "https://api.postcodes.io"
    assert geo_online._base_url(geo_online._CA) is None
    assert geo_online._timeout() == 3.0


# --- everything else: the offline geocoder ------------------------------------------------


@pytest.mark.parametrize("query", ["10001", "Leeds, UK", "Portland", "New York, NY 10001", "", "   "])
def test_queries_without_a_postcode_get_the_offline_answer_without_a_request(service, geocoder, query):
    assert geocoder.geocode(query) == OfflineGeocoder().geocode(query)
    assert service.total == 0


def test_a_zip_code_and_a_town_are_found_offline(service, geocoder):
    assert geocoder.geocode("10001").place.label == "New York, NY 10001, United States"
    assert geocoder.geocode("Leeds, UK").place.label == "Leeds, England, United Kingdom"
    assert service.total == 0


def test_half_a_postcode_asks_for_the_whole_postcode(service, geocoder):
    result = geocoder.geocode("LS1")

    assert not result.places
    assert result.message == (
        '"LS1" is only the first half of a postcode. Type the whole postcode, such as "LS1 4AP", '
        'or the town name, such as "Leeds" or "Toronto, Canada".'
    )
    assert service.total == 0


def test_a_query_that_is_not_text_gets_the_offline_answer(geocoder):
    assert geocoder.geocode(None) == OfflineGeocoder().geocode(None)


# --- choosing it --------------------------------------------------------------------------


def test_the_geocoder_setting_switches_the_site_to_the_online_geocoder(service, settings):
    settings.GEOCODER = "directory.geo.online.OnlineGeocoder"

    assert isinstance(get_geocoder(), OnlineGeocoder)
    assert get_geocoder() is get_geocoder()
    assert geo.geocode("LS1 4AP").place.label == "LS1 4AP, Leeds, United Kingdom"
    assert service.requests == {"/postcodes/LS14AP": 1}


def test_without_the_setting_postcodes_stay_offline(service, settings):
    settings.GEOCODER = "directory.geo.offline.OfflineGeocoder"

    assert isinstance(get_geocoder(), OfflineGeocoder)
    assert "not switched on here" in geo.geocode("LS1 4AP").message
    assert service.total == 0
