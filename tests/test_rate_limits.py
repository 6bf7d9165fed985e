"""Abuse limits: sign-in, sign-up, password reset, enquiries and uploads
stop answering after a burst and show the friendly 429 page instead.

The limits are the real ones from settings (ACCOUNT_RATE_LIMITS over
allauth's defaults), read here rather than copied, so the tests follow a
change of numbers; the counters live in the cache, which tests/conftest.py
clears around every test.
"""

import pytest
from allauth.account import app_settings as allauth_settings
from allauth.core.internal.ratelimit import parse_rates
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from directory.models import Credential, Enquiry
from tests.factories import PASSWORD, make_listed_profile, make_profile, make_user
from tests.mail_helpers import run_tasks

pytestmark = pytest.mark.django_db

FRIENDLY = "Please wait a little"
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def allowed(action: str, per: str) -> int:
    """How many requests the tightest ``per`` ("ip", "key", "user") rate of ``action`` lets through."""
    amounts = [rate.amount for rate in parse_rates(allauth_settings.RATE_LIMITS.get(action)) if rate.per == per]
    assert amounts, f"no {per} rate limit for {action}"
    return min(amounts)


def test_every_limited_action_has_a_limit():
    assert allowed("login", "ip") <= 30
    assert allowed("login_failed", "key") <= 10
    assert allowed("signup", "ip") <= 20
    assert allowed("reset_password", "ip") <= 20
    assert allowed("reset_password", "key") <= 5
    assert allowed("enquiry", "ip") <= 10
    assert allowed("enquiry", "key") <= 5
    assert allowed("upload", "user") <= 50


def assert_friendly_429(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert FRIENDLY in html
    assert "<h1>" in html  # our page in the site's layout, not a bare error


def test_sign_in_attempts_from_one_address_are_limited(client):
    make_user("someone@example.test")
    for n in range(allowed("login", "ip")):
        response = client.post("/accounts/login/", {"login": f"guess{n}@example.test", "password": "wrong-password"})
        assert response.status_code == 200, n
    response = client.post("/accounts/login/", {"login": "someone@example.test", "password": PASSWORD})
    assert_friendly_429(response)
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_for_one_account_lock_it_for_a_while_with_a_plain_message(client):
    make_user("target@example.test")
    for _ in range(allowed("login_failed", "key")):
        client.post("/accounts/login/", {"login": "target@example.test", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"login": "target@example.test", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_changing_the_host_port_does_not_reset_the_lockout(client):
    make_user("someone@example.test")
    for _ in range(allowed("login_failed", "key")):
        client.post(
            "/accounts/login/",
            {"login": "someone@example.test", "password": "wrong-password"},
            HTTP_HOST="127.0.0.1:8112",
        )
    for host in ("127.0.0.1:8112", "127.0.0.1:9999", "localhost:1", "testserver"):
        response = client.post(
            "/accounts/login/", {"login": "someone@example.test", "password": PASSWORD}, HTTP_HOST=host
        )
        assert "_auth_user_id" not in client.session, host
        assert "Too many failed login attempts" in response.content.decode(), host


def test_sign_ups_from_one_address_are_limited(client):
    for n in range(allowed("signup", "ip")):
        response = client.post(
            "/accounts/signup/",
            {"email": f"new{n}@example.test", "password1": PASSWORD, "password2": PASSWORD},
        )
        assert response.status_code == 302, n
    response = client.post(
        "/accounts/signup/", {"email": "one.more@example.test", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert_friendly_429(response)
    assert not User.objects.filter(email="one.more@example.test").exists()


def test_password_reset_requests_for_one_email_are_limited(client, mailoutbox):
    make_user("forgetful@example.test")
    limit = allowed("reset_password", "key")
    for n in range(limit):
        response = client.post("/accounts/password/reset/", {"email": "forgetful@example.test"})
        assert response.status_code == 302, n
    response = client.post("/accounts/password/reset/", {"email": "forgetful@example.test"})
    assert_friendly_429(response)
    run_tasks()
    assert len(mailoutbox) == limit


def test_password_reset_requests_from_one_address_are_limited(client):
    for n in range(allowed("reset_password", "ip")):
        client.post("/accounts/password/reset/", {"email": f"someone{n}@example.test"})
    assert_friendly_429(client.post("/accounts/password/reset/", {"email": "another@example.test"}))


def test_uploads_are_limited_per_therapist(client):
    user = make_user()
    make_profile(user)
    client.force_login(user)
    url = reverse("credential_add")
    data = {"kind": Credential.Kind.OTHER, "issuer": "Test issuer"}
    for n in range(allowed("upload", "user")):
        upload = SimpleUploadedFile(f"evidence{n}.pdf", TINY_PDF, content_type="application/pdf")
        response = client.post(url, {**data, "evidence": upload})
        assert response.status_code in (200, 302), n
    upload = SimpleUploadedFile("one-more.pdf", TINY_PDF, content_type="application/pdf")
    response = client.post(url, {**data, "evidence": upload})
    assert_friendly_429(response)


def test_the_upload_limit_counts_each_therapist_separately(client):
    first, second = make_user(), make_user()
    make_profile(first)
    make_profile(second)
    url = reverse("credential_add")
    client.force_login(first)
    for n in range(allowed("upload", "user")):
        client.post(url, {"kind": "other", "evidence": SimpleUploadedFile(f"e{n}.pdf", TINY_PDF)})
    client.force_login(second)
    response = client.post(url, {"kind": "other", "evidence": SimpleUploadedFile("e.pdf", TINY_PDF)})
    assert response.status_code != 429


def enquiry_data(n: int, email: str | None = None) -> dict:
    return {
        "name": f"Patient {n}",
        "email": email or f"patient{n}@example.test",
        "phone": "",
        "message": "I finished chemotherapy last month. Do you have availability on Tuesdays?",
        "consent": "on",
    }


def enquiry_url(profile) -> str:
    return reverse("therapist_enquiry", kwargs={"slug": profile.slug})


def test_enquiries_from_one_address_are_limited(client):
    limit = allowed("enquiry", "ip")
    profiles = [make_listed_profile() for _ in range(limit + 1)]
    for n, profile in enumerate(profiles[:limit]):
        response = client.post(enquiry_url(profile), enquiry_data(n))
        assert response.status_code == 302, (n, response.content.decode()[:2000])
    response = client.post(enquiry_url(profiles[limit]), enquiry_data(99))
    assert_friendly_429(response)
    assert Enquiry.objects.count() == limit


def test_enquiries_from_one_email_are_limited_even_from_different_addresses(client):
    limit = allowed("enquiry", "key")
    profiles = [make_listed_profile() for _ in range(limit + 1)]
    for n, profile in enumerate(profiles[:limit]):
        response = client.post(
            enquiry_url(profile), enquiry_data(n, "same.person@example.test"), REMOTE_ADDR=f"192.0.2.{n + 1}"
        )
        assert response.status_code == 302, n
    response = client.post(
        enquiry_url(profiles[limit]), enquiry_data(9, "Same.Person@example.test"), REMOTE_ADDR="192.0.2.50"
    )
    assert_friendly_429(response)
    assert Enquiry.objects.count() == limit
