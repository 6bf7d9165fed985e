import pytest
from django.core.cache import cache, caches


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters and used TOTP codes live in the cache; search pages and result cards in their own.
    from directory.search.cache import forget_edition_data

    for each in (cache, caches["search_pages"], caches["cards"]):
        each.clear()
    forget_edition_data()
    yield
    for each in (cache, caches["search_pages"], caches["cards"]):
        each.clear()
    forget_edition_data()


@pytest.fixture(autouse=True)
def _no_mail_inside_requests(settings):
    """Django's test setup swaps in the locmem backend: swap in ours, which also
    fails any test in which a web request sends mail itself (tests/mail_helpers.py)."""
    settings.EMAIL_BACKEND = "tests.mail_helpers.OutsideRequestsOnlyBackend"


@pytest.fixture(autouse=True)
def _private_file_roots(settings, tmp_path):
    """Each test stores uploads in its own folders, never in the project's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
