"""Cached search pages and API answers, for visitors who are not signed in.

A search page is a function of its query string, the directory's data and the
date (credentials lapse at midnight). The data's part is the ``SearchEdition``
number, raised in the transaction of every change: by ``listing.refresh_listing``
when a profile, its locations or credentials change, and by the signals in
directory/signals.py when a vocabulary entry or a guide does. A cached page
is filed under the query string, today's date and the edition it was made
from: after a change, or at midnight, it is never read again and the cache
lets it expire. Nothing goes stale, whether the pages are
kept per process (the "search_pages" cache, see config/settings.py) or shared.

Signed-in people (therapists, reviewers) always get a fresh page: their pages
carry their own header and must not be stored.
"""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils import timezone

from config import db_routing
from directory.models import SearchEdition

EDITION_ROW = SearchEdition.ROW
T = TypeVar("T")


# The edition a search request read when it began: everything the request
# caches or reads from the cache (the page, vocabularies) is filed under it.
_request_edition: ContextVar[int | None] = ContextVar("search_edition", default=None)


def current_edition() -> int:
    """The edition number: the one the running search request read, else from the database."""
    number = _request_edition.get()
    if number is None:
        number = SearchEdition.objects.filter(pk=EDITION_ROW).values_list("number", flat=True).first() or 0
    return number


@contextmanager
def edition_for_request() -> Iterator[int]:
    """Read the edition once (one small query) for the whole of a search request."""
    token = _request_edition.set(None)
    number = current_edition()
    _request_edition.set(number)
    _read_primary_if_replica_behind(number)
    try:
        yield number
    finally:
        _request_edition.reset(token)


def _read_primary_if_replica_behind(number: int) -> None:
    """Run the search on the primary if the read replica has not yet applied edition ``number``.

    The edition is always read from the primary (config/db_routing.py); a page
    made from a replica that lags behind it would be filed under the new
    edition with the old data, and served until it expires.
    """
    if not db_routing.reading_replica():
        return
    on_replica = (
        SearchEdition.objects.using(db_routing.REPLICA).filter(pk=EDITION_ROW).values_list("number", flat=True).first()
    )
    if (on_replica or 0) < number:
        db_routing.read_primary_from_now()


# What for_edition keeps: name -> (edition, value).
_kept: dict[str, tuple[int, object]] = {}


def for_edition(name: str, make: Callable[[], T]) -> T:
    """``make()``, kept in this process's memory for the current search edition (the vocabularies,
    the guides beside the results): read once per edition, however many searches use it.
    The value is shared: callers must not change it."""
    edition = current_edition()
    kept = _kept.get(name)
    if kept is not None and kept[0] == edition:
        return kept[1]  # type: ignore[return-value]
    value = make()
    _kept[name] = (edition, value)
    return value


def forget_edition_data() -> None:
    """Drop what for_edition keeps (for tests, whose rolled-back databases reuse edition numbers)."""
    _kept.clear()


def cache_key(request: HttpRequest, name: str, edition: int) -> str | None:
    """Where this request's page is cached, or None when it must not be (signed in, caching off)."""
    if settings.SEARCH_PAGE_CACHE_SECONDS <= 0 or request.user.is_authenticated:
        return None
    # The API's links are absolute: the scheme and host are part of the answer.
    address = f"{request.scheme}://{request.get_host()}?{request.META.get('QUERY_STRING', '')}"
    query = hashlib.sha256(address.encode("utf-8", "replace")).hexdigest()
    return f"search-page:{name}:{timezone.localdate().isoformat()}:{edition}:{query}"


def get(key: str | None):
    return caches["search_pages"].get(key) if key else None


def put(key: str | None, value) -> None:
    if key:
        caches["search_pages"].set(key, value, settings.SEARCH_PAGE_CACHE_SECONDS)
