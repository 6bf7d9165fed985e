"""Each location's published point, stored: the only point a search measures from."""

from django.db import migrations, models

# The search index's leading columns as this migration leaves them.
SEARCH_INDEX_FIELDS = [
    "published_latitude",
    "published_longitude",
    "listed_until",
    "service_bits",
    "phase_bits",
    "care_setting_bits",
    "cancer_type_bits",
    "language_bits",
]


def fill_published_points(apps, schema_editor):
    # The rule of Location.set_published_point, written out so the migration
    # keeps working whatever the model becomes.
    Location = apps.get_model("directory", "Location")
    batch = []
    for location in Location.objects.using(schema_editor.connection.alias).order_by("pk").iterator(chunk_size=2000):
        if location.show_street_address:
            location.published_latitude, location.published_longitude = location.latitude, location.longitude
        else:
            location.published_latitude = round(float(location.latitude), 2)
            location.published_longitude = round(float(location.longitude), 2)
        batch.append(location)
        if len(batch) == 2000:
            Location.objects.bulk_update(batch, ["published_latitude", "published_longitude"])
            batch = []
    if batch:
        Location.objects.bulk_update(batch, ["published_latitude", "published_longitude"])


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0014_evidence_storage_by_alias"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="location", name="location_search"),
        migrations.RemoveIndex(model_name="location", name="location_search_home_area"),
        migrations.AddField(
            model_name="location",
            name="published_latitude",
            field=models.FloatField(default=0.0, editable=False),
        ),
        migrations.AddField(
            model_name="location",
            name="published_longitude",
            field=models.FloatField(default=0.0, editable=False),
        ),
        migrations.RunPython(fill_published_points, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="location",
            index=models.Index(
                fields=[*SEARCH_INDEX_FIELDS, "profile"],
                name="location_search",
            ),
        ),
        migrations.AddIndex(
            model_name="location",
            index=models.Index(
                condition=models.Q(("travel_radius_miles__isnull", False)),
                fields=[*SEARCH_INDEX_FIELDS, "travel_radius_miles", "profile"],
                name="location_search_home_area",
            ),
        ),
    ]
