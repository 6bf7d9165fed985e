"""A map of approximate areas, when the site names a tile server (``MAP_TILE_URL``).

Unset (the default), pages stay lists and load no map code at all. Set, the
search results and the profile offer a Leaflet map (served from the site's own
static files) drawing each practice as a circle around its published point,
never a pin: the published point is rounded to about a kilometre unless the
therapist shows the street address, and a pin would claim more. A home-visit
area is drawn as the circle it is. The pages that show a map allow exactly
the tile server's origin in their Content-Security-Policy, nothing more.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

METRES_PER_MILE = 1609.344
# The circle around a published (rounded) point: the rounding's reach.
APPROXIMATE_AREA_METRES = 1000
# Around a street address the therapist chose to show: still an area, not a pin.
SHOWN_ADDRESS_METRES = 250


def tile_url() -> str:
    """The tile URL template, checked; "" when the site has no map."""
    url = (getattr(settings, "MAP_TILE_URL", "") or "").strip()
    if url:
        tile_origin_of(url)
    return url


def tile_origin_of(url: str) -> str:
    """The scheme and host a tile URL template points at ("https://tiles.example.org")."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or "{" in parts.netloc:
        raise ImproperlyConfigured(
            "MAP_TILE_URL must be an http(s) URL with a fixed host, such as https://…/{z}/{x}/{y}.png"
        )
    if not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise ImproperlyConfigured("MAP_TILE_URL must contain {z}, {x} and {y}.")
    return f"{parts.scheme}://{parts.netloc}"


def allow_tiles(response):
    """Let this response's page load tiles from the tile server, and from nowhere else new."""
    url = tile_url()
    if url:
        response._csp_update = {"img-src": [tile_origin_of(url)]}
    return response


def map_data(map_id: str, areas: list[dict], center: tuple[float, float] | None) -> dict | None:
    """What the map include needs (templates/directory/includes/_map.html), or None without tiles or areas."""
    url = tile_url()
    if not url or not (areas or center):
        return None
    if center is None:
        center = (areas[0]["lat"], areas[0]["lon"])
    return {
        "tiles": url,
        "attribution": getattr(settings, "MAP_ATTRIBUTION", ""),
        "areas": areas,
        "center": {"lat": center[0], "lon": center[1]},
        "has_travel": any(area["kind"] == "travel" for area in areas),
        "script_id": f"{map_id}-data",
    }


def location_areas(profile, locations, *, url: str = "") -> list[dict]:
    """The circles of one therapist's locations (Location rows), in metres around published points."""
    areas = []
    for location in locations:
        latitude, longitude = location.published_latitude, location.published_longitude
        radius = SHOWN_ADDRESS_METRES if location.show_street_address else APPROXIMATE_AREA_METRES
        label = f"{profile.display_name}, {location.city}"
        areas.append({"lat": latitude, "lon": longitude, "radius": radius, "label": label, "url": url, "kind": "area"})
        if profile.visits_home and location.travel_radius_miles:
            areas.append(
                {
                    "lat": latitude,
                    "lon": longitude,
                    "radius": round(location.travel_radius_miles * METRES_PER_MILE),
                    "label": f"{profile.display_name}: home visits around {location.city}",
                    "url": url,
                    "kind": "travel",
                }
            )
    return areas


def results_areas(cards, *, query: str = "") -> list[dict]:
    """The circles of a page of result cards (directory/search/cards.py keeps each card's, linking to
    the profile), each linking with the search ``query`` carried."""
    if not query:
        return [area for card in cards for area in card.areas]
    return [{**area, "url": f"{area['url']}?{query}"} for card in cards for area in card.areas]
