"""A weighted full-text search vector on profiles.

The column exists on every database (SQLite stores it as an unused, empty
column); the GIN index and the vectors themselves exist only on PostgreSQL.
"""

import django.contrib.postgres.search
from django.db import migrations

INDEX_NAME = "profile_search_vector_gin"

# The same weighting as directory.search.refresh_search_text, for rows that
# exist before this migration: name (A), headline and services (B), bio (C).
BACKFILL_SQL = """
UPDATE directory_profile AS p SET search_vector =
    setweight(to_tsvector('english', coalesce(p.display_name, '')), 'A')
    || setweight(to_tsvector('english', coalesce(p.headline, '') || ' ' || coalesce((
        SELECT string_agg(s.name, ' ' ORDER BY s.position, s.name)
        FROM directory_profile_services AS ps JOIN directory_service AS s ON s.id = ps.service_id
        WHERE ps.profile_id = p.id), '')), 'B')
    || setweight(to_tsvector('english', coalesce(p.bio, '')), 'C')
"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON directory_profile USING gin (search_vector)")
    schema_editor.execute(BACKFILL_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0003_reviewers_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
