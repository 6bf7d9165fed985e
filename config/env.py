"""Strict readers for settings taken from environment variables.

A value that cannot be understood stops start-up with a message naming the
variable, instead of silently falling back to a default.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"The environment variable {name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"The environment variable {name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(name: str, default: str) -> dict:
    import dj_database_url

    url = env_str(name, default)
    try:
        config = dj_database_url.parse(url)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"The environment variable {name} is not a database URL we understand: {exc}"
        ) from None
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        # Django's backend, plus PRAGMA optimize as each connection closes (config/sqlite/base.py).
        config["ENGINE"] = "config.sqlite"
        config["OPTIONS"] = {
            # Write transactions take the lock up front and wait for it, so
            # concurrent writers queue instead of failing with "locked".
            "transaction_mode": "IMMEDIATE",
            # The busy timeout: how long a writer waits for the lock before "database is locked".
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 10),
            # A 32 MB page cache and memory-mapped reads: a search reads many index
            # pages, and SQLite's default (2 MB, read() per page) re-reads them each time.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                " PRAGMA cache_size=-32000; PRAGMA mmap_size=268435456;"
            ),
        }
    elif engine == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 600)
        config["CONN_HEALTH_CHECKS"] = True
        # A query stops server-side after the statement timeout (web requests
        # short, management commands and the task worker long); a server that
        # hangs outright is bounded by the client-side deadline (config/db.py).
        statement_ms = 1000 * statement_timeout_seconds()
        # The directory's statements are short: starting parallel workers for one
        # (about 7 ms, measured on a search's last ring at 100,000 therapists) costs
        # more than the statement, and the workers take cores from other requests.
        # Results never depend on it.
        workers = env_int("DATABASE_PARALLEL_WORKERS", 0)
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "options": f"-c statement_timeout={statement_ms} -c max_parallel_workers_per_gather={workers}",
            "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5),
            # A connection whose server vanished (a lost network path) is noticed
            # within about a minute instead of the kernel's two hours.
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        }
    else:
        raise ImproperlyConfigured(f"The environment variable {name} must point at SQLite or PostgreSQL.")
    return config


def running_command() -> bool:
    """True in ``manage.py`` commands (set there), which may run long queries; False in web processes."""
    return env_bool("DJANGO_MANAGEMENT_COMMAND", False)


def statement_timeout_seconds() -> int:
    if running_command():
        return env_int("DATABASE_COMMAND_STATEMENT_TIMEOUT", 600)
    return env_int("DATABASE_STATEMENT_TIMEOUT", 10)


def cache_from_url(name: str) -> dict:
    url = env_str(name)
    if url is None:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url.startswith(("redis://", "rediss://")):
        # Redis is optional: short socket timeouts, and a backend that answers
        # from process memory while Redis is away (config/cache.py).
        timeout = env_int("CACHE_SOCKET_TIMEOUT_MS", 250) / 1000
        return {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    if url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ImproperlyConfigured(f"The environment variable {name} must be a redis:// or locmem:// URL, not {url!r}.")
