"""The app runs as several stateless replicas: proven on one machine.

Two gunicorn replicas (A and B) behind nginx, a PostgreSQL primary with a
synchronous streaming replica, Redis and an S3 server (tests/replica_stack.py).
Whatever one replica stores or counts, the other sees: uploads, sessions,
rate limits, and the search after a change, read through the database replica.
Killing a replica under load costs no request beyond those it was answering.
"""

import threading
import time

import pytest
import requests

from devtools.demo.people_base import DEMO_PASSWORD
from devtools.demo.reviewers import REVIEWER_EMAIL, REVIEWER_TOTP_SECRET
from tests.replica_stack import (
    EVIDENCE_BUCKET,
    MISSING_HELP,
    PHOTOS_BUCKET,
    PORTS,
    Stack,
    csrf_token,
    form_values,
    missing_tools,
)
from tests.review_helpers import totp_code
from tests.therapist_helpers import PDF_BYTES, image_bytes

pytestmark = pytest.mark.slow

THERAPIST = "ulric.ready@demo.example"
PENDING = "pending.verity@demo.example"
PENDING_NAME = "Verity Pendlebury"


@pytest.fixture(scope="module")
def stack():
    missing = missing_tools()
    if missing:
        pytest.fail(f"Missing: {', '.join(missing)}. {MISSING_HELP}")
    deployment = Stack()
    try:
        deployment.start()
        yield deployment
    except Exception:
        for name in ("web-a", "web-b", "nginx"):
            print(f"--- {name} log ---\n{deployment.log(name)[-3000:]}")
        raise
    finally:
        deployment.stop()


class Visitor:
    """One browser: its own cookies, and the client address nginx would have passed on."""

    def __init__(self, stack: Stack, address: str):
        self.stack = stack
        self.session = requests.Session()
        self.session.headers["X-Forwarded-For"] = address

    def get(self, where: str, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.stack.url(where) + path, timeout=30, **kwargs)

    def post(self, where: str, path: str, data, *, form_page: str | None = None, **kwargs) -> requests.Response:
        """POST ``data`` with the CSRF token of ``form_page`` (default: the same path), as a form would."""
        page = self.get(where, form_page or path).text
        data = [("csrfmiddlewaretoken", csrf_token(page)), *(data.items() if isinstance(data, dict) else data)]
        return self.session.post(self.stack.url(where) + path, data=data, allow_redirects=False, timeout=30, **kwargs)

    def sign_in(self, where: str, email: str, *, totp_secret: str | None = None) -> None:
        response = self.post(where, "/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.text[:500]
        if totp_secret:
            assert response.headers["Location"].startswith("/accounts/2fa/authenticate/")
            response = self.post(where, "/accounts/2fa/authenticate/", {"code": totp_code(totp_secret)})
            assert response.status_code == 302, response.text[:500]


@pytest.fixture(scope="module")
def reviewer(stack):
    """The demo reviewer, signed in with an authenticator code through replica B."""
    visitor = Visitor(stack, "10.20.0.2")
    visitor.sign_in("b", REVIEWER_EMAIL, totp_secret=REVIEWER_TOTP_SECRET)
    return visitor


@pytest.fixture(scope="module")
def therapist(stack):
    """A demo therapist, signed in through replica A."""
    visitor = Visitor(stack, "10.20.0.3")
    visitor.sign_in("a", THERAPIST)
    return visitor


def object_keys(stack: Stack, bucket: str) -> set[str]:
    return {item["Key"] for item in stack.s3().list_objects_v2(Bucket=bucket).get("Contents", [])}


def test_a_session_started_on_a_works_on_b(stack):
    visitor = Visitor(stack, "10.20.0.4")
    visitor.sign_in("a", THERAPIST)
    response = visitor.get("b", "/dashboard/", allow_redirects=False)
    assert response.status_code == 200
    assert "Ulric Readymoor" in response.text
    visitor.post("b", "/accounts/logout/", {})
    assert visitor.get("a", "/dashboard/", allow_redirects=False).status_code == 302


def test_evidence_uploaded_through_a_is_opened_by_a_reviewer_through_b(stack, therapist, reviewer):
    data = {
        "kind": "insurance",
        "issuer": "Demo Mutual Liability",
        "identifier": "DEMO-INS-5541",
        "jurisdiction": "New York",
        "issued_on": "2025-01-01",
        "expires_on": "2030-01-01",
        "training_hours": "",
    }
    files = {"evidence": ("policy.pdf", PDF_BYTES, "application/pdf")}
    response = therapist.post("a", "/dashboard/credentials/add/", data, files=files)
    assert response.status_code == 302, response.text[:800]
    [(credential_id, name)] = stack.app_sql(
        "SELECT c.id, c.evidence FROM directory_credential c JOIN directory_profile p ON p.id = c.profile_id"
        " JOIN accounts_user u ON u.id = p.user_id WHERE u.email = %s AND c.identifier = 'DEMO-INS-5541'",
        (THERAPIST,),
    )
    assert name in object_keys(stack, EVIDENCE_BUCKET)
    assert name not in object_keys(stack, PHOTOS_BUCKET)

    response = reviewer.get("b", f"/dashboard/credentials/{credential_id}/evidence/")
    assert response.status_code == 200
    assert response.content == PDF_BYTES
    assert response.headers["Content-Disposition"].startswith("attachment;")
    opened = stack.app_sql(
        "SELECT u.email FROM directory_verificationevent e JOIN accounts_user u ON u.id = e.actor_id"
        " WHERE e.credential_id = %s AND e.action = 'evidence_opened'",
        (credential_id,),
    )
    assert opened == [(REVIEWER_EMAIL,)]
    # The bucket answers no unsigned request, the public media path does not lead to it,
    # and another therapist gets 404 from the app.
    assert requests.get(f"{stack.url('s3')}/{EVIDENCE_BUCKET}/{name}", timeout=10).status_code == 403
    assert requests.get(f"{stack.url('nginx')}/media/{name}", timeout=10).status_code in (403, 404)
    stranger = Visitor(stack, "10.20.0.5")
    stranger.sign_in("b", PENDING)
    assert stranger.get("b", f"/dashboard/credentials/{credential_id}/evidence/").status_code == 404


def test_a_photo_uploaded_through_a_is_served_through_b(stack, therapist):
    page = therapist.get("a", "/dashboard/profile/").text
    values = form_values(page, enctype="multipart/form-data")
    assert ("display_name", "Ulric Readymoor") in values
    files = {"photo": ("me.png", image_bytes("PNG", size=(120, 90)), "image/png")}
    response = therapist.post("a", "/dashboard/profile/", values, files=files)
    assert response.status_code == 302, response.text[:800]
    [(name,)] = stack.app_sql(
        "SELECT p.photo FROM directory_profile p JOIN accounts_user u ON u.id = p.user_id WHERE u.email = %s",
        (THERAPIST,),
    )
    assert name.startswith("photos/") and name in object_keys(stack, PHOTOS_BUCKET)

    page_on_b = therapist.get("b", "/dashboard/profile/").text
    assert f'href="/media/{name}"' in page_on_b  # "Currently: …" beside the photo field
    photo = requests.get(f"{stack.url('nginx')}/media/{name}", timeout=10)
    assert photo.status_code == 200
    assert photo.content[:3] == b"\xff\xd8\xff"


def standby_reads(stack: Stack) -> int:
    """Statements the database replica has run that read therapists' locations."""
    return stack.standby_log.read_text(errors="replace").count('"directory_location"')


def test_a_verification_on_a_changes_search_results_on_b_at_once_through_the_replica(stack, reviewer):
    # The reviewer signed in through B; the decisions are made through A.
    patient = Visitor(stack, "10.20.0.7")
    search = "/therapists/?near=10027"
    for _ in range(2):  # the second answer comes from B's page cache
        assert PENDING_NAME not in patient.get("b", search).text
    pending = stack.app_sql(
        "SELECT c.id FROM directory_credential c JOIN directory_profile p ON p.id = c.profile_id"
        " JOIN accounts_user u ON u.id = p.user_id WHERE u.email = %s AND c.status = 'pending' ORDER BY c.id",
        (PENDING,),
    )
    assert len(pending) == 2
    for (credential_id,) in pending:
        action = f"/review/credentials/{credential_id}/verify/"
        page = reviewer.get("a", f"/review/credentials/{credential_id}/").text
        # The form as the page starts it (register, hours), completed as a reviewer would.
        decision = dict(form_values(page, action=action))
        decision.update(method="registry", reference="Board look-up", name_matches="on")
        if "training_hours" in decision:
            decision["method"] = "issuer"
            decision["training_hours"] = decision["training_hours"] or "30"
            decision.setdefault("hands_on", "yes")
        if decision.get("source"):
            decision.update(register_status="Active", disciplinary_action="no")
        response = reviewer.post("a", action, decision, form_page=f"/review/credentials/{credential_id}/")
        assert response.status_code == 302, response.text[:800]

    before = standby_reads(stack)
    response = patient.get("b", search)
    assert PENDING_NAME in response.text
    assert standby_reads(stack) > before, "B's search did not read from the database replica"
    api = patient.get("b", "/api/v1/therapists/?near=10027").json()
    assert PENDING_NAME in {item["name"] for item in api["results"]}


def test_a_rate_limit_counts_across_both_replicas(stack):
    # Sign-in attempts: 10 a minute from one address (config/settings.py ACCOUNT_RATE_LIMITS).
    visitor = Visitor(stack, "10.20.0.8")
    answers = []
    for attempt in range(11):
        where = "ab"[attempt % 2]
        data = {"login": f"nobody-{attempt}@example.org", "password": "not-the-password"}
        answers.append(visitor.post(where, "/accounts/login/", data).status_code)
    # Each replica saw at most six attempts; only the shared count reaches eleven.
    assert answers[:10] == [200] * 10
    assert answers[10] == 429
    other = Visitor(stack, "10.20.0.9")
    assert other.post("a", "/accounts/login/", {"login": "x@example.org", "password": "wrong-one"}).status_code == 200


def test_a_replica_killed_mid_load_costs_no_request_beyond_those_in_flight(stack):
    paths = ["/therapists/?near=10001", "/therapists/?near=10027", "/guides/", "/healthz"]
    results: list[tuple[float, float, int | str]] = []
    stop_at = time.monotonic() + 8
    lock = threading.Lock()

    def load(offset: int) -> None:
        session = requests.Session()
        index = offset
        while time.monotonic() < stop_at:
            path = paths[index % len(paths)]
            index += 1
            started = time.monotonic()
            try:
                outcome: int | str = session.get(stack.url("nginx") + path, timeout=20).status_code
            except requests.RequestException as error:
                outcome = type(error).__name__
            with lock:
                results.append((started, time.monotonic(), outcome))

    threads = [threading.Thread(target=load, args=(offset,)) for offset in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    killed_at = time.monotonic()
    stack.kill_web("a")
    for thread in threads:
        thread.join()
    try:
        failed = [(started, ended, outcome) for started, ended, outcome in results if outcome != 200]
        in_flight = [r for r in failed if r[0] <= killed_at <= r[1]]
        assert failed == in_flight, f"requests failed that began after the kill: {failed}"
        assert len(in_flight) <= len(threads)
        assert sum(1 for started, _, _ in results if started > killed_at) > 20
        assert sum(1 for started, _, _ in results if started < killed_at) > 20
    finally:
        stack.start_web("a")
    # Before the kill nginx spread the load over both replicas.
    upstreams = (stack.root / "nginx" / "access.log").read_text()
    assert f"127.0.0.1:{PORTS['a']}" in upstreams
    assert f"127.0.0.1:{PORTS['b']}" in upstreams
