"""Before sending, a patient learns what happens next and how soon the therapist usually answers;
a therapist not taking new clients gets no form; a patient who asks gets a receipt without their message."""

import pytest
from django.core import mail

from directory.models import Enquiry, Profile
from tests.mail_helpers import run_tasks
from tests.search_helpers import listed
from tests.test_enquiries import PATIENT_NAME, PRIVATE_MESSAGE, enquiry_data, url

pytestmark = pytest.mark.django_db


def test_the_form_says_what_happens_next_and_the_usual_reply_time(client):
    therapist = listed(display_name="Quick Quinn", usual_reply_time=Profile.ReplyTime.TWO_DAYS)
    for page in (url(therapist, ""), url(therapist)):
        html = client.get(page).content.decode()
        assert "What happens next" in html
        assert "they usually answer <strong>within two days</strong>" in html
        assert html.index("What happens next") < html.index("Send message")


def test_without_a_reply_time_the_form_makes_no_promise(client):
    therapist = listed(display_name="Quiet Quill")
    html = client.get(url(therapist)).content.decode()
    assert "What happens next" in html and "usually answer" not in html


def test_a_therapist_not_taking_new_clients_has_a_note_instead_of_the_form(client):
    therapist = listed(display_name="Full Fern", accepting_new_clients=False)
    for page in (url(therapist, ""), url(therapist) + "?search=near%3D10001"):
        html = client.get(page).content.decode()
        assert "Full Fern is not taking new clients at the moment" in html
        assert "Send message" not in html and 'name="message"' not in html
    assert 'href="/therapists/?near=10001"' in html
    response = client.post(url(therapist), enquiry_data())
    assert response.status_code == 200
    assert "not taking new clients" in response.content.decode()
    assert not Enquiry.objects.exists() and not mail.outbox


def test_a_patient_who_ticks_send_me_a_copy_gets_a_receipt_without_the_message(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    therapist = listed(display_name="Receipt Rae", usual_reply_time=Profile.ReplyTime.WEEK)
    response = client.post(url(therapist), enquiry_data(send_copy="on"))
    assert response.status_code == 302
    run_tasks()
    receipts = [message for message in mail.outbox if message.to == ["Jordan@Example.test"]]
    assert len(receipts) == 1
    receipt = receipts[0]
    assert "Receipt Rae" in receipt.subject
    assert "within a week" in receipt.body
    for secret in (PRIVATE_MESSAGE, "lymphoedema", PATIENT_NAME):
        assert secret not in receipt.body and secret not in receipt.subject


def test_no_receipt_unless_the_patient_asks(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    therapist = listed(display_name="Plain Pat")
    client.post(url(therapist), enquiry_data())
    run_tasks()
    assert [message.to for message in mail.outbox] == [[therapist.user.email]]
