"""With DATABASE_REPLICA_URL, anonymous public pages read from the replica and
everything else from the primary.

Here the "replica" alias mirrors the test database (config/test_settings.py),
so these run on SQLite and PostgreSQL alike; tests/test_replicas.py proves the
same against a real streaming replica.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext, override_settings

from config import db_routing
from config.db_routing import PIN_COOKIE, PrimaryReplicaRouter
from directory.models import Profile, SearchEdition
from tests.factories import make_listed_profile, make_user

# Committed rows, so that the replica's own connection sees them; vocabularies restored after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"])

ROUTED = {
    "DATABASE_ROUTERS": ["config.db_routing.PrimaryReplicaRouter"],
    "MIDDLEWARE": [
        *settings.MIDDLEWARE[
            : settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
        ],
        "config.db_routing.ReplicaReadsMiddleware",
        *settings.MIDDLEWARE[
            settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1 :
        ],
    ],
}


@pytest.fixture
def routed():
    with override_settings(**ROUTED):
        yield


def queries_on_each(client, url: str) -> tuple[list[str], list[str], int]:
    """SQL sent to the primary and to the replica while ``client`` gets ``url``, and the status."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url)
    return [q["sql"] for q in primary], [q["sql"] for q in replica], response.status_code


def mentions(queries: list[str], table: str) -> bool:
    return any(table in sql for sql in queries)


@pytest.mark.parametrize("url", ["/therapists/?near=10001", "/api/v1/therapists/?near=10001", "/guides/"])
def test_an_anonymous_search_reads_the_replica_and_the_edition_from_the_primary(routed, client, url):
    primary, replica, status = queries_on_each(client, url)
    assert status == 200
    assert replica, "nothing was read from the replica"
    assert not mentions(replica, "directory_searchedition") or mentions(primary, "directory_searchedition")
    assert not any(
        table in sql for sql in primary for table in ("directory_location", "directory_searchrow", "guides_guide")
    )


def test_an_anonymous_profile_page_reads_the_replica(routed, client):
    profile = make_listed_profile()
    primary, replica, status = queries_on_each(client, f"/therapists/{profile.slug}/")
    assert status == 200
    assert mentions(replica, "directory_profile")
    assert not mentions(primary, "directory_profile")


def test_a_signed_in_person_reads_only_the_primary(routed, client):
    client.force_login(make_user())
    primary, replica, status = queries_on_each(client, "/therapists/?near=10001")
    assert status == 200
    assert replica == []
    assert mentions(primary, "directory_searchrow")


def test_a_form_sent_pins_the_visitor_to_the_primary_for_a_while(routed, client):
    response = client.post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong-password-1"})
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == settings.DATABASE_REPLICA_PIN_SECONDS
    assert cookie["httponly"]
    primary, replica, status = queries_on_each(client, "/therapists/?near=10001")
    assert status == 200
    assert replica == []
    assert mentions(primary, "directory_searchrow")


def test_pages_not_marked_for_the_replica_read_the_primary(routed, client):
    primary, replica, status = queries_on_each(client, "/accounts/login/")
    assert status == 200
    assert replica == []


def test_without_the_router_everything_reads_the_one_database(client):
    primary, replica, status = queries_on_each(client, "/therapists/?near=10001")
    assert status == 200
    assert replica == []
    assert mentions(primary, "directory_searchrow")


def test_a_write_sends_the_rest_of_the_request_to_the_primary():
    router = PrimaryReplicaRouter()
    token = db_routing._reads.set(db_routing._Reads(replica=True))
    try:
        assert router.db_for_read(Profile) == "replica"
        assert router.db_for_write(Profile) == "default"
        assert router.db_for_read(Profile) == "default"
    finally:
        db_routing._reads.reset(token)


def test_sessions_and_the_search_edition_always_read_the_primary():
    from django.contrib.sessions.models import Session

    router = PrimaryReplicaRouter()
    token = db_routing._reads.set(db_routing._Reads(replica=True))
    try:
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(SearchEdition) == "default"
    finally:
        db_routing._reads.reset(token)


def test_outside_a_request_everything_reads_the_primary():
    assert PrimaryReplicaRouter().db_for_read(Profile) == "default"


def test_migrations_run_only_on_the_primary():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "directory")
    assert not router.allow_migrate("replica", "directory")


def settings_in_a_fresh_process(**environment) -> str:
    """Import the real settings with ``environment`` and print what they made of it."""
    script = (
        "import config.settings as s; "
        "print(sorted(s.DATABASES), s.DATABASE_ROUTERS if hasattr(s, 'DATABASE_ROUTERS') else [], "
        "'config.db_routing.ReplicaReadsMiddleware' in s.MIDDLEWARE, s.STORAGES['default']['BACKEND'], "
        "s.STORAGES['private']['BACKEND'])"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "DATABASE_"))}
    env.update(DEBUG="true", **environment)
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False, cwd=settings.BASE_DIR
    )
    return result.stdout + result.stderr


def test_by_default_there_is_one_database_and_local_folders():
    output = settings_in_a_fresh_process()
    assert "['default'] [] False directory.storage.AllOrNothingStorage directory.storage.PrivateStorage" in output


def test_a_replica_url_adds_the_alias_the_router_and_the_middleware():
    output = settings_in_a_fresh_process(DATABASE_REPLICA_URL="postgres://reader@replica.internal:5432/directory")
    assert "['default', 'replica'] ['config.db_routing.PrimaryReplicaRouter'] True" in output


def test_bucket_names_switch_both_storages_to_s3():
    output = settings_in_a_fresh_process(AWS_STORAGE_BUCKET_NAME="photos", AWS_PRIVATE_STORAGE_BUCKET_NAME="evidence")
    assert "directory.storage.PublicS3Storage directory.storage.PrivateS3Storage" in output


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"AWS_STORAGE_BUCKET_NAME": "photos"}, "Set both AWS_STORAGE_BUCKET_NAME"),
        ({"AWS_STORAGE_BUCKET_NAME": "same", "AWS_PRIVATE_STORAGE_BUCKET_NAME": "same"}, "a bucket of its own"),
        ({"DATABASE_REPLICA_URL": "mysql://x@y/z"}, "DATABASE_REPLICA_URL must point at SQLite or PostgreSQL"),
    ],
)
def test_storage_and_replica_settings_that_cannot_work_stop_start_up(environment, message):
    assert message in settings_in_a_fresh_process(**environment)
