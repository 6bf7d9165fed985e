"""What a result card, a profile page or an API result shows, loaded for a page of profiles.

Two queries whatever the page holds: its profiles' locations, and their
current verified credentials. Services, phases, settings, cancer types and
languages come from the filter bits stored on each profile
(directory/search/facets.py) and the vocabularies cached for the search edition, so
they cost no query; an entry whose id does not fit in the bits is read from
the link table instead.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from directory.listing import recheck_current_q, valid_on_q
from directory.models import Credential, Location, Profile
from directory.search.facets import FACETS, MAX_BIT
from directory.search.filterset import VOCABULARY_PARAMETERS, vocabulary_entries

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
    vocabularies = vocabulary_entries()
    for relation, bits in FACETS.items():
        entries, attribute = vocabularies[VOCABULARY_PARAMETERS[relation]], f"card_{relation}"
        if any(entry.pk > MAX_BIT for entry in entries):
            _entries_from_links(profiles, relation, entries, attribute)
            continue
        for profile in profiles:
            stored = getattr(profile, bits)
            setattr(profile, attribute, [entry for entry in entries if stored >> entry.pk & 1])
    return profiles


def _entries_from_links(profiles: list[Profile], relation: str, entries, attribute: str) -> None:
    field = Profile._meta.get_field(relation)
    through = field.remote_field.through
    target = f"{field.m2m_reverse_field_name()}_id"
    linked = defaultdict(set)
    for profile_id, entry_id in through.objects.filter(profile_id__in=[p.pk for p in profiles]).values_list(
        "profile_id", target
    ):
        linked[profile_id].add(entry_id)
    for profile in profiles:
        setattr(profile, attribute, [entry for entry in entries if entry.pk in linked[profile.pk]])
