"""Place names typed with a slip: "Brookyln" -> "Did you mean Brooklyn, NY?".

Only when the geocoder found nothing. The town name (before the first comma)
is compared with the offline gazetteer's names in Python, with the same
edit-distance rule as the vocabulary words (directory/search/understand.py),
so the suggestion does not depend on the database. The corrected name, with
whatever followed it ("Brookyln, NY" -> "Brooklyn, NY"), is geocoded again:
the suggestions are the places that finds, never a guess picked silently.
"""

import threading

from rapidfuzz import process
from rapidfuzz.distance import OSA

from directory.geo import offline

# Towns smaller than this are left out of the suggestions (they are still
# found when typed right): a slip in a city's name is far likelier than a
# village one letter away from it.
MIN_SUGGESTED_POPULATION = 5_000
MIN_NAME_LENGTH = 5
MAX_SUGGESTIONS = 5

_names: tuple[dict[str, tuple[str, ...]], dict[str, str]] | None = None
_names_lock = threading.Lock()


def _town_names() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """The keys of towns worth suggesting by first letter (most populous first), and each key's
    name as written; built once per process."""
    global _names
    if _names is None:
        with _names_lock:
            if _names is None:
                data = offline._geo_data()
                written: dict[str, tuple[int, str]] = {}
                for key, rows in data.by_name.items():
                    for row in rows:
                        name, population = row[0], row[5]
                        if population >= MIN_SUGGESTED_POPULATION and population > written.get(key, (-1, ""))[0]:
                            written[key] = (population, name)
                for key, rows in data.us_towns.items():
                    if key not in written and rows:
                        written[key] = (MIN_SUGGESTED_POPULATION, rows[0][0].title())
                by_letter: dict[str, list[str]] = {}
                for key in sorted(written, key=lambda key: (-written[key][0], key)):
                    by_letter.setdefault(key[:1], []).append(key)
                _names = (
                    {letter: tuple(keys) for letter, keys in by_letter.items()},
                    {key: name for key, (_, name) in written.items()},
                )
    return _names


def allowed_slips(name_key: str) -> int:
    if len(name_key) < MIN_NAME_LENGTH:
        return 0
    return 2 if len(name_key) >= 8 else 1


def corrected_names(text: str) -> list[str]:
    """Spellings of ``text`` with the town name corrected, the likeliest first (at most a few)."""
    name, comma, rest = text.partition(",")
    key = offline._name_key(name)
    slips = allowed_slips(key)
    if not slips:
        return []
    by_letter, written = _town_names()
    # Same first letter only, as for vocabulary words (people rarely slip on the first letter).
    same_start = [candidate for candidate in by_letter.get(key[:1], ()) if candidate != key]
    matches = process.extract(key, same_start, scorer=OSA.distance, score_cutoff=slips, limit=None)
    if not matches:
        return []
    fewest = min(distance for _, distance, _ in matches)
    # extract keeps the list's order among equals: the most populous first.
    best = [candidate for candidate, distance, _ in matches if distance == fewest][:MAX_SUGGESTIONS]
    return [f"{written[candidate]}{comma}{rest}" for candidate in best]


def suggest_places(text: str) -> tuple[offline.Place, ...]:
    """Places a misspelt place name probably meant, for "Did you mean…"; () when nothing is near enough."""
    places: list[offline.Place] = []
    for corrected in corrected_names(text):
        result = offline.geocode(corrected)
        for place in result.places:
            if place not in places:
                places.append(place)
        if len(places) >= offline.MAX_CHOICES:
            break
    return tuple(places[: offline.MAX_CHOICES])
