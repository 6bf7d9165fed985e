"""A staff account's first second factor is set up only through a one-time
link a superuser issues; every factor added or removed is told to the account."""

from datetime import timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import EnrolmentLink
from tests.factories import PASSWORD, make_reviewer, make_user
from tests.mail_helpers import run_tasks
from tests.review_helpers import make_mfa_superuser, sign_in, totp_code

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


def signed_in_again(client, user) -> None:
    """Signed in with the password and, as allauth asks before any factor change, the password again."""
    sign_in(client, user)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302


def try_to_activate(client):
    """Open the set-up page and answer with a correct code for the secret it offers."""
    page = client.get(ACTIVATE)
    secret = client.session.get("mfa.totp.secret")
    response = client.post(ACTIVATE, {"code": totp_code(secret)}) if secret else None
    return page, response


def link_path(email: str) -> str:
    out = StringIO()
    call_command("mfa_enrolment_link", email, stdout=out)
    return urlsplit(out.getvalue().strip()).path


def test_a_reviewer_without_a_factor_cannot_add_one_with_the_password_alone(client):
    reviewer = make_reviewer("new.reviewer@example.test")
    signed_in_again(client, reviewer)
    page, response = try_to_activate(client)
    assert page.status_code == 403
    assert "Ask an administrator for a set-up link" in page.content.decode()
    # Posting a code directly does not work either.
    response = client.post(ACTIVATE, {"code": "123456"})
    assert response.status_code == 403
    assert not Authenticator.objects.filter(user=reviewer).exists()
    # The review area stays closed.
    assert client.get("/review/").status_code == 403


def test_a_superuser_without_a_factor_cannot_either(client):
    admin = make_user("first.admin@example.test", is_staff=True, is_superuser=True)
    signed_in_again(client, admin)
    assert client.get(ACTIVATE).status_code == 403


def test_the_enrolment_link_lets_its_owner_add_a_factor_once_and_sends_a_notice(
    client, django_capture_on_commit_callbacks
):
    reviewer = make_reviewer("new.reviewer@example.test")
    path = link_path("new.reviewer@example.test")
    signed_in_again(client, reviewer)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page, response = try_to_activate(client)
    assert page.status_code == 200
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.TOTP).exists()
    run_tasks()
    notices = [message for message in mail.outbox if message.to == ["new.reviewer@example.test"]]
    assert notices, [message.subject for message in mail.outbox]
    assert "authenticator" in notices[-1].subject.lower()

    # The link worked once: opened again, it is not found.
    assert client.get(path).status_code == 404
    assert EnrolmentLink.objects.get(user=reviewer).used_at is not None


def test_an_enrolment_link_is_not_found_for_anyone_else(client):
    make_reviewer("new.reviewer@example.test")
    path = link_path("new.reviewer@example.test")
    other = make_reviewer("other.reviewer@example.test")
    signed_in_again(client, other)
    assert client.get(path).status_code == 404
    assert client.get(ACTIVATE).status_code == 403
    assert EnrolmentLink.objects.get().used_at is None


def test_an_enrolment_link_expires_after_24_hours(client):
    reviewer = make_reviewer("new.reviewer@example.test")
    path = link_path("new.reviewer@example.test")
    link = EnrolmentLink.objects.get()
    assert timedelta(hours=23, minutes=59) < link.expires_at - link.created_at <= timedelta(hours=24)
    EnrolmentLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    signed_in_again(client, reviewer)
    assert client.get(path).status_code == 404


def test_an_anonymous_visitor_with_the_link_is_asked_to_sign_in(client):
    make_reviewer("new.reviewer@example.test")
    path = link_path("new.reviewer@example.test")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert EnrolmentLink.objects.get().used_at is None


def test_the_command_refuses_an_unknown_address():
    with pytest.raises(Exception, match="No account has the address"):
        call_command("mfa_enrolment_link", "nobody@example.test", stdout=StringIO())


def test_a_superuser_issues_a_link_in_the_admin(client):
    admin, secret = make_mfa_superuser("admin@example.test")
    reviewer = make_reviewer("new.reviewer@example.test")
    sign_in(client, admin, secret)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "issue_enrolment_link", "_selected_action": [reviewer.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Send this link to new.reviewer@example.test" in response.content.decode()
    assert EnrolmentLink.objects.get().user == reviewer


def test_a_therapist_still_adds_an_authenticator_with_the_password(client, django_capture_on_commit_callbacks):
    therapist = make_user("therapist@example.test")
    signed_in_again(client, therapist)
    with django_capture_on_commit_callbacks(execute=True):
        page, response = try_to_activate(client)
    assert page.status_code == 200
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=therapist, type=Authenticator.Type.TOTP).exists()
    run_tasks()
    assert any("authenticator" in message.subject.lower() for message in mail.outbox)


def test_removing_a_factor_sends_a_notice(client):
    therapist = make_user("therapist@example.test")
    signed_in_again(client, therapist)
    try_to_activate(client)
    authenticator = Authenticator.objects.get(user=therapist, type=Authenticator.Type.TOTP)
    mail.outbox.clear()
    # A fresh sign-in, with the factor, then the deactivation.
    client.post("/accounts/logout/")
    secret = decrypt(authenticator.data["secret"])
    sign_in(client, therapist, secret)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302, response.content.decode()[:500]
    assert not Authenticator.objects.filter(user=therapist, type=Authenticator.Type.TOTP).exists()
    run_tasks()
    assert any(message.to == ["therapist@example.test"] for message in mail.outbox)
