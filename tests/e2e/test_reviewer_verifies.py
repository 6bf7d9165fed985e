"""A reviewer signs in with password and authenticator code, opens each
piece of evidence, verifies the credentials, and the therapist is listed."""

from pathlib import Path

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from directory.models import Credential, Profile, VerificationEvent
from tests.e2e.helpers import sign_in, tiny_pdf
from tests.factories import add_credential, add_location, make_profile
from tests.review_helpers import make_mfa_reviewer

KIND_LABELS = {
    Credential.Kind.LICENCE: "Licence or registration to practise massage",
    Credential.Kind.ONCOLOGY_TRAINING: "Oncology massage training",
}


def submitted_therapist(tmp_path) -> tuple[Profile, dict[str, bytes]]:
    profile = make_profile(display_name="Avery Example", submitted_at=timezone.now())
    add_location(profile)
    documents = {}
    for kind in KIND_LABELS:
        credential = add_credential(profile, kind)
        content = tiny_pdf(tmp_path / f"{kind}.pdf", f"{kind} for Avery Example").read_bytes()
        credential.evidence.save(f"{kind}.pdf", ContentFile(content), save=False)
        credential.evidence_content_type = "application/pdf"
        credential.save()
        documents[kind] = content
    return profile, documents


def test_a_reviewer_with_a_second_factor_opens_the_evidence_and_verifies_the_therapist(new_page, axe, tmp_path):
    profile, documents = submitted_therapist(tmp_path)
    reviewer, secret = make_mfa_reviewer("morgan.reviewer@example.test")
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()

    page = new_page("reviewer")
    sign_in(page, reviewer.email, secret=secret, axe=axe)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    axe.check(page, "review queue")

    for kind, label in KIND_LABELS.items():
        page.get_by_role("link", name=f"Avery Example: {label}", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(label)
        axe.check(page, f"review credential ({kind})")

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Open evidence").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".pdf")
        assert Path(download.path()).read_bytes() == documents[kind]

        page.get_by_label("Registry look-up at the primary source").check()
        if kind == Credential.Kind.LICENCE:
            # The register comes from the jurisdictions table; what it shows is the reviewer's to record.
            expect(page.get_by_label("Register or source consulted")).to_have_value(
                "New York State Office of the Professions"
            )
            page.get_by_label("Status shown at the register").fill("Active")
            page.get_by_role("group", name="Does the register show any public disciplinary action?").get_by_label(
                "No"
            ).check()
        page.get_by_label("Reference (optional)").fill(f"Registry entry checked for {kind}")
        page.get_by_label("The name at the source matches the name on the profile.").check()
        page.get_by_role("button", name="Verify", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
        expect(page.get_by_role("status")).to_contain_text("Verified")
        axe.check(page, f"review queue after verifying ({kind})")

    expect(page.get_by_text("Nothing is waiting")).to_be_visible()
    credentials = profile.credentials.all()
    assert {credential.status for credential in credentials} == {Credential.Status.VERIFIED}
    assert {credential.reviewed_by for credential in credentials} == {reviewer}
    opened = VerificationEvent.objects.filter(profile=profile, action=VerificationEvent.Action.EVIDENCE_OPENED)
    assert opened.count() == 2
    assert Profile.objects.listed().filter(pk=profile.pk).exists()

    # A patient (no account) can now open the therapist's public profile.
    patient = new_page("patient")
    response = patient.goto(reverse("therapist_detail", args=[profile.slug]))
    assert response.status == 200
    expect(patient.get_by_role("heading", level=1)).to_contain_text("Avery Example")
    axe.check(patient, "public profile")
    axe.assert_clean()
