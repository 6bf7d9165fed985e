"""Working without Redis, the database's 503 page, bounded database waits, and error reports
without personal data. (The same faults against real servers: tests/test_faults.py.)"""

import socket

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection
from django.test import override_settings

from config.cache import RATE_LIMIT_PREFIX, TolerantRedisCache
from config.sentry import FILTERED, scrub_breadcrumb, scrub_event


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe closes


@pytest.fixture
def redis_away(settings):
    """The default cache is Redis on a port where nothing listens."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    from config import cache as cache_module

    cache_module._redis_down_until.clear()
    yield caches["default"]  # changing CACHES gives new cache objects (Django's setting_changed)
    cache_module._redis_down_until.clear()


def test_the_cache_answers_from_process_memory_while_redis_is_away(redis_away):
    assert isinstance(redis_away, TolerantRedisCache)
    assert redis_away.get("missing", "default") == "default"
    redis_away.set("vocabularies", {"a": 1}, 3600)
    assert redis_away.get("vocabularies") == {"a": 1}
    assert redis_away.get_or_set("guides", lambda: ["guide"]) == ["guide"]
    assert redis_away.add("lock", True) is True and redis_away.add("lock", True) is False
    assert redis_away.ping() is False
    assert not redis_away.redis_available()  # left alone for a few seconds


@override_settings(CACHE_FALLBACK_RATE_LIMIT_WEIGHT=3)
def test_rate_limits_get_stricter_not_looser_while_redis_is_away(redis_away):
    key = f"{RATE_LIMIT_PREFIX}allauth.account:login:10/60/ip:ip:192.0.2.1"
    redis_away.set(key, [1002.0, 1001.0], 60)
    assert redis_away.get(key) == [1002.0] * 3 + [1001.0] * 3
    # allauth writes back what it read plus the new hit: each hit is stored once.
    redis_away.set(key, [1003.0, *redis_away.get(key)], 60)
    assert len(redis_away.get(key)) == 9


@pytest.mark.django_db
def test_pages_sign_in_and_rate_limits_work_while_redis_is_away(redis_away, client):
    from tests.factories import PASSWORD, make_user
    from tests.search_helpers import listed

    therapist = listed(display_name="Cacheless Cora")
    for path in ("/", "/therapists/", f"/therapists/{therapist.slug}/", "/guides/"):
        assert client.get(path).status_code == 200, path
    user = make_user()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code in (200, 302)
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "cache": "unavailable"}


@pytest.mark.django_db
def test_a_database_failure_in_a_request_gives_the_503_page(client, monkeypatch):
    from guides.models import Guide

    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(Guide.objects, "order_by", unreachable)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "briefly unavailable" in response.content.decode()


@pytest.mark.django_db
def test_postgresql_sessions_have_the_web_statement_timeout():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "10s"


@pytest.mark.django_db
def test_postgresql_sessions_start_no_parallel_workers_unless_configured(monkeypatch):
    from config.env import database_from_url

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
    monkeypatch.setenv("DATABASE_PARALLEL_WORKERS", "2")
    monkeypatch.setenv("SOME_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/directory")
    assert "max_parallel_workers_per_gather=2" in database_from_url("SOME_DATABASE_URL", "")["OPTIONS"]["options"]


def test_the_client_deadline_gives_up_on_a_server_that_never_answers():
    """A socket that accepts and never answers, as a hung PostgreSQL does: the connect fails in time."""
    import threading
    import time

    import psycopg2

    from config import db

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    previous = psycopg2.extensions.get_wait_callback()
    db.install(default_seconds=30)
    try:
        started = time.monotonic()
        with db.deadline(0.5), pytest.raises(psycopg2.OperationalError, match="did not answer in time"):
            psycopg2.connect(host="127.0.0.1", port=listener.getsockname()[1], user="x", dbname="x")
        assert time.monotonic() - started < 2
    finally:
        psycopg2.extensions.set_wait_callback(previous)
        listener.close()


def test_error_reports_carry_no_query_string_body_cookie_or_user():
    event = {
        "request": {
            "url": "https://directory.example.org/therapists/?near=Leeds&cancer_type=breast",
            "query_string": "near=Leeds&cancer_type=breast",
            "data": {"message": "I have lymphoedema"},
            "cookies": {"sessionid": "secret"},
            "headers": {"Cookie": "sessionid=secret", "User-Agent": "Firefox", "Referer": "https://x/?near=Leeds"},
            "env": {"REMOTE_ADDR": "192.0.2.1"},
        },
        "user": {"email": "pat@example.test", "ip_address": "192.0.2.1"},
        "breadcrumbs": {"values": [{"category": "httplib", "data": {"url": "https://api.postcodes.io/?q=LS1"}}]},
        "exception": {"values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"message": "private"}}]}}]},
    }
    scrubbed = scrub_event(event)
    text = repr(scrubbed)
    for private in ("Leeds", "breast", "lymphoedema", "secret", "pat@example.test", "192.0.2.1", "LS1", "private"):
        assert private not in text
    assert scrubbed["request"]["url"] == "https://directory.example.org/therapists/"
    assert scrubbed["request"]["headers"]["Cookie"] == FILTERED
    assert scrubbed["request"]["headers"]["User-Agent"] == "Firefox"
    assert scrub_breadcrumb({"category": "query", "message": "SELECT 1", "data": {"params": ["x"]}})["data"] == {}


def test_sentry_starts_only_with_a_dsn_and_with_personal_data_off(monkeypatch):
    import sentry_sdk

    from config.sentry import init_sentry

    seen = {}
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: seen.update(options))
    init_sentry("https://key@sentry.example/1", environment="test")
    assert seen["send_default_pii"] is False
    assert seen["max_request_body_size"] == "never"
    assert seen["before_send"] is scrub_event
