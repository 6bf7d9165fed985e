"""Settings for the test suite: the real settings, made fast and hermetic."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c")

from config.settings import *  # noqa: E402,F403

if "devtools" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS.append("devtools")  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "search_pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "search-pages"},
    "cards": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "result-cards"},
}
# Mail is queued as task rows in the database, as in production; tests run the
# due tasks with tests.mail_helpers.run_tasks(), and tests/conftest.py makes
# any mail sent inside a web request fail the test.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Tests use SQLite in memory, where the backend's PRAGMA optimize on close
# (config/sqlite/base.py, tested on its own) does nothing; under the stock
# engine name pytest-django gives each parallel worker its own in-memory database.
if DATABASES["default"]["ENGINE"] == "config.sqlite":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "django.db.backends.sqlite3"  # noqa: F405
# A read-replica alias that mirrors the test database, for the routing tests
# (tests/test_replica_routing.py). Nothing reads from it unless a test
# installs the router, as DATABASE_REPLICA_URL does.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
