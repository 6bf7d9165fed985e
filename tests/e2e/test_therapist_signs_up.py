"""A therapist joins: signs up, confirms the email address, writes the
profile, adds a location and two credentials with a PDF each, and submits."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from directory.models import Credential, Profile
from tests.e2e.helpers import code_in_mail, tiny_pdf
from tests.factories import PASSWORD

EMAIL = "jordan.rivers@example.test"


def test_a_therapist_signs_up_builds_a_profile_with_evidence_and_submits_it(page, axe, tmp_path):
    today = timezone.localdate()

    page.goto("/")
    axe.check(page, "home")
    page.get_by_role("link", name="List your practice").click()

    # Sign up.
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    axe.check(page, "sign up")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"Password \(again\)", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^sign up$", re.I)).click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    axe.check(page, "confirm email")

    # Confirm the address with the code from the email.
    page.get_by_label(re.compile("code", re.I)).fill(code_in_mail(EMAIL))
    page.get_by_role("button", name="Confirm").click()

    # Signed in, on the dashboard, with nothing yet.
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    axe.check(page, "dashboard (new)")
    page.get_by_role("link", name="Start your profile").click()

    # The profile.
    expect(page.get_by_role("heading", level=1)).to_have_text("Start your profile")
    axe.check(page, "profile form")
    page.get_by_label("Your name", exact=True).fill("Jordan Rivers")
    page.get_by_label("Headline").fill("Gentle oncology massage in Chelsea")
    page.get_by_label("About your work").fill(
        "I adapt pressure, position and length to your treatment and how you feel on the day."
    )
    page.get_by_label("Years in massage practice").fill("12")
    page.get_by_label("Years working with people with cancer").fill("6")
    page.get_by_label("Oncology massage", exact=True).check()
    page.get_by_label("In active treatment", exact=True).check()
    page.get_by_label("English", exact=True).check()
    page.get_by_label("At my practice").check()
    page.get_by_label("Lowest fee per session").fill("80")
    page.get_by_label("Highest fee per session").fill("120")
    page.get_by_label("I am accepting new clients").check()
    page.get_by_role("button", name="Save your profile").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved")
    axe.check(page, "dashboard (profile saved)")

    # A location, found from the ZIP code and confirmed.
    page.get_by_role("region", name="Where you practise").get_by_role("link", name="Add a location").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a location")
    axe.check(page, "location form")
    page.get_by_label("ZIP or postcode").fill("10001")
    page.get_by_label("Country").fill("US")
    page.get_by_role("button", name="Find this place").click()
    expect(page.get_by_role("heading", name="Is this right?")).to_be_visible()
    axe.check(page, "location placed")
    page.get_by_role("button", name="Yes, save this location").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("region", name="Where you practise")).to_contain_text("10001")

    # The licence and the oncology training, each with a PDF.
    credentials = [
        ("Licence or registration to practise massage", "New York State Education Department", "NY-DEMO-041877"),
        ("Oncology massage training", "Example School of Oncology Massage", "EX-ONC-2207"),
    ]
    for kind, issuer, number in credentials:
        page.get_by_role("region", name="Your credentials").get_by_role("link", name="Add a credential").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add a credential")
        axe.check(page, f"credential form ({kind})")
        page.get_by_label(kind, exact=True).check()
        page.get_by_label("Issued by").fill(issuer)
        page.get_by_label("Licence or certificate number").fill(number)
        page.get_by_label("Jurisdiction").fill("New York")
        page.get_by_label("Issued on").fill((today - timedelta(days=900)).isoformat())
        if kind.startswith("Licence"):
            page.get_by_label("Expires on").fill((today + timedelta(days=400)).isoformat())
        else:
            page.get_by_label("Training hours").fill("40")
            hands_on = page.get_by_role("group", name="Did the training include supervised hands-on practice?")
            hands_on.get_by_label("Yes").check()
        page.get_by_label("Evidence document").set_input_files(tiny_pdf(tmp_path / f"{number}.pdf", kind))
        page.get_by_role("button", name="Save this credential").click()
        expect(page).to_have_url(re.compile(r"/dashboard/$"))
        expect(page.get_by_role("status")).to_contain_text("It will go to our reviewers when you submit your profile.")
    axe.check(page, "dashboard (ready to submit)")

    # Submit.
    page.get_by_role("button", name="Submit for review").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    axe.check(page, "dashboard (submitted)")
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)

    user = User.objects.get(email=EMAIL)
    profile = Profile.objects.get(user=user)
    assert profile.display_name == "Jordan Rivers"
    assert profile.submitted_at is not None
    assert [(location.postcode, location.country) for location in profile.locations.all()] == [("10001", "US")]
    saved = {credential.kind: credential for credential in profile.credentials.all()}
    assert set(saved) == {Credential.Kind.LICENCE, Credential.Kind.ONCOLOGY_TRAINING}
    for credential in saved.values():
        assert credential.status == Credential.Status.PENDING
        assert credential.evidence_content_type == "application/pdf"
        with credential.evidence.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()
    axe.assert_clean()
