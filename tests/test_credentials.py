"""Adding, editing and removing credentials, with evidence judged by content."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from directory.dashboard.forms import CredentialForm, LocationForm, ProfileForm
from directory.models import Credential, VerificationEvent
from tests.factories import (
    add_credential,
    days_from_today,
    make_listed_profile,
    make_profile,
    make_reviewer,
    make_user,
)
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


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("page.html", PDF_BYTES, ".pdf"),
        ("setup.exe", image_bytes("PNG"), ".png"),
        ("scan", image_bytes("JPEG"), ".jpg"),
    ],
)
def test_evidence_is_stored_under_a_random_name_with_the_extension_of_its_content(
    client, therapist, name, content, extension
):
    response = client.post(ADD, {**credential_data("oncology_training"), "evidence": upload(name, content)})
    assert response.status_code == 302
    stored = Path(Credential.objects.get(profile__user=therapist).evidence.name)
    assert stored.parent == Path("evidence")
    assert stored.suffix == extension
    assert len(stored.stem) == 32
    assert Path(name).stem not in stored.stem


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
    assert client.post(ADD, {**data, "evidence": pdf_upload("statement.pdf")}).status_code == 302
    assert Credential.objects.get(profile__user=therapist).kind == "unregulated"


def test_the_add_form_can_start_with_a_kind_chosen(client, therapist):
    page = client.get(ADD + "?kind=oncology_training").content.decode()
    assert 'value="oncology_training" id="id_kind_4" required checked' in page
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


# The evidence document.


@pytest.mark.parametrize("kind", Credential.Kind.values)
def test_a_new_credential_of_every_kind_needs_its_document(client, therapist, kind):
    response = client.post(ADD, credential_data(kind, issuer="Typed Issuer"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose your document: a PDF, JPEG or PNG of your licence, certificate or policy." in page
    assert 'value="Typed Issuer"' in page
    assert not Credential.objects.exists()


def add_with_document(client, kind="licence", **overrides) -> Credential:
    response = client.post(ADD, {**credential_data(kind, **overrides), "evidence": pdf_upload()})
    assert response.status_code == 302
    return Credential.objects.filter(kind=kind).latest("pk")


def test_editing_keeps_the_stored_document_unless_a_new_one_is_chosen(client, therapist):
    credential = add_with_document(client)
    stored = credential.evidence.name
    url = reverse("credential_edit", args=[credential.pk])

    page = client.get(url).content.decode()
    today = timezone.localdate()
    assert f"Document on file (PDF, uploaded {today:%-d %B %Y})" in page
    assert reverse("credential_evidence", args=[credential.pk]) in page
    assert "Replace the document (optional)" in page
    assert 'aria-describedby="id_evidence_onfile id_evidence_helptext"' in page

    assert client.post(url, credential_data("licence", identifier="DEMO-NY-0777")).status_code == 302
    credential.refresh_from_db()
    assert credential.identifier == "DEMO-NY-0777"
    assert credential.evidence.name == stored
    assert credential.evidence_content_type == "application/pdf"

    png = upload("new scan.png", image_bytes("PNG"))
    assert (
        client.post(url, {**credential_data("licence", identifier="DEMO-NY-0777"), "evidence": png}).status_code == 302
    )
    credential.refresh_from_db()
    assert credential.evidence.name != stored
    assert credential.evidence_content_type == "image/png"


def test_an_older_credential_without_a_document_asks_for_one_on_its_edit_page(client, therapist):
    credential = add_credential(therapist.profile, "licence")
    page = client.get(reverse("credential_edit", args=[credential.pk])).content.decode()
    assert "No document yet: add one so we can check it." in page
    assert "Document on file" not in page
    # It can still be corrected without one; the dashboard keeps asking.
    assert client.post(reverse("credential_edit", args=[credential.pk]), credential_data("licence")).status_code == 302


def test_a_chosen_file_must_be_chosen_again_when_something_else_needs_fixing(client, therapist):
    data = credential_data("licence", issued_on="2024-05-01", expires_on="2024-04-30")
    response = client.post(ADD, {**data, "evidence": pdf_upload()})
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Please choose your document again: for your privacy we do not keep a file while something else on the "
        "form needs fixing." in page
    )
    assert not list(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.*"))


def test_no_choose_again_note_when_no_file_was_chosen_or_the_file_itself_was_wrong(client, therapist):
    response = client.post(ADD, credential_data("licence", issued_on="2024-05-01", expires_on="2024-04-30"))
    assert "Please choose your document again" not in response.content.decode()
    response = client.post(ADD, {**credential_data("licence"), "evidence": upload("licence.pdf", HTML_BYTES)})
    page = response.content.decode()
    assert "whatever its name says" in page
    assert "Please choose your document again" not in page


# What the therapist is told after saving.


def test_a_credential_saved_on_a_draft_waits_for_the_profile_to_be_submitted(client, therapist):
    response = client.post(ADD, {**credential_data("licence"), "evidence": pdf_upload()}, follow=True)
    page = response.content.decode()
    assert "Saved. It will go to our reviewers when you submit your profile." in page
    assert "Our reviewers will check it" not in page


def test_a_credential_added_to_a_submitted_profile_goes_to_the_reviewers(client, therapist):
    therapist.profile.submitted_at = timezone.now()
    therapist.profile.save()
    response = client.post(ADD, {**credential_data("licence"), "evidence": pdf_upload()}, follow=True)
    assert "Your credential is saved. Our reviewers will check it." in response.content.decode()


# Removing a credential asks first.


def test_removing_a_credential_asks_first_and_only_the_post_withdraws_it(client, therapist):
    credential = add_credential(therapist.profile, "licence")
    edit_page = client.get(reverse("credential_edit", args=[credential.pk])).content.decode()
    remove_url = reverse("credential_remove", args=[credential.pk])
    withdraw_url = reverse("credential_withdraw", args=[credential.pk])
    assert f'href="{remove_url}"' in edit_page
    assert f'action="{withdraw_url}"' not in edit_page

    response = client.get(remove_url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "<h1>Remove your licence or registration?</h1>" in page
    assert "If this is your only verified licence, patients will stop finding you." in page
    assert f'<form method="post" action="{withdraw_url}"' in page
    credential.refresh_from_db()
    assert credential.status == "pending"

    response = client.post(withdraw_url, follow=True)
    assert "Its review history is kept." in response.content.decode()
    credential.refresh_from_db()
    assert credential.status == "withdrawn"


def test_the_confirmation_says_so_when_it_is_the_only_verified_licence_of_a_listed_profile(client):
    user = make_user()
    profile = make_listed_profile(user)
    client.force_login(user)
    licence = profile.credentials.get(kind="licence")
    training = profile.credentials.get(kind="oncology_training")
    page = client.get(reverse("credential_remove", args=[licence.pk])).content.decode()
    assert "This is your only verified licence, so patients will stop finding you" in page
    page = client.get(reverse("credential_remove", args=[training.pk])).content.decode()
    assert "This is your only verified oncology training or CLT certification" in page
    insurance = add_credential(profile, "insurance", expires_on=days_from_today(300))
    page = client.get(reverse("credential_remove", args=[insurance.pk])).content.decode()
    assert "<h1>Remove your professional liability insurance?</h1>" in page
    assert "patients will stop finding you" not in page
    # With a second verified licence, removing the first leaves the profile listed.
    add_credential(profile, "licence", status="verified", source="Test State Board of Massage Therapy")
    page = client.get(reverse("credential_remove", args=[licence.pk])).content.decode()
    assert "This is your only verified licence" not in page


def test_the_confirmation_page_only_shows_and_does_not_withdraw_on_post(client, therapist):
    credential = add_credential(therapist.profile, "licence")
    assert client.post(reverse("credential_remove", args=[credential.pk])).status_code == 405
    credential.refresh_from_db()
    assert credential.status == "pending"


def test_a_removed_credential_has_no_confirmation_page(client, therapist):
    credential = add_credential(therapist.profile, "licence", status="withdrawn")
    response = client.get(reverse("credential_remove", args=[credential.pk]), follow=True)
    assert "already removed" in response.content.decode()


def test_another_therapists_credential_has_no_confirmation_page(client, therapist):
    other = add_credential(make_profile(), "licence")
    assert client.get(reverse("credential_remove", args=[other.pk])).status_code == 404


# Error messages in plain words.


def test_a_value_too_long_is_explained_in_plain_words(client, therapist):
    response = client.post(ADD, {**credential_data("licence", issuer="x" * 500), "evidence": pdf_upload()})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please keep this under 200 characters (you typed 500)." in page
    assert "Ensure this value" not in page


def test_a_date_that_is_not_a_date_is_explained_in_plain_words(client, therapist):
    response = client.post(ADD, {**credential_data("licence", issued_on="last spring"), "evidence": pdf_upload()})
    assert "Please enter a date, such as 2024-03-01." in response.content.decode()


DJANGO_DEFAULT_OPENINGS = (
    "Ensure ",
    "Enter a valid",
    "Enter a whole",
    "Enter a number",
    "Select a valid",
    "This field",
)


@pytest.mark.parametrize("form_class", [ProfileForm, LocationForm, CredentialForm])
def test_no_field_of_the_therapists_forms_keeps_a_django_default_message(form_class):
    form = form_class()
    for name, field in form.fields.items():
        for code, message in field.error_messages.items():
            assert not str(message).startswith(DJANGO_DEFAULT_OPENINGS), (name, code, message)
