"""Sign-up, email verification, sign-in, sign-out and password reset through allauth."""

import re

import pytest
from django.core import mail

from accounts.models import User
from tests.factories import PASSWORD, make_user
from tests.mail_helpers import run_tasks

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-different-long-passphrase"


def link_in_last_email() -> str:
    run_tasks()
    body = mail.outbox[-1].body
    match = re.search(r"https?://testserver(/accounts/\S+)", body)
    assert match, body
    return match.group(1)


def code_in_last_email() -> str:
    body = mail.outbox[-1].body
    match = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", body, re.MULTILINE)
    assert match, body
    return match.group(1)


def test_a_therapist_signs_up_verifies_the_email_signs_out_and_resets_the_password(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "new.therapist@example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.filter(email="new.therapist@example.test").exists()
    run_tasks()
    assert "confirm" in mail.outbox[-1].subject.lower()

    # Until the address is confirmed, therapist pages stay closed.
    assert "_auth_user_id" not in client.session
    assert client.get("/dashboard/").status_code == 302

    response = client.post("/accounts/confirm-email/", {"code": code_in_last_email()})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    response = client.get("/accounts/email/")
    assert "new.therapist@example.test" in response.content.decode()

    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/login/", {"login": "new.therapist@example.test", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    client.post("/accounts/logout/")

    mail.outbox.clear()
    client.post("/accounts/password/reset/", {"email": "new.therapist@example.test"})
    run_tasks()
    assert len(mail.outbox) == 1
    reset_url = link_in_last_email()
    response = client.get(reset_url)
    assert response.status_code == 302  # allauth moves the key into the session
    response = client.post(response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(email="new.therapist@example.test").check_password(NEW_PASSWORD)


def test_an_unverified_email_cannot_sign_in_to_therapist_pages(client):
    make_user("unverified@example.test", verified=False)
    response = client.post("/accounts/login/", {"login": "unverified@example.test", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "/accounts/confirm-email/" in response["Location"]


def test_email_login_ignores_case(client):
    make_user("Mixed.Case@example.test")
    client.post("/accounts/login/", {"login": "mixed.case@EXAMPLE.test", "password": PASSWORD})
    assert "_auth_user_id" in client.session


def test_a_wrong_password_shows_a_plain_error_and_keeps_the_email(client):
    make_user("someone@example.test")
    response = client.post("/accounts/login/", {"login": "someone@example.test", "password": "wrong-password"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "someone@example.test" in html
    assert "not correct" in html


def test_sign_in_attempts_are_rate_limited(client):
    make_user("target@example.test")
    statuses = [
        client.post("/accounts/login/", {"login": "target@example.test", "password": f"wrong-{i}"}).status_code
        for i in range(12)
    ]
    assert 429 in statuses
    response = client.post("/accounts/login/", {"login": "target@example.test", "password": "wrong"})
    assert response.status_code == 429
    assert "Please wait a little" in response.content.decode()


def test_a_reviewer_starts_at_the_review_queue_after_signing_in(client):
    from tests.review_helpers import make_mfa_reviewer, totp_code

    reviewer, secret = make_mfa_reviewer()
    client.post("/accounts/login/", {"login": reviewer.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response["Location"] == "/review/"


@pytest.mark.parametrize(
    ("steps_ago", "accepted"),
    [(0, True), (1, True), (-1, True), (2, False), (-2, False)],
)
def test_an_authenticator_code_is_accepted_one_step_either_side_of_now(client, steps_ago, accepted):
    import time

    from tests.review_helpers import make_mfa_reviewer, totp_code

    reviewer, secret = make_mfa_reviewer()
    client.post("/accounts/login/", {"login": reviewer.email, "password": PASSWORD})
    if time.time() % 30 > 28:  # keep the step from changing between code and check
        time.sleep(30 - time.time() % 30 + 0.1)
    code = totp_code(secret, at=time.time() - 30 * steps_ago)
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    if accepted:
        assert response.status_code == 302
        assert response["Location"] == "/review/"
    else:
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


def test_an_authenticator_code_cannot_be_used_twice(client):
    from tests.review_helpers import make_mfa_reviewer, totp_code

    reviewer, secret = make_mfa_reviewer()
    code = totp_code(secret)
    client.post("/accounts/login/", {"login": reviewer.email, "password": PASSWORD})
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": reviewer.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_same_sign_up_sent_twice_at_once_shows_check_your_email_not_an_error(client):
    from unittest import mock

    from accounts.adapter import AccountAdapter

    real_save_user = AccountAdapter.save_user

    def the_other_request_commits_first(self, request, user, form, commit=True):
        # The double-click's first request has passed the same checks and saves first.
        User.objects.create_user("twice@example.test", PASSWORD)
        return real_save_user(self, request, user, form, commit=commit)

    data = {"email": "twice@example.test", "password1": PASSWORD, "password2": PASSWORD}
    with mock.patch.object(AccountAdapter, "save_user", the_other_request_commits_first):
        response = client.post("/accounts/signup/", data)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    # The second send, after the first committed, gets the same page.
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
