"""Reads from a PostgreSQL read replica, when one is configured (DATABASE_REPLICA_URL).

Only the pages anyone may see read from the replica: the search, profiles,
the JSON API and the guides (views marked with ``@replica_reads``), for a
visitor who is not signed in, with a GET or HEAD. Everything else reads from
the primary:

- every write, and every read after a write in the same request;
- a signed-in person's pages, so a therapist always sees their own change;
- a visitor's pages for a few seconds after any form they sent (a short
  cookie), so "read your writes" holds for anonymous forms too;
- the tables that must be fresh whoever asks (``PRIMARY_ONLY``): sessions,
  queued tasks and the search edition (cached search pages are filed under it).

Without DATABASE_REPLICA_URL neither the router nor the middleware is
installed and there is one database, as before.
"""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"
# Applications and models read from the primary in every request.
PRIMARY_ONLY_APPS = {"sessions", "django_tasks_database"}
PRIMARY_ONLY_MODELS = {"directory.searchedition"}
PIN_COOKIE = "primary_reads"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass
class _Reads:
    replica: bool = False


# Where this request's reads go; None outside a request (commands, tasks): the primary.
_reads: ContextVar[_Reads | None] = ContextVar("database_reads", default=None)


def replica_reads(view: Callable) -> Callable:
    """Mark a public, read-only view whose anonymous GETs may read from the replica."""
    view.replica_reads = True
    return view


def _may_read_replica(request: HttpRequest, view_func: Callable) -> bool:
    return (
        getattr(view_func, "replica_reads", False)
        and request.method in {"GET", "HEAD"}
        and PIN_COOKIE not in request.COOKIES
        and not request.user.is_authenticated
    )


class ReplicaReadsMiddleware:
    """Decides, per request, whether reads may go to the replica; pins the primary after a form.

    Placed after the authentication middleware, since signed-in people always read the primary.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _reads.set(_Reads())
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request: HttpRequest, view_func: Callable, view_args, view_kwargs) -> None:
        reads = _reads.get()
        if reads is not None:
            reads.replica = _may_read_replica(request, view_func)


def reading_replica() -> bool:
    reads = _reads.get()
    return reads is not None and reads.replica


def read_primary_from_now() -> None:
    """Send this request's remaining reads to the primary (after a write, or a replica found behind)."""
    reads = _reads.get()
    if reads is not None:
        reads.replica = False


def _primary_only(model) -> bool:
    meta = model._meta
    return meta.app_label in PRIMARY_ONLY_APPS or meta.label_lower in PRIMARY_ONLY_MODELS


class PrimaryReplicaRouter:
    """Django's database router: the replica for the reads allowed above, the primary for the rest."""

    def db_for_read(self, model, **hints) -> str:
        if reading_replica() and not _primary_only(model):
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints) -> str:
        read_primary_from_now()
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both aliases hold the same data: the replica is a copy of the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        # The replica receives the schema by streaming replication; it is read only.
        return db == PRIMARY
