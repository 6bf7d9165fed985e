"""Production collects the static files with hashed names: every file a
stylesheet points at (a map's icons, for example) must be in the repository,
or `collectstatic` fails on the server."""

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_hashed_names_finds_every_referenced_file(tmp_path):
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)

    collected = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")}
    assert "staticfiles.json" in collected
    assert "vendor/leaflet/leaflet.css" in collected
    assert "vendor/leaflet/images/layers.png" in collected
