"""A patient's enquiry: saved first, the therapist told without any of its content, read after login, purged."""

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from directory.models import Enquiry
from tests.factories import make_user
from tests.mail_helpers import run_tasks
from tests.search_helpers import listed

pytestmark = pytest.mark.django_db

PRIVATE_MESSAGE = "I have lymphoedema in my left arm after chemotherapy"
PATIENT_NAME = "Jordan Patientname"


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def therapist():
    return listed(display_name="Inbox Ivy")


def enquiry_data(**overrides):
    data = {
        "name": PATIENT_NAME,
        "email": "Jordan@Example.test",
        "phone": "",
        "message": PRIVATE_MESSAGE,
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def url(therapist, suffix="enquiry/"):
    return f"/therapists/{therapist.slug}/{suffix}"


def test_a_patient_sends_an_enquiry_and_sees_the_thank_you_page(client, therapist, caplog, settings):
    caplog.set_level(logging.DEBUG)
    response = client.post(url(therapist), enquiry_data())
    assert response.status_code == 302
    assert response["Location"] == url(therapist, "enquiry/sent/")
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Thank you" in thanks.content.decode()
    enquiry = Enquiry.objects.get()
    assert (enquiry.profile, enquiry.name, enquiry.message, enquiry.consent) == (
        therapist,
        PATIENT_NAME,
        PRIVATE_MESSAGE,
        True,
    )
    # The therapist is told by the worker, with no patient name or message: only a link to the inbox.
    assert enquiry.notified_at is None and mail.outbox == []
    run_tasks()
    enquiry.refresh_from_db()
    assert enquiry.notified_at is not None
    [email] = mail.outbox
    assert email.to == [therapist.user.email]
    assert f"{settings.SITE_URL}/dashboard/enquiries/" in email.body
    for private in (PRIVATE_MESSAGE, PATIENT_NAME, "Jordan", "lymphoedema", "jordan@example.test"):
        assert private.lower() not in email.body.lower()
        assert private.lower() not in email.subject.lower()
        assert private.lower() not in caplog.text.lower()
        assert private.lower() not in response["Location"].lower()


def test_the_form_says_health_details_are_sensitive_and_has_a_hidden_trap(client, therapist):
    html = client.get(url(therapist)).content.decode()
    assert "Health details are sensitive" in html
    assert 'class="enquiry-trap"' in html and "Leave this field empty" in html
    assert 'name="consent"' in html


def test_consent_is_required_and_typed_values_are_kept(client, therapist):
    response = client.post(url(therapist), enquiry_data(consent=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your message has not been sent yet" in html
    assert "Tick the box to agree" in html
    assert PRIVATE_MESSAGE in html and PATIENT_NAME in html
    assert "no-store" in response["Cache-Control"]
    assert not Enquiry.objects.exists() and not mail.outbox


def test_a_bad_email_and_missing_message_are_explained(client, therapist):
    html = client.post(url(therapist), enquiry_data(email="not-an-email", message="")).content.decode()
    assert "Enter an email address like name@example.com." in html
    assert "Write a message to the therapist." in html
    assert not Enquiry.objects.exists()


def test_a_robot_filling_the_trap_sees_success_but_nothing_is_kept(client, therapist):
    response = client.post(url(therapist), enquiry_data(website="http://spam.example"))
    assert response.status_code == 302
    assert not Enquiry.objects.exists() and not mail.outbox


def test_a_mail_failure_never_loses_the_enquiry_nor_shows_an_error(client, therapist, settings, caplog):
    settings.EMAIL_BACKEND = "tests.test_enquiries.FailingBackend"
    response = client.post(url(therapist), enquiry_data())
    assert response.status_code == 302
    run_tasks()
    enquiry = Enquiry.objects.get()
    assert enquiry.notified_at is None
    assert "enquiry email not sent (ConnectionRefusedError); try 2" in caplog.text
    assert PRIVATE_MESSAGE not in caplog.text and PATIENT_NAME not in caplog.text


def test_one_sender_is_limited_per_day_whatever_their_address(client, therapist):
    # "3/d/key": the normalised email is the key.
    for email in ("jordan@example.test", "JORDAN@example.test", " Jordan@Example.Test "):
        assert client.post(url(therapist), enquiry_data(email=email)).status_code == 302
    response = client.post(url(therapist), enquiry_data())
    assert response.status_code == 429
    assert "Please wait a little" in response.content.decode()
    assert Enquiry.objects.count() == 3


def test_one_client_address_is_limited_per_hour(client, therapist):
    # "5/h/ip": different senders from one address.
    for n in range(5):
        assert client.post(url(therapist), enquiry_data(email=f"sender{n}@example.test")).status_code == 302
    assert client.post(url(therapist), enquiry_data(email="sender9@example.test")).status_code == 429
    other_client = client.post(url(therapist), enquiry_data(email="elsewhere@example.test"), REMOTE_ADDR="203.0.113.7")
    assert other_client.status_code == 302


def test_enquiry_pages_answer_only_get_and_post(client, therapist):
    assert client.put(url(therapist)).status_code == 405
    assert client.post(url(therapist, "enquiry/sent/")).status_code == 405


def test_the_therapist_reads_enquiries_in_their_inbox(client, therapist):
    client.post(url(therapist), enquiry_data())
    enquiry = Enquiry.objects.get()
    client.force_login(therapist.user)
    inbox = client.get("/dashboard/enquiries/")
    assert inbox.status_code == 200
    assert "no-store" in inbox["Cache-Control"]
    assert f"Message from {PATIENT_NAME}" in inbox.content.decode()
    assert "New" in inbox.content.decode()
    detail = client.get(f"/dashboard/enquiries/{enquiry.pk}/")
    assert detail.status_code == 200
    assert "no-store" in detail["Cache-Control"]
    assert PRIVATE_MESSAGE in detail.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.read_at is not None


def test_another_therapist_gets_404_for_an_enquiry_that_is_not_theirs(client, therapist):
    client.post(url(therapist), enquiry_data())
    enquiry = Enquiry.objects.get()
    other = listed()
    client.force_login(other.user)
    assert client.get(f"/dashboard/enquiries/{enquiry.pk}/").status_code == 404
    assert PATIENT_NAME not in client.get("/dashboard/enquiries/").content.decode()
    enquiry.refresh_from_db()
    assert enquiry.read_at is None


def test_the_inbox_needs_a_login(client, therapist):
    response = client.get("/dashboard/enquiries/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_user_without_a_profile_sees_an_empty_inbox(client):
    client.force_login(make_user())
    assert "No messages yet" in client.get("/dashboard/enquiries/").content.decode()


def test_the_inbox_runs_a_fixed_number_of_queries(client, therapist, django_assert_num_queries):
    for n in range(3):
        Enquiry.objects.create(profile=therapist, name=f"P{n}", email="p@example.test", message="m", consent=True)
    client.force_login(therapist.user)
    client.get("/dashboard/enquiries/")
    # 1 the session, 2 the signed-in user, 3 the verified email check,
    # 4 the enquiries, 5 and 6 the user's own and group permissions (the
    # header's "Review" link)
    with django_assert_num_queries(6):
        client.get("/dashboard/enquiries/")


def test_purge_deletes_enquiries_older_than_the_retention_period(therapist, settings):
    settings.ENQUIRY_RETENTION_DAYS = 90
    now = timezone.now()
    old = Enquiry.objects.create(
        profile=therapist,
        name="Old",
        email="o@example.test",
        message="m",
        consent=True,
        created_at=now - timedelta(days=91),
    )
    kept = Enquiry.objects.create(
        profile=therapist,
        name="New",
        email="n@example.test",
        message="m",
        consent=True,
        created_at=now - timedelta(days=89),
    )
    out = StringIO()
    call_command("purge_enquiries", stdout=out)
    assert "Deleted 1 enquiries" in out.getvalue()
    assert list(Enquiry.objects.all()) == [kept]
    assert not Enquiry.objects.filter(pk=old.pk).exists()


def test_behind_the_proxy_the_limit_counts_the_forwarded_client_address(client, therapist, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        response = client.post(
            url(therapist), enquiry_data(email=f"p{n}@example.test"), HTTP_X_FORWARDED_FOR="198.51.100.1"
        )
        assert response.status_code == 302
    limited = client.post(url(therapist), enquiry_data(email="p9@example.test"), HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert limited.status_code == 429
    # Another patient behind the same proxy (same REMOTE_ADDR) is not affected.
    other = client.post(url(therapist), enquiry_data(email="q@example.test"), HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.status_code == 302


def test_the_inbox_needs_a_verified_email(client):
    from tests.factories import make_user

    client.force_login(make_user(verified=False))
    response = client.get("/dashboard/enquiries/")
    # A code goes to the address, and the page to enter it opens instead of the inbox.
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm-email/")
