"""A therapist deletes their account from the dashboard: the profile leaves the
directory at once, personal data and files go, the review history stays
without the person in it."""

from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db.models import ProtectedError

from accounts.models import User
from directory.models import Credential, Enquiry, Location, Profile, VerificationEvent
from directory.services import record_event
from tests.factories import PASSWORD, make_listed_profile, make_reviewer, make_user
from tests.therapist_helpers import PDF_BYTES, image_bytes

pytestmark = pytest.mark.django_db

DELETE = "/dashboard/account/delete/"


@pytest.fixture
def listed_therapist():
    """A listed therapist with a photo, evidence, an enquiry and a review history."""
    user = make_user("leaving@example.test")
    reviewer = make_reviewer("reviewer@example.test")
    profile = make_listed_profile(user, reviewer=reviewer, display_name="Rowan Leaving")
    profile.photo.save("me.jpg", ContentFile(image_bytes("JPEG")), save=True)
    credential = profile.credentials.first()
    credential.evidence.save("licence.pdf", ContentFile(PDF_BYTES), save=True)
    record_event(profile=profile, credential=credential, action="submitted", actor=user, note="Credential added.")
    record_event(
        profile=profile,
        credential=credential,
        action="verified",
        actor=reviewer,
        note="Rowan's licence NY-123 matches.",
    )
    Enquiry.objects.create(profile=profile, name="A patient", email="patient@example.test", message="Hi", consent=True)
    return user, profile, credential, reviewer


def test_the_dashboard_links_to_account_deletion(client, listed_therapist):
    client.force_login(listed_therapist[0])
    page = client.get("/dashboard/").content.decode()
    assert f'href="{DELETE}"' in page
    assert 'href="/accounts/email/"' in page


def test_a_therapist_deletes_their_account_after_typing_the_password(
    client, listed_therapist, django_capture_on_commit_callbacks
):
    user, profile, credential, reviewer = listed_therapist
    photo, evidence = Path(profile.photo.path), Path(credential.evidence.path)
    assert photo.exists() and evidence.exists()
    assert client.get(profile.get_absolute_url()).status_code == 200
    client.force_login(user)

    page = client.get(DELETE)
    assert page.status_code == 200
    assert "This cannot be undone" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session

    # Gone from the directory and from storage.
    assert client.get(profile.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/therapists/{profile.slug}/").status_code == 404
    assert "Rowan Leaving" not in client.get("/therapists/", {"near": "10001"}).content.decode()
    assert not User.objects.filter(email="leaving@example.test").exists()
    assert not EmailAddress.objects.filter(email="leaving@example.test").exists()
    for model in (Profile, Location, Credential, Enquiry):
        assert not model.objects.exists(), model
    assert not photo.exists()
    assert not evidence.exists()

    # The review history stays, without the person in it.
    events = list(VerificationEvent.objects.order_by("id"))
    assert [event.action for event in events] == ["submitted", "verified"]
    for event in events:
        assert event.profile_id is None
        assert event.credential_id is None
        assert event.note == ""
        assert event.profile_label == f"Deleted profile {profile.pk}"
        assert event.credential_label == "Licence or registration to practise massage"
    assert events[0].actor is None
    assert events[1].actor == reviewer


def test_a_wrong_password_deletes_nothing(client, listed_therapist):
    user, profile, _, _ = listed_therapist
    client.force_login(user)
    response = client.post(DELETE, {"password": "not-my-password"})
    assert response.status_code == 400
    assert "That is not your password" in response.content.decode()
    assert Profile.objects.filter(pk=profile.pk).exists()
    assert client.get(profile.get_absolute_url()).status_code == 200


def test_an_account_without_a_profile_can_be_deleted_too(client):
    user = make_user("early@example.test")
    client.force_login(user)
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_deletion_needs_a_signed_in_therapist_and_a_post(client, listed_therapist):
    response = client.get(DELETE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(listed_therapist[0])
    assert client.put(DELETE).status_code == 405


def test_a_staff_account_is_not_deleted_here(client):
    reviewer = make_reviewer("reviewer.leaving@example.test")
    client.force_login(reviewer)
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 403
    assert User.objects.filter(pk=reviewer.pk).exists()


def test_events_stay_append_only_and_still_protect_profiles(listed_therapist):
    _, profile, _, _ = listed_therapist
    with pytest.raises(PermissionDenied):
        VerificationEvent.objects.filter(profile=profile).update(note="changed")
    with pytest.raises(ProtectedError):
        profile.delete()
