"""The map: with a tile server named, the results and the profile draw approximate areas from a
local tile server, under a CSP that allows exactly its origin; without one, no page asks for
any map code or tile."""

import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from directory.models import Location
from tests.e2e.a11y import PHONE
from tests.factories import changed
from tests.search_helpers import BROOKLYN, listed


def _png(width: int = 256, height: int = 256) -> bytes:
    """A plain light-grey PNG, the size of a map tile."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xdd\xdd\xdd" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class TileServer:
    """A tiny tile server on a free local port that counts the tiles asked for."""

    def __init__(self):
        tile = _png()
        self.paths: list[str] = []
        paths = self.paths

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the name http.server calls
                paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(tile)))
                self.end_headers()
                self.wfile.write(tile)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tiles(settings):
    with TileServer() as server:
        settings.MAP_TILE_URL = server.origin + "/{z}/{x}/{y}.png"
        settings.MAP_ATTRIBUTION = "Test tiles"
        yield server


def _therapists():
    casey = listed(display_name="Casey Lane")
    home = listed(BROOKLYN, display_name="Hana Home", visits_home=True)
    Location.objects.filter(profile=home).update(travel_radius_miles=8)
    changed(home)
    return casey, home


def test_the_map_draws_approximate_areas_from_the_tile_server_and_works_by_keyboard(new_page, axe, tiles):
    _therapists()
    page = new_page("patient", viewport=PHONE)
    response = page.goto("/therapists/?near=10001&radius=25")
    policy = response.headers["content-security-policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src")).split()
    assert img_src == ["img-src", "'self'", "data:", tiles.origin], policy
    assert not tiles.paths, "no tile before the map is opened"

    summary = page.get_by_text("Show these therapists on a map")
    summary.focus()
    page.keyboard.press("Enter")
    canvas = page.locator("#results-map .results-map-canvas")
    expect(canvas).to_have_attribute("data-ready", "1")
    expect(canvas.locator("img.leaflet-tile-loaded").first).to_be_visible()
    assert tiles.paths and all(path.endswith(".png") for path in tiles.paths)
    circles = canvas.locator("path.leaflet-interactive")
    expect(circles).to_have_count(3)  # two practice areas and one home-visit area
    expect(canvas.locator(".leaflet-marker-icon")).to_have_count(0)  # never a pin

    canvas.focus()
    before = page.evaluate("() => document.querySelector('.leaflet-map-pane').style.transform")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "before => document.querySelector('.leaflet-map-pane').style.transform !== before", arg=before
    )
    zoom_in = page.get_by_role("button", name="Zoom in")
    expect(zoom_in).to_be_visible()
    axe.check(page, "results with the map open")

    page.locator("article.result").get_by_role("link", name="Casey Lane").click()
    page.get_by_text("Show where on a map").click()
    expect(page.locator("#profile-map .results-map-canvas")).to_have_attribute("data-ready", "1")
    expect(page.locator("#profile-map path.leaflet-interactive")).to_have_count(1)
    axe.check(page, "profile with the map open")


def test_without_a_tile_server_no_page_asks_for_map_code_or_tiles(new_page, axe, live_server):
    _therapists()
    page = new_page("patient", viewport=PHONE)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto("/therapists/?near=10001&radius=25")
    assert "127.0.0.1:" not in response.headers["content-security-policy"].split("img-src")[1].split(";")[0]
    expect(page.locator("article.result")).to_have_count(2)
    expect(page.get_by_text("Show these therapists on a map")).to_have_count(0)
    page.locator("article.result").get_by_role("link", name="Casey Lane").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Casey Lane")
    page.wait_for_load_state("networkidle")
    assert not [url for url in requests if "leaflet" in url or "map.js" in url], requests
    assert all(url.startswith(live_server.url) for url in requests), requests
    axe.check(page, "profile without a map")
