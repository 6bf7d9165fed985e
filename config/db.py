"""A client-side deadline for every PostgreSQL wait.

A PostgreSQL server that hangs (stopped with SIGSTOP, a frozen disk, a lost
network path that still acknowledges packets) never enforces its own
``statement_timeout`` and never closes the connection: without a deadline of
our own, every request waits until gunicorn kills the worker, and the new
worker waits again.

psycopg2 lets a program choose how it waits for the server
(``set_wait_callback``). Ours waits with ``select`` and a timeout. When the
time is up it shuts the socket down and raises ``OperationalError``, which the
site answers with its 503 page (``directory.views.site.server_error``). It
does not send a cancel request: a hung server would not answer that either,
and a slow but live one has already been stopped by ``statement_timeout``,
set a little shorter than the deadline.

How long a wait may last:

- a web request has one budget for all its queries together
  (``DatabaseDeadlineMiddleware``), so a health check that hangs followed by a
  reconnect that hangs cannot add up to more than the budget;
- ``with deadline(seconds):`` sets a shorter one (``/healthz``);
- anything else (management commands, the task worker) waits at most
  ``settings.DATABASE_DEADLINE_SECONDS``.
"""

import contextlib
import os
import select
import socket
import threading
import time

_state = threading.local()
# The longest single wait outside a request (set from settings at start-up).
_default_seconds: float = 0.0


def install(*, default_seconds: float) -> None:
    """Use the deadline for every psycopg2 connection of this process."""
    global _default_seconds
    import psycopg2.extensions

    _default_seconds = default_seconds
    psycopg2.extensions.set_wait_callback(_wait)


def _ends_at() -> float:
    """The moment the current wait must end (monotonic clock)."""
    ends_at = getattr(_state, "ends_at", None)
    if ends_at is not None:
        return ends_at
    return time.monotonic() + _default_seconds if _default_seconds > 0 else float("inf")


@contextlib.contextmanager
def deadline(seconds: float):
    """Every database wait inside the block ends within ``seconds`` of its start, or fails."""
    previous = getattr(_state, "ends_at", None)
    ends_at = time.monotonic() + seconds
    _state.ends_at = ends_at if previous is None else min(previous, ends_at)
    try:
        yield
    finally:
        _state.ends_at = previous


def _give_up(conn) -> None:
    """Shut the socket down so that later use of this connection fails at once instead of waiting again.

    The file descriptor is duplicated, not closed: libpq still owns it and
    closes it itself when Django discards the connection.
    """
    with contextlib.suppress(OSError, ValueError):
        duplicate = socket.socket(fileno=os.dup(conn.fileno()))
        with contextlib.closing(duplicate):
            duplicate.shutdown(socket.SHUT_RDWR)


def _wait(conn) -> None:
    import psycopg2
    import psycopg2.extensions as ext

    ends_at = _ends_at()
    while True:
        state = conn.poll()
        if state == ext.POLL_OK:
            return
        remaining = ends_at - time.monotonic()
        if remaining <= 0:
            _give_up(conn)
            raise psycopg2.OperationalError("The database did not answer in time.")
        if state == ext.POLL_READ:
            select.select([conn.fileno()], [], [], remaining)
        elif state == ext.POLL_WRITE:
            select.select([], [conn.fileno()], [], remaining)
        else:  # pragma: no cover - psycopg2 documents no other state
            raise psycopg2.OperationalError(f"Unexpected poll state {state!r}.")


class DatabaseDeadlineMiddleware:
    """One budget for all of a web request's database waits (``DATABASE_REQUEST_DEADLINE_SECONDS``).

    Outermost in ``MIDDLEWARE``, so the session and sign-in look-ups count too.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.seconds = settings.DATABASE_REQUEST_DEADLINE_SECONDS

    def __call__(self, request):
        with deadline(self.seconds):
            return self.get_response(request)
