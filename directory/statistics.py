"""Planner statistics the app keeps itself.

Without statistics SQLite guesses, and on a large directory it can pick an
index that reads every verified credential for one page of result cards.
PostgreSQL's autovacuum gathers statistics in time; SQLite never does unless
asked. So after anything that writes in bulk (migrations, demo data,
``refresh_listings``) the app runs ``ANALYZE`` on whichever database it uses.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def update_planner_statistics(using: str = DEFAULT_DB_ALIAS) -> None:
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")


def after_migrate(sender, *, using: str = DEFAULT_DB_ALIAS, plan=None, **kwargs) -> None:
    """After ``migrate`` applied migrations. ``flush`` (tests between cases) sends no plan: nothing to do."""
    if plan:
        update_planner_statistics(using)
