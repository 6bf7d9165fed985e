"""Adding, editing and removing credentials, with evidence judged by content."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from directory.models import Credential, VerificationEvent
from tests.factories import add_credential, days_from_today, make_profile, make_reviewer, make_user
from tests.therapist_helpers import HTML_BYTES, PDF_BYTES, credential_data, image_bytes, pdf_upload, upload

pytestmark = pytest.mark.django_db

ADD = "/dashboard/credentials/add/"


@pytest.fixture
def therapist(client):
    user = make_user()
    make_profile(user)
    client.force_login(user)
    return user


def test_a_licence_with_a_pdf_is_saved_waiting_for_review(client, therapist):
    response = client.post(ADD, {**credential_data("licence"), "evidence": pdf_upload("my licence.pdf")})
    assert response.status_code == 302
    credential = Credential.objects.get(profile__user=therapist)
    assert credential.status == Credential.Status.PENDING
    assert credential.identifier == "DEMO-NY-9001"
    assert credential.evidence_content_type == "application/pdf"
    assert credential.evidence.name.startswith("evidence/")
    assert "licence" not in credential.evidence.name
    stored = Path(credential.evidence.path)
    assert stored.read_bytes() == PDF_BYTES
    assert Path(settings.PRIVATE_MEDIA_ROOT).resolve() in stored.resolve().parents
    assert VerificationEvent.objects.filter(credential=credential, action="submitted").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "expected_type"),
    [
        ("scan.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("scan.png", image_bytes("PNG"), "image/png"),
        # The declared type and the name do not matter: the bytes do.
        ("certificate.txt", image_bytes("PNG"), "image/png"),
    ],
)
def test_jpeg_and_png_evidence_is_recognised_by_its_content(client, therapist, name, content, expected_type):
    evidence = upload(name, content, "application/octet-stream")
    response = client.post(ADD, {**credential_data("oncology_training"), "evidence": evidence})
    assert response.status_code == 302
    assert Credential.objects.get(profile__user=therapist).evidence_content_type == expected_type


def test_an_html_file_named_pdf_is_refused(client, therapist):
    evidence = upload("licence.pdf", HTML_BYTES, "application/pdf")
    response = client.post(ADD, {**credential_data("licence", issuer="Typed Board Name"), "evidence": evidence})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This file is not a PDF, JPEG or PNG document, whatever its name says." in page
    assert 'value="Typed Board Name"' in page
    assert not Credential.objects.exists()
    assert not list(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.*"))


def test_a_file_one_byte_over_the_limit_is_refused(client, therapist):
    too_big = PDF_BYTES + b"\0" * (settings.EVIDENCE_MAX_BYTES + 1 - len(PDF_BYTES))
    assert len(too_big) == 10 * 1024 * 1024 + 1
    response = client.post(ADD, {**credential_data("licence"), "evidence": upload("licence.pdf", too_big)})
    assert response.status_code == 400
    assert "The largest file we accept is 10.0\xa0MB." in response.content.decode()
    assert not Credential.objects.exists()


def test_a_file_exactly_at_the_limit_is_accepted(client, therapist):
    at_limit = PDF_BYTES + b"\0" * (settings.EVIDENCE_MAX_BYTES - len(PDF_BYTES))
    response = client.post(ADD, {**credential_data("licence"), "evidence": upload("licence.pdf", at_limit)})
    assert response.status_code == 302


def test_an_empty_file_is_refused(client, therapist):
    response = client.post(ADD, {**credential_data("licence"), "evidence": upload("licence.pdf", b"")})
    assert response.status_code == 400


def test_an_expiry_before_the_issue_date_is_a_form_error(client, therapist):
    response = client.post(ADD, credential_data("licence", issued_on="2024-05-01", expires_on="2024-04-30"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The expiry date must be after the issue date." in page
    assert 'value="2024-05-01"' in page
    assert not Credential.objects.exists()


def test_a_licence_needs_an_expiry_date_a_number_and_a_jurisdiction(client, therapist):
    response = client.post(ADD, credential_data("licence", expires_on="", identifier="", jurisdiction=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Licences and insurance always have one." in page
    assert "Enter the licence number" in page
    assert "Enter where it applies" in page


def test_an_unregulated_statement_names_its_jurisdiction(client, therapist):
    data = credential_data("unregulated", issuer="Self-declared", jurisdiction="Vermont", identifier="")
    assert client.post(ADD, data).status_code == 302
    assert Credential.objects.get(profile__user=therapist).kind == "unregulated"


def test_the_add_form_can_start_with_a_kind_chosen(client, therapist):
    page = client.get(ADD + "?kind=oncology_training").content.decode()
    assert 'value="oncology_training" id="id_kind_2" required checked' in page
    assert page.count("required checked") == 1


def test_a_renewal_starts_from_the_old_licence(client, therapist):
    old = add_credential(therapist.profile, "licence", issuer="Demo Board of Massage", jurisdiction="Ohio")
    response = client.get(f"{ADD}?renew={old.pk}")
    page = response.content.decode()
    assert "<h1>Add a renewal</h1>" in page
    assert 'value="Demo Board of Massage"' in page
    assert 'value="Ohio"' in page
    assert response.context["form"].initial["kind"] == "licence"


def test_a_renewal_of_another_therapists_credential_is_not_found(client, therapist):
    other = add_credential(make_profile(), "licence")
    assert client.get(f"{ADD}?renew={other.pk}").status_code == 404


def test_adding_a_credential_without_a_profile_starts_the_profile(client):
    client.force_login(make_user())
    response = client.get(ADD)
    assert response.status_code == 302
    assert response["Location"] == reverse("profile_edit")


def test_editing_a_pending_credential_keeps_it_pending_without_a_returned_event(client, therapist):
    credential = add_credential(therapist.profile, "licence", identifier="DEMO-NY-0301")
    url = reverse("credential_edit", args=[credential.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, credential_data("licence", identifier="DEMO-NY-0302"))
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.identifier == "DEMO-NY-0302"
    assert credential.status == "pending"
    assert not VerificationEvent.objects.filter(credential=credential, action="returned").exists()


def test_a_withdrawn_credential_cannot_be_edited(client, therapist):
    credential = add_credential(therapist.profile, "licence", status="withdrawn")
    url = reverse("credential_edit", args=[credential.pk])
    response = client.post(url, credential_data("licence", issuer="Changed"), follow=True)
    assert "A withdrawn credential cannot be changed" in response.content.decode()
    credential.refresh_from_db()
    assert credential.issuer != "Changed"


def test_withdrawing_needs_a_post(client, therapist):
    credential = add_credential(therapist.profile, "licence")
    assert client.get(reverse("credential_withdraw", args=[credential.pk])).status_code == 405


def test_another_therapists_credential_is_not_found_on_any_page(client, therapist):
    other = add_credential(make_profile(), "licence", status="verified", reviewer=make_reviewer())
    assert client.get(reverse("credential_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("credential_edit", args=[other.pk]), credential_data("licence")).status_code == 404
    assert client.post(reverse("credential_withdraw", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == "verified"


def test_evidence_uploads_are_rate_limited_per_user(client, therapist, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "upload": "1/h/user"}
    assert client.post(ADD, {**credential_data("licence"), "evidence": pdf_upload()}).status_code == 302
    response = client.post(ADD, {**credential_data("oncology_training"), "evidence": pdf_upload("training.pdf")})
    assert response.status_code == 429
    assert Credential.objects.count() == 1
    # Another therapist has their own allowance.
    other = make_user()
    make_profile(other)
    client.force_login(other)
    assert client.post(ADD, {**credential_data("licence"), "evidence": pdf_upload()}).status_code == 302


def test_credential_pages_are_private(client, therapist):
    credential = add_credential(therapist.profile, "licence", expires_on=days_from_today(100))
    assert "no-store" in client.get(ADD)["Cache-Control"]
    assert "no-store" in client.get(reverse("credential_edit", args=[credential.pk]))["Cache-Control"]
