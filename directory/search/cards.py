"""What a result card, a profile page or an API result shows, loaded for a page of profiles.

``load_card_parts``: three queries whatever the page holds, its profiles'
locations, their current verified credentials and their vocabulary links
(services, phases, settings, cancer types and languages, one UNION), named
from the vocabularies cached for the search edition.

``result_cards``: a search page's cards. What a card shows of a therapist is
the same in every search, so it is kept, rendered, in the "cards" cache
(config/settings.py) under the therapist, the day (credentials lapse at
midnight) and the search edition (directory/search/cache.py), which every
change to what a card shows raises. A page loads and renders only the cards
not kept yet, and adds what belongs to the search: the distance, "visits
homes in your area" and the search carried in the link. ``kept`` does the
same for any value made from a profile (the API's results).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString

from directory.geo import maps, units
from directory.geo.offline import haversine_miles
from directory.listing import recheck_current_q, valid_on_q
from directory.models import Credential, Location, Profile
from directory.search.cache import current_edition
from directory.search.filterset import VOCABULARY_PARAMETERS, vocabulary_entries
from directory.search.nearest import ResultRow
from directory.search.rows import vocabulary_links

T = TypeVar("T")

# Licence first, then oncology training, then the rest, as patients read them.
CREDENTIAL_ORDER = (
    "licence", "voluntary_register", "membership", "oncology_training", "clt", "mld", "board", "insurance", "other",
)  # fmt: skip


def _credential_order(credential: Credential) -> tuple:
    # In CREDENTIAL_ORDER; of one kind, the latest check first.
    kind = CREDENTIAL_ORDER.index(credential.kind) if credential.kind in CREDENTIAL_ORDER else len(CREDENTIAL_ORDER)
    verified = credential.verified_on or date.min
    return (kind, -verified.toordinal(), credential.pk)


def load_card_parts(profiles: Iterable[Profile], today: date | None = None) -> list[Profile]:
    """Set ``card_locations``, ``verified_credentials`` and, for each vocabulary, ``card_<relation>``
    (``card_services``, ``card_languages``, …) on each profile."""
    profiles = list(profiles)
    if not profiles:
        return profiles
    today = today or timezone.localdate()
    ids = [profile.pk for profile in profiles]
    locations = defaultdict(list)
    for location in Location.objects.filter(profile_id__in=ids).order_by("id"):
        locations[location.profile_id].append(location)
    credentials = defaultdict(list)
    # What patients may be told was checked: verified, unexpired, not overdue for its re-check, and
    # never a therapist's own statement.
    current = (
        Credential.objects.filter(profile_id__in=ids, status=Credential.Status.VERIFIED)
        .filter(valid_on_q(today), recheck_current_q(today))
        .exclude(kind=Credential.Kind.UNREGULATED)
    )
    for credential in current:
        credentials[credential.profile_id].append(credential)
    for profile in profiles:
        profile.card_locations = locations[profile.pk]
        profile.verified_credentials = sorted(credentials[profile.pk], key=_credential_order)
    linked = defaultdict(set)
    for relation, profile_id, entry in vocabulary_links(ids):
        linked[relation, profile_id].add(entry)
    vocabularies = vocabulary_entries()
    for relation, parameter in VOCABULARY_PARAMETERS.items():
        entries = vocabularies[parameter]
        for profile in profiles:
            mine = linked[relation, profile.pk]
            setattr(profile, f"card_{relation}", [entry for entry in entries if entry.pk in mine])
    return profiles


def _right_to_practise_words(credential: Credential) -> str:
    entry = credential.jurisdiction_entry
    if credential.kind == Credential.Kind.LICENCE:
        if credential.method != Credential.Method.REGISTRY:
            return "Licence checked"
        board = "the state board" if entry and entry.country == "US" else f"the {credential.register_short_name}"
        return f"Licence checked at {board}"
    place = f" ({entry.name} does not license massage)" if entry and not entry.regulates else ""
    if credential.kind == Credential.Kind.VOLUNTARY_REGISTER:
        return f"Registered with {credential.register_short_name}{place}"
    return f"Member of {credential.issuer}{place}"


def credential_summary(credentials) -> str:
    """A card's one line on what was checked: the right to practise, the oncology training
    that meets the standard, and the latest check. Nothing the records do not hold."""
    if not credentials:
        return ""
    parts = []
    practise = next((c for c in credentials if c.kind in Credential.PRACTISE_KINDS), None)
    if practise is not None:
        parts.append(_right_to_practise_words(practise))
    training = next((c for c in credentials if c.meets_training_standard), None)
    if training is not None and training.kind == Credential.Kind.CLT:
        parts.append("lymphedema therapist certification (CLT) checked")
    elif training is not None:
        parts.append(f"{training.training_hours} hours of oncology training with hands-on practice checked")
    if not parts:
        return ""
    last = max(credential.verified_on for credential in credentials if credential.verified_on)
    return f"{'; '.join(parts)}. Last checked {date_format(last, settings.DATE_FORMAT)}."


@dataclass(frozen=True)
class Card:
    """One therapist's result card as every search shows it, with its body already rendered."""

    url: str
    name: str
    pronouns: str
    photo_url: str
    accepting: bool
    places: str  # "Portland, OR; Salem, OR"
    body: SafeString  # headline, services, sessions, fees, languages, what was checked
    based: str  # "practice" or "based", for a distance measured to one of the locations
    locations: tuple[tuple[float, float, str], ...]  # published latitude, longitude and city
    areas: tuple[dict, ...]  # the map's circles, linking to ``url``

    def measured_to(self, latitude: float, longitude: float) -> str:
        """What a distance from this point is measured to: "practice in Brooklyn" (the nearest location)."""
        nearest = min(self.locations, key=lambda place: haversine_miles(latitude, longitude, *place[:2]), default=None)
        return f"{self.based} in {nearest[2]}" if nearest else ""


@dataclass(frozen=True)
class Result:
    """A card in one search: with the distance, and whether the therapist visits homes there."""

    card: Card
    distance: float | None = None
    distance_text: str = ""
    visits_your_area: bool = False
    measured_to: str = ""  # for the nearest beyond the radius: "practice in Brooklyn, 46 miles"


def _card(profile: Profile) -> Card:
    """Render a profile's card; its card parts are loaded (load_card_parts)."""
    profile.checked_summary = credential_summary(profile.verified_credentials)
    places = "; ".join(
        f"{location.city}, {location.region}" if location.region else location.city
        for location in profile.card_locations
    )
    url = profile.get_absolute_url()
    return Card(
        url=url,
        name=profile.display_name,
        pronouns=profile.pronouns,
        photo_url=profile.photo.url if profile.photo else "",
        accepting=profile.accepting_new_clients,
        places=places,
        body=render_to_string("directory/search/_card_body.html", {"profile": profile}),
        based="practice" if profile.visits_practice else "based",
        locations=tuple(
            (location.published_latitude, location.published_longitude, location.city)
            for location in profile.card_locations
        ),
        areas=tuple(maps.location_areas(profile, profile.card_locations, url=url)),
    )


def kept(kind: str, ids: list[int], make: Callable[[Profile], T]) -> dict[int, T]:
    """What ``make`` gives for each of these listed profiles (their card parts loaded), from the
    "cards" cache where kept under ``kind``, the day and the search edition; a profile no longer
    listed has none."""
    today = timezone.localdate()
    edition = current_edition()
    keys = {pk: f"{kind}:{today.isoformat()}:{edition}:{pk}" for pk in ids}
    seconds = settings.SEARCH_CARD_CACHE_SECONDS
    kept_now = caches["cards"].get_many(keys.values()) if seconds > 0 else {}
    found = {pk: kept_now[key] for pk, key in keys.items() if key in kept_now}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        profiles = load_card_parts(Profile.objects.listed(today).filter(pk__in=missing), today)
        made = {profile.pk: make(profile) for profile in profiles}
        if seconds > 0:
            caches["cards"].set_many({keys[pk]: value for pk, value in made.items()}, seconds)
        found.update(made)
    return found


def cards(ids: list[int]) -> dict[int, Card]:
    """The cards of these listed profiles, from the cache where kept; a profile no longer listed has none."""
    return kept("card", ids, _card)


def result_cards(rows: list[ResultRow], unit: units.Unit = "mi", *, measured_from=None) -> list[Result]:
    """The cards of these search rows, in order, with their distances in ``unit``; with
    ``measured_from`` (a place), each says which location its distance is measured to."""
    found = cards([row.pk for row in rows])
    results = []
    for row in rows:
        card = found.get(row.pk)
        if card is None:  # no longer listed since the search ran
            continue
        results.append(
            Result(
                card=card,
                distance=row.distance,
                distance_text=units.distance_text(row.distance, unit) if row.distance is not None else "",
                visits_your_area=bool(row.visits_your_area),
                measured_to=card.measured_to(measured_from.latitude, measured_from.longitude) if measured_from else "",
            )
        )
    return results
