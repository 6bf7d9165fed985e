"""A Redis cache that never raises: while Redis is away, each process keeps its own.

Everything the site keeps in the shared cache can be rebuilt (vocabularies,
guide panels) or counted again (rate limits, used second-factor codes), and
sessions live in the database. So a Redis outage must cost speed, never a
page: every operation that fails with a connection error or a timeout is
answered from a local-memory cache instead, and Redis is left alone for a few
seconds (``RETRY_AFTER_SECONDS``), so that a hung Redis costs one short socket
timeout per process, not one per cache call.

Two things differ while the local cache stands in:

- entries are kept at most ``FALLBACK_MAX_SECONDS``: another process cannot
  tell this one that something changed, so what it remembers must be short-lived;
- rate limits get stricter: each process counts alone, so each hit counts
  ``settings.CACHE_FALLBACK_RATE_LIMIT_WEIGHT`` times (set it to the number of
  web processes), and all processes together allow no more than the limit.
  Never unlimited, and never an error.
"""

import logging
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
FALLBACK_MAX_SECONDS = 60
# allauth's rate-limit entries: a list of the hit times, newest first.
RATE_LIMIT_PREFIX = "allauth:rl:"

# Per process: Django makes one cache object per thread, and they share this.
_redis_down_until: dict[str, float] = {}


def _connection_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback = LocMemCache(f"redis-fallback:{server}", {"OPTIONS": {"MAX_ENTRIES": 5000}})

    # The circuit: which cache answers now.

    def redis_available(self) -> bool:
        return time.monotonic() >= _redis_down_until.get(self._server_key, 0.0)

    @property
    def _server_key(self) -> str:
        return str(self._servers)

    def ping(self) -> bool:
        """Whether Redis itself answers now (for /healthz); never raises."""
        try:
            self._cache.get_client(write=False).ping()
        except _connection_errors():
            return False
        return True

    def _call(self, name: str, *args, **kwargs):
        if self.redis_available():
            try:
                return getattr(super(), name)(*args, **kwargs)
            except _connection_errors() as error:
                if self.redis_available():
                    logger.warning("Cache unavailable (%s); using process memory for a while.", type(error).__name__)
                _redis_down_until[self._server_key] = time.monotonic() + RETRY_AFTER_SECONDS
        return getattr(self, f"_fallback_{name}", getattr(self._fallback, name))(*args, **kwargs)

    def _short(self, timeout):
        if timeout is DEFAULT_TIMEOUT or timeout is None:
            return FALLBACK_MAX_SECONDS
        return min(timeout, FALLBACK_MAX_SECONDS)

    # The operations Django's cache API offers.

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        self._fallback.clear()
        return self._call("clear")

    # The local stand-in: short-lived entries, weighted rate-limit hits.

    def _fallback_add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fallback.add(key, value, self._short(timeout), version)

    def _fallback_set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if key.startswith(RATE_LIMIT_PREFIX) and isinstance(value, list):
            value = list(dict.fromkeys(value))  # each hit once; get() weighs it
        return self._fallback.set(key, value, self._short(timeout), version)

    def _fallback_get(self, key, default=None, version=None):
        value = self._fallback.get(key, default, version)
        if key.startswith(RATE_LIMIT_PREFIX) and isinstance(value, list):
            weight = max(1, settings.CACHE_FALLBACK_RATE_LIMIT_WEIGHT)
            value = [hit for hit in value for _ in range(weight)]
        return value

    def _fallback_touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fallback.touch(key, self._short(timeout), version)

    def _fallback_set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fallback.set_many(data, self._short(timeout), version)
