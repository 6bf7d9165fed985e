"""Evidence documents are private: only their owner and reviewers signed in
with a second factor can download them, and only through the evidence view."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.http import Http404
from django.urls import reverse
from django.views.static import serve

from directory.models import VerificationEvent
from tests.factories import add_credential, make_profile, make_reviewer, make_user
from tests.review_helpers import signed_in_reviewer
from tests.therapist_helpers import PDF_BYTES, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return make_user()


@pytest.fixture
def credential(owner):
    credential = add_credential(make_profile(owner), "licence")
    credential.evidence.save("licence.pdf", ContentFile(PDF_BYTES), save=False)
    credential.evidence_content_type = "application/pdf"
    credential.save()
    return credential


def evidence_url(credential) -> str:
    return reverse("credential_evidence", args=[credential.pk])


def test_the_owner_downloads_their_evidence_as_a_private_attachment(client, owner, credential):
    client.force_login(owner)
    response = client.get(evidence_url(credential))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="credential-{credential.pk}-evidence.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert not VerificationEvent.objects.filter(action="evidence_opened").exists()


def test_an_image_is_served_with_its_stored_type_and_never_inline(client, owner):
    credential = add_credential(make_profile(owner), "clt")
    credential.evidence.save("scan.png", ContentFile(image_bytes("PNG")), save=False)
    credential.evidence_content_type = "image/png"
    credential.save()
    client.force_login(owner)
    response = client.get(evidence_url(credential))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_reviewer_with_a_second_factor_can_open_it_and_the_opening_is_recorded(client, credential):
    reviewer = signed_in_reviewer(client)
    response = client.get(evidence_url(credential))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    event = VerificationEvent.objects.get(action="evidence_opened")
    assert (event.credential, event.actor) == (credential, reviewer)


def test_a_reviewer_signed_in_without_a_second_factor_cannot_open_it(client, credential):
    client.force_login(make_reviewer())
    assert client.get(evidence_url(credential)).status_code == 404
    assert not VerificationEvent.objects.filter(action="evidence_opened").exists()


def test_staff_without_the_review_permission_cannot_open_it(client, credential):
    client.force_login(make_user(is_staff=True))
    assert client.get(evidence_url(credential)).status_code == 404


def test_another_therapist_cannot_open_it(client, credential):
    client.force_login(make_user())
    assert client.get(evidence_url(credential)).status_code == 404


def test_an_anonymous_visitor_is_asked_to_sign_in(client, credential):
    response = client.get(evidence_url(credential))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_credential_without_a_document_has_nothing_to_download(client, owner):
    credential = add_credential(make_profile(owner), "licence")
    client.force_login(owner)
    assert client.get(evidence_url(credential)).status_code == 404


def test_a_missing_file_is_not_found_rather_than_an_error(client, owner, credential):
    Path(credential.evidence.path).unlink()
    client.force_login(owner)
    assert client.get(evidence_url(credential)).status_code == 404


def test_the_evidence_view_only_answers_get_and_head(client, owner, credential):
    client.force_login(owner)
    assert client.post(evidence_url(credential)).status_code == 405


def test_evidence_is_stored_outside_the_public_media_and_static_folders(client, credential):
    stored = Path(credential.evidence.path).resolve()
    assert Path(settings.PRIVATE_MEDIA_ROOT).resolve() in stored.parents
    assert Path(settings.MEDIA_ROOT).resolve() not in stored.parents
    assert Path(settings.STATIC_ROOT).resolve() not in stored.parents
    with pytest.raises(ValueError):
        credential.evidence.url  # noqa: B018 - private files have no address


def test_no_evidence_file_is_reachable_under_media_or_static_urls(client, owner, credential, settings, rf):
    client.force_login(owner)
    name = credential.evidence.name
    for prefix in (settings.MEDIA_URL, settings.STATIC_URL):
        assert client.get(f"{prefix}{name}").status_code == 404
        assert client.get(f"{prefix}{Path(name).name}").status_code == 404
    # Even the development file server, pointed at the public folders, does not find it.
    for root in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        with pytest.raises(Http404):
            serve(rf.get(f"/media/{name}"), name, document_root=root)
