"""The whole verification journey in a real browser, with axe checks on every page:
a therapist submits; a reviewer verifies the licence by registry look-up; a
patient sees where and when it was checked and the number linking to the
board; the therapist fixes a typo and stays listed; the reviewer decides the
revision; someone reports a concern and a reviewer resolves it."""

import re
from datetime import timedelta

from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from directory.models import Concern, Credential, Profile, VerificationEvent
from tests.e2e.helpers import sign_in, tiny_pdf
from tests.factories import add_location, make_profile, make_user
from tests.review_helpers import make_mfa_reviewer

NAME = "Rowan Examplewood"
BOARD = "Oregon Board of Massage Therapists"
LOOK_UP = "https://www.oregon.gov/obmt"


def add_credential_in_the_form(page, axe, tmp_path, *, kind, issuer, number, hours=None):
    today = timezone.localdate()
    page.get_by_role("region", name="Your credentials").get_by_role("link", name="Add a credential").click()
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Issued by").fill(issuer)
    page.get_by_label("Licence or certificate number").fill(number)
    page.get_by_label("Jurisdiction").fill("Oregon")
    page.get_by_label("Issued on").fill((today - timedelta(days=700)).isoformat())
    if hours is None:
        page.get_by_label("Expires on").fill((today + timedelta(days=700)).isoformat())
    else:
        page.get_by_label("Training hours").fill(str(hours))
        page.get_by_role("group", name="Did the training include supervised hands-on practice?").get_by_label(
            "Yes"
        ).check()
    page.get_by_label("Evidence document").set_input_files(tiny_pdf(tmp_path / f"{number}.pdf", kind))
    axe.check(page, f"credential form filled ({kind})")
    page.get_by_role("button", name="Save this credential").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def verify_in_the_review_page(page, axe, link_name, *, licence: bool):
    page.get_by_role("link", name=link_name).first.click()
    axe.check(page, f"review credential ({link_name})")
    if licence:
        page.get_by_label("Registry look-up at the primary source").check()
        expect(page.get_by_label("Register or source consulted")).to_have_value(BOARD)
        page.get_by_label("Status shown at the register").fill("Active")
        page.get_by_role("group", name="Does the register show any public disciplinary action?").get_by_label(
            "No"
        ).check()
    else:
        page.get_by_label("Document review").check()
        expect(page.get_by_label("Training hours on the certificate")).to_have_value("32")
    page.get_by_label("The name at the source matches the name on the profile.").check()
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    expect(page.get_by_role("status")).to_contain_text("Verified")


def test_the_whole_verification_journey(new_page, axe, tmp_path):
    user = make_user("rowan.examplewood@example.test")
    profile = make_profile(user, display_name=NAME, slug="rowan-examplewood")
    add_location(profile, city="Portland", region="OR", postcode="97214", latitude=45.5147, longitude=-122.6429)
    reviewer, secret = make_mfa_reviewer("quinn.reviewer@example.test")

    # 1. The therapist adds a licence and training, and submits.
    therapist = new_page("therapist")
    sign_in(therapist, user.email, axe=axe)
    therapist.goto("/dashboard/")
    add_credential_in_the_form(
        therapist,
        axe,
        tmp_path,
        kind="Licence or registration to practise massage",
        issuer=BOARD,
        number="DEMO-OR-7001",
    )
    add_credential_in_the_form(
        therapist, axe, tmp_path, kind="Oncology massage training", issuer="Willowbank Demo School", number="W-1",
        hours=32,
    )  # fmt: skip
    therapist.get_by_role("button", name="Submit for review").click()
    axe.check(therapist, "dashboard (submitted)")

    # 2. The reviewer finds the therapist by name and verifies by registry look-up.
    reviewer_page = new_page("reviewer")
    sign_in(reviewer_page, reviewer.email, secret=secret, axe=axe)
    reviewer_page.goto("/review/")
    reviewer_page.get_by_label("Therapist name").fill("examplewood")
    reviewer_page.get_by_role("button", name="Filter").click()
    axe.check(reviewer_page, "review queue searched by name")
    expect(reviewer_page.get_by_text("2 credentials waiting with this filter")).to_be_visible()
    reviewer_page.get_by_role("link", name=f"{NAME}: Licence or registration to practise massage").click()
    expect(reviewer_page.get_by_text("Oregon licenses massage; its public register is kept by")).to_be_visible()
    reviewer_page.go_back()
    verify_in_the_review_page(reviewer_page, axe, f"{NAME}: Licence or registration to practise massage", licence=True)
    verify_in_the_review_page(reviewer_page, axe, f"{NAME}: Oncology massage training", licence=False)
    assert Profile.objects.listed().filter(pk=profile.pk).exists()

    # 3. A patient sees the checked-at line and the number linking to the board.
    patient = new_page("patient")
    patient.goto(f"/therapists/{profile.slug}/")
    today = date_format(timezone.localdate(), "j F Y")
    expect(patient.get_by_text(f"Checked at the {BOARD} on {today}")).to_be_visible()
    expect(patient.get_by_role("link", name=re.compile("DEMO-OR-7001"))).to_have_attribute("href", LOOK_UP)
    expect(patient.get_by_text("32 hours, including supervised hands-on practice")).to_be_visible()
    axe.check(patient, "public profile with checked credentials")

    # 4. The therapist fixes a typo in the licence number and stays listed.
    therapist.goto("/dashboard/")
    therapist.get_by_role("link", name="Edit Licence or registration to practise massage").click()
    therapist.get_by_label("Licence or certificate number").fill("DEMO-OR-7010")
    therapist.get_by_role("button", name="Save this credential").click()
    expect(therapist.get_by_role("status").first).to_contain_text("Your change waits for review")
    expect(therapist.get_by_text("Change waiting for review")).to_be_visible()
    axe.check(therapist, "dashboard (change waiting)")
    patient.reload()
    expect(patient.get_by_role("link", name=re.compile("DEMO-OR-7001"))).to_be_visible()

    # 5. The reviewer sees old and new side by side and verifies the revision.
    reviewer_page.goto("/review/")
    reviewer_page.get_by_role("link", name=f"{NAME}: Licence or registration to practise massage").click()
    expect(reviewer_page.get_by_role("heading", name="A change to a verified credential")).to_be_visible()
    expect(reviewer_page.get_by_role("table")).to_contain_text("DEMO-OR-7001")
    expect(reviewer_page.get_by_role("table")).to_contain_text("DEMO-OR-7010")
    axe.check(reviewer_page, "review a revision")
    reviewer_page.go_back()
    verify_in_the_review_page(reviewer_page, axe, f"{NAME}: Licence or registration to practise massage", licence=True)
    patient.reload()
    expect(patient.get_by_role("link", name=re.compile("DEMO-OR-7010"))).to_be_visible()
    assert Profile.objects.listed().filter(pk=profile.pk).exists()

    # 6. Someone reports a concern.
    patient.get_by_role("link", name="Report a concern about this listing").click()
    axe.check(patient, "concern form")
    patient.get_by_label("Wrong details on the listing").check()
    patient.get_by_label("What happened, or what is wrong?").fill("The phone number on the listing is out of date.")
    patient.get_by_role("button", name="Send the report").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Thank you: we have your report")
    axe.check(patient, "concern sent")

    # 7. A reviewer resolves it with a note.
    reviewer_page.goto("/review/")
    expect(reviewer_page.get_by_role("heading", name="Open concerns (1)")).to_be_visible()
    axe.check(reviewer_page, "review queue with a concern")
    reviewer_page.get_by_role("region", name="Open concerns (1)").get_by_role("link", name=NAME).click()
    concern = Concern.objects.get()
    reviewer_page.get_by_label("No action needed").check()
    reviewer_page.get_by_label(re.compile("^Note")).fill("The phone number was right; checked with the therapist.")
    axe.check(reviewer_page, "review profile with a concern")
    reviewer_page.get_by_role("button", name=re.compile("^Resolve")).click()
    expect(reviewer_page.get_by_role("status")).to_contain_text("resolved")
    concern.refresh_from_db()
    assert not concern.is_open and concern.outcome == "no_action"

    actions = list(VerificationEvent.objects.filter(profile=profile).values_list("action", flat=True))
    for action in ("submitted", "verified", "revision_submitted", "concern_reported", "concern_resolved"):
        assert action in actions
    assert profile.credentials.filter(status=Credential.Status.REPLACED).count() == 1
    axe.assert_clean()
