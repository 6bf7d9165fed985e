"""The fault suite: gunicorn with DEBUG off against its own PostgreSQL, Redis and mail
server (tests/fault_stack.py), each made to fail in turn.

Slow (about two minutes) and needs root (the cluster runs as ``postgres``),
PostgreSQL's server binaries and redis-server. The figures measured are
written to var/faults/results.json; the README's "Reliability" table quotes them.
"""

import html
import itertools
import json
import re
import signal
import subprocess
import sys
import tarfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests

from tests.fault_stack import ROOT, Stack

pytestmark = pytest.mark.slow

RESULTS: dict[str, float | int | str] = {}
THERAPIST = "ada.listed@demo.example"
PASSWORD = "demo-password-2026"  # devtools/demo/people_base.py
STORAGE_FAILED = "We could not save your document; nothing was changed — please try again later."
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture(scope="module")
def stack():
    if not Path("/usr/sbin/runuser").exists() and not Path("/sbin/runuser").exists():
        pytest.skip("runuser is needed to run PostgreSQL as the postgres user")
    built = Stack()
    try:
        built.start()
        RESULTS["gunicorn_listening_s"] = round(built.listening_after, 1)
        RESULTS["gunicorn_first_answer_s"] = round(built.first_answer_after, 1)
        yield built
    finally:
        built.close()
        folder = ROOT / "var" / "faults"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "results.json").write_text(json.dumps(RESULTS, indent=2) + "\n")
        print("\nFault suite figures:", json.dumps(RESULTS, indent=2))


class Browser:
    """One visitor: a cookie jar, a CSRF token taken from each form, and an address of their own
    (behind the one trusted proxy the stack is configured with), so rate limits count them apart."""

    def __init__(self, stack: Stack):
        self.base = stack.base
        self.session = requests.Session()
        self.session.headers["X-Forwarded-For"] = next(_addresses)

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=40, allow_redirects=False)

    def token(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)

    def post(self, path: str, data: dict, files=None, token: str | None = None) -> requests.Response:
        data = {**data, "csrfmiddlewaretoken": token or self.token(path)}
        return self.session.post(self.base + path, data=data, files=files, timeout=40, allow_redirects=False)

    def sign_in(self, email: str = THERAPIST) -> None:
        response = self.post("/accounts/login/", {"login": email, "password": PASSWORD})
        assert response.status_code == 302, response.text[:500]


def timed(call, *args, **kwargs):
    started = time.monotonic()
    result = call(*args, **kwargs)
    return result, time.monotonic() - started


def listed_slugs(browser: Browser, query: str = "") -> list[str]:
    response = browser.get(f"/therapists/{query}")
    assert response.status_code == 200
    return list(dict.fromkeys(re.findall(r'href="/therapists/([a-z0-9-]+)/(?:\?[^"]*)?"', response.text)))


def enquiry(browser: Browser, slug: str, email: str) -> requests.Response:
    data = {"name": "Pat Fault", "email": email, "message": "Do you have space next week?", "consent": "on"}
    return browser.post(f"/therapists/{slug}/enquiry/", {**data, "website": ""})


def sign_up(browser: Browser, email: str, token: str | None = None) -> requests.Response:
    data = {"email": email, "password1": "a-long-fault-password", "password2": "a-long-fault-password"}
    return browser.post("/accounts/signup/", data, token=token)


def waiting_tasks(stack) -> int:
    """Background tasks not yet done: queued (whenever due) or running."""
    sql = "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
    return stack.sql("directory", sql)[0][0]


def wait_until(condition, timeout: float) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"not true after {timeout} s"
        time.sleep(0.1)
    return time.monotonic() - started


class FormValues(HTMLParser):
    """What a browser would send for the page's form: inputs, checked boxes, text areas, chosen options."""

    def __init__(self):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._textarea = self._select = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.values.append((name, attrs.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = name, ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value") or ""))

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.values.append((self._textarea, html.unescape(self._text).strip()))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_values(page: str) -> dict:
    form = page[page.index('class="dash-form"') : page.index("</form>", page.index('class="dash-form"'))]
    parser = FormValues()
    parser.feed(form)
    values: dict = {}
    for name, value in parser.values:
        values.setdefault(name, []).append(value)
    return {name: value[0] if len(value) == 1 else value for name, value in values.items()}


# --- Start-up


def test_gunicorn_answers_as_soon_as_it_listens(stack):
    assert stack.first_answer_after - stack.listening_after < 2


def test_healthz_reports_each_component(stack):
    response = Browser(stack).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


# --- Redis down


def test_with_redis_down_every_page_works_and_an_enquiry_is_saved(stack):
    visitor, therapist = Browser(stack), Browser(stack)
    slug = listed_slugs(visitor)[0]
    stack.stop_redis()
    try:
        public = ["/", "/therapists/", "/therapists/?near=10001&radius=50", f"/therapists/{slug}/", "/guides/",
                  "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]  # fmt: skip
        slowest = 0.0
        for path in public:
            response, seconds = timed(visitor.get, path)
            assert response.status_code == 200, path
            slowest = max(slowest, seconds)
        therapist.sign_in()
        for path in ["/dashboard/", "/dashboard/profile/", "/dashboard/enquiries/", "/dashboard/credentials/add/"]:
            response, seconds = timed(therapist.get, path)
            assert response.status_code == 200, path
            slowest = max(slowest, seconds)
        before = stack.sql("directory", "SELECT count(*) FROM directory_enquiry")[0][0]
        response = enquiry(visitor, slug, "redis.down@example.test")
        assert response.status_code == 302
        assert stack.sql("directory", "SELECT count(*) FROM directory_enquiry")[0][0] == before + 1
        health = visitor.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "ok", "cache": "unavailable"}
        RESULTS["redis_down_pages"] = len(public) + 4
        RESULTS["redis_down_slowest_page_s"] = round(slowest, 2)
    finally:
        stack.start_redis()


# --- A mail server that accepts connections and never answers


def test_with_mail_stalled_enquiry_and_sign_up_answer_at_once_and_mail_goes_later(stack):
    visitor = Browser(stack)
    slug = listed_slugs(visitor)[0]
    therapist_email = stack.sql(
        "directory",
        "SELECT u.email FROM accounts_user u JOIN directory_profile p ON p.user_id = u.id WHERE p.slug = %s",
        (slug,),
    )[0][0]
    newcomer = "mail.stalled@example.test"
    # Mail from the tests before this one (retries among it) goes first, so that
    # only this test's mail is counted and released below.
    stack.sql("directory", "UPDATE django_tasks_database_dbtaskresult SET run_after = now() WHERE status = 'READY'")
    wait_until(lambda: not waiting_tasks(stack), timeout=60)
    already = len(stack.mail.to(therapist_email))
    stack.mail.stalled.set()
    try:
        response, enquiry_seconds = timed(enquiry, visitor, slug, "stalled.mail@example.test")
        assert response.status_code == 302 and enquiry_seconds < 2
        response, sign_up_seconds = timed(sign_up, Browser(stack), newcomer)
        assert response.status_code == 302 and sign_up_seconds < 2
        time.sleep(4)  # the worker tries, and gives up after EMAIL_TIMEOUT (3 s)
        assert len(stack.mail.to(therapist_email)) == already and not stack.mail.to(newcomer)
    finally:
        stack.mail.stalled.clear()
    # An hour passes: the retries fall due.
    stack.sql("directory", "UPDATE django_tasks_database_dbtaskresult SET run_after = now() WHERE status = 'READY'")
    delivered = wait_until(
        lambda: len(stack.mail.to(therapist_email)) > already and stack.mail.to(newcomer), timeout=30
    )
    time.sleep(2)
    assert len(stack.mail.to(therapist_email)) == already + 1
    assert len(stack.mail.to(newcomer)) == 1
    RESULTS["mail_stalled_enquiry_s"] = round(enquiry_seconds, 2)
    RESULTS["mail_stalled_sign_up_s"] = round(sign_up_seconds, 2)
    RESULTS["mail_delivered_after_server_answers_s"] = round(delivered, 1)


# --- A disk that cannot take the file


def test_a_document_that_cannot_be_stored_gives_the_form_back_with_503_and_no_file(stack):
    therapist = Browser(stack)
    therapist.sign_in()
    files_before = sorted(path for path in stack.private.rglob("*") if path.is_file())
    rows_before = stack.sql("directory", "SELECT count(*) FROM directory_credential")[0][0]
    document = b"%PDF-1.4\n" + b"0" * (3 * 64 * 1024)
    data = {"kind": "insurance", "issuer": "Fault Mutual Insurance", "identifier": "", "jurisdiction": "New York",
            "issued_on": "2025-01-01", "expires_on": "2030-01-01", "training_hours": ""}  # fmt: skip
    response, seconds = timed(
        therapist.post,
        "/dashboard/credentials/add/",
        data,
        files={"evidence": ("policy.pdf", document, "application/pdf")},
    )
    assert response.status_code == 503
    assert STORAGE_FAILED in html.unescape(response.text)
    assert "Fault Mutual Insurance" in response.text
    assert sorted(path for path in stack.private.rglob("*") if path.is_file()) == files_before
    assert stack.sql("directory", "SELECT count(*) FROM directory_credential")[0][0] == rows_before
    RESULTS["disk_full_upload_s"] = round(seconds, 2)


# --- Double-clicked sign-up, two tabs


def test_a_double_clicked_sign_up_never_gives_an_error(stack):
    statuses = []
    for n in range(5):
        person = Browser(stack)
        token = person.token("/accounts/signup/")
        start = threading.Barrier(2)

        def click(email=f"double.{n}@example.test", person=person, token=token, start=start):
            start.wait()
            statuses.append(sign_up(person, email, token=token).status_code)

        clicks = [threading.Thread(target=click) for _ in range(2)]
        for thread in clicks:
            thread.start()
        for thread in clicks:
            thread.join()
    assert len(statuses) == 10
    assert set(statuses) <= {200, 302}, statuses
    RESULTS["double_sign_up_errors"] = sum(status >= 500 for status in statuses)


def test_a_profile_saved_in_two_tabs_refuses_the_stale_save(stack):
    therapist = Browser(stack)
    therapist.sign_in()
    page = therapist.get("/dashboard/profile/").text
    tab_one, tab_two = form_values(page), form_values(page)
    assert tab_one["version"]
    tab_one["headline"] = "Changed in the first tab"
    assert therapist.post("/dashboard/profile/", tab_one).status_code == 302
    tab_two["bio"] = "Typed in the second tab."
    response = therapist.post("/dashboard/profile/", tab_two)
    assert response.status_code == 400
    assert "changed in another tab" in response.text
    assert "Changed in the first tab" in html.unescape(response.text)


# --- PostgreSQL hung


def test_with_the_database_hung_every_request_ends_quickly_with_503(stack):
    visitor = Browser(stack)
    slug = listed_slugs(visitor)[0]
    stack.signal_postgres(signal.SIGSTOP)
    try:
        health, health_seconds = timed(visitor.get, "/healthz")
        assert health.status_code == 503 and health_seconds < 3
        assert health.json()["database"] == "unavailable"
        slowest = 0.0
        for path in ["/", f"/therapists/{slug}/", "/therapists/?near=10001", "/guides/"]:
            response, seconds = timed(visitor.get, path)
            assert response.status_code == 503, path
            assert "briefly unavailable" in response.text
            assert seconds < 15, (path, seconds)
            slowest = max(slowest, seconds)
    finally:
        stack.signal_postgres(signal.SIGCONT)
    recovered = wait_until(lambda: visitor.get("/healthz").status_code == 200, timeout=30)
    assert visitor.get(f"/therapists/{slug}/").status_code == 200
    RESULTS["db_hung_healthz_s"] = round(health_seconds, 2)
    RESULTS["db_hung_slowest_page_s"] = round(slowest, 1)
    RESULTS["db_recovered_after_s"] = round(recovered, 1)


# --- Backup, drop, restore


def test_a_backup_restored_into_a_new_database_gives_the_same_search_results(stack):
    visitor = Browser(stack)
    query = "?near=10001&radius=100"
    before = listed_slugs(visitor, query)
    assert before
    backups = stack.folder / "backups"
    env = stack.env(BACKUP_DIR=str(backups), BACKUP_RETENTION_DAYS="14", PYTHON=sys.executable)
    started = time.monotonic()
    subprocess.run(["sh", "deploy/backup.sh"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    backed_up = time.monotonic() - started
    [dump] = backups.glob("directory-*.dump")

    stack.stop_worker()
    stack.sql("postgres", "DROP DATABASE directory WITH (FORCE)")
    stack.sql("postgres", "CREATE DATABASE directory")
    assert visitor.get(f"/therapists/{query}").status_code == 503
    started = time.monotonic()
    restore = subprocess.run(
        ["sh", "deploy/restore.sh", str(dump).removesuffix(".dump")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert restore.returncode == 0, restore.stderr
    restored = time.monotonic() - started
    stack.start_worker()
    assert listed_slugs(visitor, query) == before
    RESULTS["backup_s"] = round(backed_up, 1)
    RESULTS["restore_s"] = round(restored, 1)
    RESULTS["restore_same_results"] = "yes"


def test_a_backup_of_one_folder_for_all_files_as_in_the_compose_stack(stack):
    # There MinIO's data folder holds both buckets: PRIVATE_MEDIA_ROOT is left unset.
    data = stack.folder / "minio-data"
    (data / "evidence").mkdir(parents=True)
    (data / "evidence" / "part.1").write_bytes(b"evidence bytes")
    backups = stack.folder / "one-folder-backups"
    env = stack.env(BACKUP_DIR=str(backups), MEDIA_ROOT=str(data))
    del env["PRIVATE_MEDIA_ROOT"]
    subprocess.run(["sh", "deploy/backup.sh"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    written = [path.name for path in backups.iterdir()]
    assert len(written) == 2 and not any(name.endswith("-private.tar.gz") for name in written)
    [archive] = backups.glob("directory-*-media.tar.gz")
    with tarfile.open(archive) as tar:
        assert "./evidence/part.1" in tar.getnames()
