"""The app gathers its own planner statistics after bulk writes, on SQLite and PostgreSQL alike."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from directory.models import Credential, Location, Profile
from directory.statistics import after_migrate
from tests.factories import make_reviewer
from tests.search_helpers import listed

pytestmark = pytest.mark.django_db


def rows_the_planner_knows(table: str) -> int:
    """How many rows the planner's statistics say the table holds (0 when it has none)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return 0
            # One row per index; a partial index counts only its own rows, so the largest is the table.
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND stat IS NOT NULL", [table])
            return max((int(stat.split()[0]) for (stat,) in cursor.fetchall()), default=0)
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return max(0, int(cursor.fetchone()[0]))


def some_therapists(count: int) -> None:
    reviewer = make_reviewer()
    for number in range(count):
        listed(display_name=f"Counted {number}", reviewer=reviewer)


def test_refresh_listings_leaves_the_planner_statistics_current():
    some_therapists(3)
    assert rows_the_planner_knows("directory_credential") != Credential.objects.count()
    call_command("refresh_listings", stdout=StringIO())
    assert rows_the_planner_knows("directory_credential") == Credential.objects.count() > 0


def test_seed_demo_leaves_the_planner_statistics_current():
    call_command("seed_demo", therapists=12, seed=3, force=True, stdout=StringIO())
    assert rows_the_planner_knows("directory_location") == Location.objects.count() > 12


def test_statistics_follow_a_migrate_that_applied_migrations_but_not_a_flush():
    some_therapists(2)
    after_migrate(sender=None, using="default", plan=None)  # what flush sends between test cases
    assert rows_the_planner_knows("directory_location") != Location.objects.count()
    after_migrate(sender=None, using="default", plan=[("a migration", False)])
    assert rows_the_planner_knows("directory_location") == Location.objects.count()


def test_a_sqlite_connection_gathers_the_statistics_its_queries_missed_as_it_closes(tmp_path):
    """PRAGMA optimize on close (config/sqlite/base.py): a site that only ever ran
    migrate on empty tables gains statistics once its queries use an index."""
    import sqlite3

    from config.env import database_from_url
    from config.sqlite.base import DatabaseWrapper

    path = tmp_path / "grown.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY, city TEXT, day TEXT)")
        setup.execute("CREATE INDEX visit_city ON visit (city)")
        setup.executemany(
            "INSERT INTO visit (city, day) VALUES (?, ?)", [(f"City {n % 50}", "2026-12-05") for n in range(5000)]
        )
    settings_dict = {**database_from_url("SOME_SQLITE_URL", f"sqlite:///{path}"), "TIME_ZONE": None}
    settings_dict.setdefault("CONN_HEALTH_CHECKS", False)
    settings_dict.setdefault("CONN_MAX_AGE", 0)
    settings_dict.setdefault("AUTOCOMMIT", True)
    settings_dict.setdefault("ATOMIC_REQUESTS", False)
    assert settings_dict["ENGINE"] == "config.sqlite"
    wrapper = DatabaseWrapper(settings_dict, alias="grown")
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM visit WHERE city = %s", ["City 7"])
        assert cursor.fetchone()[0] == 100
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchall() == []
    wrapper.close()
    with sqlite3.connect(path) as check:
        stats = check.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'visit'").fetchall()
    # A sample (analysis_limit) of the index: about 5,000 rows, about 100 per city.
    assert [idx for idx, _ in stats] == ["visit_city"]
    rows, per_city = (int(number) for number in stats[0][1].split())
    assert 2500 <= rows <= 10000 and 50 <= per_city <= 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_a_bulk_load_postgresql_is_also_vacuumed_outside_a_transaction():
    from directory.statistics import update_planner_statistics

    if connection.vendor != "postgresql":
        pytest.skip("VACUUM marks PostgreSQL's pages all-visible; SQLite needs only ANALYZE.")

    def last_vacuum():
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'directory_location'")
            return cursor.fetchone()[0]

    before = last_vacuum()
    update_planner_statistics()  # not a bulk load: ANALYZE only
    assert last_vacuum() == before
    update_planner_statistics(after_bulk_load=True)
    assert last_vacuum() is not None and last_vacuum() != before


def test_on_postgresql_the_seeder_renews_the_statistics_as_the_tables_grow(monkeypatch):
    from devtools.demo import bulk

    if connection.vendor != "postgresql":
        pytest.skip("The plans of PostgreSQL's deferred foreign key checks follow its statistics.")
    seen = []

    def refresh_listing(profiles):
        # The last transaction's foreign key checks are planned from these statistics.
        seen.append((rows_the_planner_knows("directory_profile"), rows_the_planner_knows("directory_location")))
        return original(profiles)

    original = bulk.refresh_listing
    monkeypatch.setattr(bulk, "refresh_listing", refresh_listing)
    monkeypatch.setattr(bulk, "CHUNK", 5)
    bulk.create_synthetic_therapists(12, seed=3)
    assert seen == [(Profile.objects.count(), Location.objects.count())]
