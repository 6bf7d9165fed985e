"""Planner statistics the app keeps itself.

Without statistics SQLite guesses, and on a large directory it can pick an
index that reads every verified credential for one page of result cards.
PostgreSQL's autovacuum gathers statistics in time; SQLite never does unless
asked. So after anything that writes in bulk (migrations, demo data,
``refresh_listings``) the app runs ``ANALYZE`` on whichever database it uses.

After a bulk load (``seed_demo``, ``refresh_listings``) PostgreSQL also gets a
``VACUUM``: it marks the pages just written as visible to everyone, so the
search's index scans need not visit the table to check each row. Autovacuum
would do the same on a live site, some time later. ``VACUUM`` cannot run
inside a transaction; there (as in the tests) only ``ANALYZE`` runs.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def update_planner_statistics(using: str = DEFAULT_DB_ALIAS, *, after_bulk_load: bool = False) -> None:
    connection = connections[using]
    vacuum = after_bulk_load and connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")


def after_migrate(sender, *, using: str = DEFAULT_DB_ALIAS, plan=None, **kwargs) -> None:
    """After ``migrate`` applied migrations. ``flush`` (tests between cases) sends no plan: nothing to do."""
    if plan:
        update_planner_statistics(using)
