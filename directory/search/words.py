"""Free-text search over a therapist's name, headline, services and bio.

Two implementations of one behaviour, chosen by database:

* PostgreSQL: a stored ``search_vector`` (name weighted A, headline and
  services B, bio C) behind a GIN index; each word the patient types must
  match a word of the profile, or the start of one (``massag`` finds
  "massage"), after English stemming. Results are ranked with ``ts_rank``.
* SQLite (development and tests): each word must occur in the denormalised,
  lower-case ``search_text``; the rank adds, for each word, 4 when it is in
  the name, 2 when it is in the headline or a service name, and 1 otherwise
  (the bio). The scale differs from PostgreSQL's but the order it gives is the
  same for the cases that matter: a name match outranks a bio mention.

The code that changes a profile's name, headline, bio or services calls
``refresh_search_text`` afterwards (``services.save_profile`` does).
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When

SEARCH_CONFIG = "english"
# Enough words for any real search; more only slow the query down.
MAX_WORDS = 8
MAX_WORD_LENGTH = 40
_WORD = re.compile(r"[^\W_]+")


def build_search_text(profile) -> str:
    """Name, headline, services and bio as one lower-case string."""
    services = " ".join(service.name for service in profile.services.all()) if profile.pk else ""
    parts = [profile.display_name, profile.headline, services, profile.bio]
    return " ".join(part for part in parts if part).lower()


def _weighted_vector(profile) -> SearchVector:
    services = " ".join(service.name for service in profile.services.all())
    return (
        SearchVector(Value(profile.display_name), weight="A", config=SEARCH_CONFIG)
        + SearchVector(Value(f"{profile.headline} {services}"), weight="B", config=SEARCH_CONFIG)
        + SearchVector(Value(profile.bio), weight="C", config=SEARCH_CONFIG)
    )


def refresh_search_text(profile) -> None:
    """Bring the profile's search text (and, on PostgreSQL, its search vector) up to date."""
    text = build_search_text(profile)
    if text == profile.search_text:
        return
    changes = {"search_text": text}
    if connection.vendor == "postgresql":
        changes["search_vector"] = _weighted_vector(profile)
    type(profile).objects.filter(pk=profile.pk).update(**changes)
    profile.search_text = text


def search_words(text: str) -> list[str]:
    """The words of a patient's query: letters and digits only, lower case, a bounded number."""
    return [word[:MAX_WORD_LENGTH] for word in _WORD.findall(text.lower())][:MAX_WORDS]


def apply_text_search(queryset: QuerySet, text: str) -> QuerySet:
    """Profiles matching every word of ``text``, annotated with ``rank`` (higher is better).

    A query with no words at all (only punctuation) matches nothing.
    """
    words = search_words(text)
    if not words:
        return queryset.annotate(rank=Value(0)).none()
    if connection.vendor == "postgresql":
        return _postgres_search(queryset, words)
    return _fallback_search(queryset, words)


def _postgres_search(queryset: QuerySet, words: list[str]) -> QuerySet:
    # The words contain only letters and digits, so the raw tsquery syntax
    # below cannot be broken by what a patient types. "(word | word:*)" matches
    # what "word:*" alone does, but PostgreSQL's planner estimates a prefix
    # alone as rare: for a common word it would then read every match through
    # the GIN index instead of the most recently verified ones in order.
    query = SearchQuery(" & ".join(f"({word} | {word}:*)" for word in words), search_type="raw", config=SEARCH_CONFIG)
    return queryset.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))


def _fallback_search(queryset: QuerySet, words: list[str]) -> QuerySet:
    from directory.models import Profile

    services = Profile.services.through.objects.filter(profile_id=OuterRef("pk"))
    rank = Value(0)
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
        rank = rank + Case(
            When(display_name__icontains=word, then=Value(4)),
            When(
                Q(headline__icontains=word) | Q(Exists(services.filter(service__name__icontains=word))), then=Value(2)
            ),
            default=Value(1),
            output_field=IntegerField(),
        )
    return queryset.annotate(rank=rank)
