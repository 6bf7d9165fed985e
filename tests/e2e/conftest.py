"""Browser tests: the system Chromium, driven by Playwright, against a live
server on a real database, under the site's real Content-Security-Policy.

A failing test leaves a screenshot and the HTML of every page it had open in
test-artifacts/e2e/<test name>/, and the failure output names that folder.
"""

import importlib
import os
import re
from io import StringIO
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make between browser steps are still ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.e2e.a11y import DESKTOP, AxeAudit, a11y_results  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
# Long enough for a slow CI machine, short enough that a missing element fails fast.
STEP_TIMEOUT_MS = 10_000
expect.set_options(timeout=STEP_TIMEOUT_MS)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class BrowserErrors:
    """JavaScript errors and CSP refusals seen by any page of the test."""

    def __init__(self):
        self.messages: list[str] = []

    def watch(self, page) -> None:
        def on_console(message):
            if message.type == "error":
                self.messages.append(f"console error on {page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.messages.append(f"script error on {page.url}: {error}"))

    def assert_none(self) -> None:
        assert not self.messages, "The browser reported errors:\n" + "\n".join(self.messages)


@pytest.fixture
def browser_errors():
    return BrowserErrors()


@pytest.fixture
def new_page(request, browser, live_server, browser_errors):
    """Open a page in a fresh browser context (its own cookies): one per person."""
    contexts = []
    pages = []
    request.node.e2e_pages = pages

    def open_page(name: str = "page", *, viewport: dict | None = None, **context_options):
        assert not context_options.get("bypass_csp"), "the browser tests run under the real CSP"
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            base_url=live_server.url,
            accept_downloads=True,
            bypass_csp=False,
            **context_options,
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        browser_errors.watch(page)
        pages.append((name, page))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page("page")


@pytest.fixture
def axe(request, browser_errors):
    """Run axe-core on a page at phone and desktop widths; fail on any violation."""
    audit = AxeAudit(test_name=request.node.name, browser_errors=browser_errors)
    yield audit
    # A journey asserts at every page; this catches a page checked after the last assertion.
    if not getattr(request.node, "e2e_failed", False):
        audit.assert_clean()


# ------------------------------------------------------- the database and data


def _migration_function(app_label: str, module_name: str, function_name: str):
    module = importlib.import_module(f"{app_label}.migrations.{module_name}")
    return getattr(module, function_name)


@pytest.fixture(scope="session")
def _historical_apps(django_db_setup, django_db_blocker):
    """The app registry as the data migrations saw it (they expect one)."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    with django_db_blocker.unblock():
        loader = MigrationLoader(connection)
        return loader.project_state(("directory", "0003_reviewers_group")).apps


@pytest.fixture(autouse=True)
def _reference_data(_historical_apps, live_server, transactional_db):
    """The live server's database is flushed after every test, which wipes the
    rows the data migrations created. Put them back (the functions are
    idempotent), and load the guides, whatever order the tests run in."""
    from django.core.management import call_command

    _migration_function("directory", "0002_vocabularies", "add_vocabularies")(_historical_apps, None)
    _migration_function("directory", "0003_reviewers_group", "add_group")(_historical_apps, None)
    call_command("load_guides", stdout=StringIO())


@pytest.fixture(scope="session", autouse=True)
def _geocoder_loaded():
    """The offline geocoder loads its place data once per process, as each
    production worker does; load it before the clock of the first step starts."""
    from directory.geo import offline as geo

    geo.geocode("10001")
    geo.geocode("Leeds")


@pytest.fixture(autouse=True)
def _live_server_settings(settings):
    # Mail sent by the worker (tests.mail_helpers.run_tasks, same process) lands in django.core.mail.outbox.
    settings.EMAIL_BACKEND = "tests.mail_helpers.OutsideRequestsOnlyBackend"


# ------------------------------------------------------ artifacts on failure


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:120]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    if report.when == "call" and report.failed:
        item.e2e_failed = True
        folder = _save_artifacts(item)
        if folder is not None:
            message = f"Screenshots and page HTML saved in {folder}"
            report.sections.append(("e2e artifacts", message))
            reporter = item.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(f"\n[e2e] {item.nodeid}: {message}")
    return report


def _save_artifacts(item) -> Path | None:
    pages = getattr(item, "e2e_pages", None)
    if not pages:
        return None
    folder = ARTIFACTS_DIR / _safe_name(item.name)
    folder.mkdir(parents=True, exist_ok=True)
    for name, page in pages:
        if page.is_closed():
            continue
        try:
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            (folder / f"{name}.html").write_text(page.content(), encoding="utf-8")
            (folder / f"{name}.url.txt").write_text(page.url + "\n", encoding="utf-8")
        except Exception as error:  # noqa: BLE001 - a dead page must not hide the real failure
            (folder / f"{name}.error.txt").write_text(f"Could not save the page: {error}\n", encoding="utf-8")
    return folder


def pytest_terminal_summary(terminalreporter):
    if not a11y_results:
        return
    terminalreporter.section("axe-core results per page and width")
    for (test_name, label, width), violations in a11y_results.items():
        outcome = "pass" if not violations else "FAIL " + ", ".join(violations)
        terminalreporter.write_line(f"{test_name} | {label} | {width}px | {outcome}")
