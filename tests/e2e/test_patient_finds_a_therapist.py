"""A patient (no account) searches near a ZIP code, narrows the results,
reads a guide from the panel, opens a profile and sends a message; the
therapist signs in and reads it."""

import re

from django.core import mail
from playwright.sync_api import expect

from directory.models import Enquiry
from tests.e2e.helpers import sign_in, therapists_around_new_york
from tests.mail_helpers import run_tasks

MESSAGE = "I finished radiotherapy in May and have some swelling in my left arm. Do you have Tuesday mornings?"
PATIENT_EMAIL = "pat.patient@example.test"


def test_a_patient_finds_a_therapist_by_zip_code_and_sends_a_message_the_therapist_reads(new_page, axe):
    casey, riley, far = therapists_around_new_york()
    patient = new_page("patient")

    patient.goto("/")
    axe.check(patient, "home")
    patient.get_by_label("Town, city or ZIP code").fill("10001")
    patient.get_by_role("button", name="Search", exact=True).click()

    # Results within 25 miles: the two in Manhattan, not the one in Los Angeles.
    expect(patient).to_have_url(re.compile(r"/therapists/\?near=10001"))
    results = patient.get_by_role("region", name=re.compile(r"therapists? match"))
    expect(patient.locator("#results-heading")).to_contain_text("2 therapists match")
    expect(results.get_by_role("link", name="Casey Lane")).to_be_visible()
    expect(results.get_by_role("link", name="Riley Stone")).to_be_visible()
    expect(results.get_by_role("link", name="Sam Coast")).to_have_count(0)
    axe.check(patient, "search results")

    # Narrow: a service and a treatment phase.
    patient.wait_for_load_state("load")  # search.js may open the filters on a wide screen
    filters = patient.locator("details.search-filters")
    if filters.get_attribute("open") is None:
        patient.get_by_text("More filters").click()
    patient.get_by_label("Manual lymphatic drainage", exact=True).check()
    patient.get_by_label("In active treatment", exact=True).check()
    patient.get_by_role("button", name="Show therapists").click()
    expect(patient.locator("#results-heading")).to_contain_text("1 therapist matches")
    expect(results.get_by_role("link", name="Casey Lane")).to_be_visible()
    expect(results.get_by_role("link", name="Riley Stone")).to_have_count(0)
    axe.check(patient, "filtered search results")
    filtered_url = patient.url

    # The guide panel offers the guide on lymphatic drainage; read it and come back.
    panel = patient.get_by_role("complementary", name="Guides to read before you book")
    panel.get_by_role("link", name="Lymphatic drainage and lymphedema").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Lymphatic drainage and lymphedema")
    axe.check(patient, "guide")
    patient.go_back()
    expect(patient).to_have_url(filtered_url)

    # The profile, and a message.
    results.get_by_role("link", name="Casey Lane").click()
    expect(patient.get_by_role("heading", level=1)).to_contain_text("Casey Lane")
    axe.check(patient, "therapist profile")
    patient.get_by_label("Your name").fill("Pat Patient")
    patient.get_by_label("Your email address").fill(PATIENT_EMAIL)
    patient.get_by_label("Your message").fill(MESSAGE)
    patient.get_by_label("I agree that the directory passes my message to this therapist.").check()
    patient.get_by_role("button", name="Send message").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Thank you: your message is on its way")
    axe.check(patient, "message sent")

    enquiry = Enquiry.objects.get(profile=casey)
    assert (enquiry.email, enquiry.message, enquiry.read_at) == (PATIENT_EMAIL, MESSAGE, None)
    run_tasks()  # the worker sends the notice
    notification = [message for message in mail.outbox if casey.user.email in message.to]
    assert len(notification) == 1
    assert MESSAGE not in notification[0].body and PATIENT_EMAIL not in notification[0].body

    # The therapist signs in and reads it.
    therapist = new_page("therapist")
    sign_in(therapist, casey.user.email)
    axe.check(therapist, "dashboard (listed)")
    therapist.get_by_role("link", name="Read your enquiries").click()
    expect(therapist.get_by_role("heading", level=1)).to_have_text("Messages from patients")
    axe.check(therapist, "enquiry list")
    therapist.get_by_role("link", name=re.compile("Message from Pat Patient")).click()
    expect(therapist.get_by_text(MESSAGE)).to_be_visible()
    expect(therapist.get_by_text(PATIENT_EMAIL).first).to_be_visible()
    axe.check(therapist, "enquiry")
    enquiry.refresh_from_db()
    assert enquiry.read_at is not None
    axe.assert_clean()
