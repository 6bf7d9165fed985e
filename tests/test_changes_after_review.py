"""PRODUCT.md "Changes after review": a change to a verified credential or to
the name waits as a revision while the verified version stays listed;
removing withdraws at once and keeps the history."""

import pytest
from django.urls import reverse

from directory.listing import is_listed
from directory.models import Credential, Profile, VerificationEvent
from tests.factories import add_credential, days_from_today, make_listed_profile, make_reviewer, make_user
from tests.therapist_helpers import credential_data, pdf_upload, profile_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist(client):
    user = make_user()
    client.force_login(user)
    return user


@pytest.fixture
def listed(therapist):
    return make_listed_profile(therapist, display_name="Marigold Ashby-Fenn")


def licence_of(profile) -> Credential:
    return profile.credentials.get(kind="licence")


def form_data_of(credential: Credential, **changes) -> dict:
    data = {
        "kind": credential.kind,
        "issuer": credential.issuer,
        "identifier": credential.identifier,
        "jurisdiction": credential.jurisdiction,
        "issued_on": credential.issued_on.isoformat() if credential.issued_on else "",
        "expires_on": credential.expires_on.isoformat() if credential.expires_on else "",
        "training_hours": credential.training_hours or "",
        "hands_on": {True: "True", False: "False"}.get(credential.hands_on, ""),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "change",
    [
        {"identifier": "DEMO-NY-7777"},
        {"issuer": "Another Demo Board"},
        {"jurisdiction": "New Jersey"},
        {"expires_on": days_from_today(900).isoformat()},
    ],
)
def test_changing_a_verified_credentials_substance_waits_as_a_revision_and_stays_listed(client, listed, change):
    licence = licence_of(listed)
    response = client.post(reverse("credential_edit", args=[licence.pk]), form_data_of(licence, **change), follow=True)
    assert "Your change waits for review" in response.content.decode()
    assert "Change waiting for review" in response.content.decode()
    licence.refresh_from_db()
    assert licence.status == Credential.Status.VERIFIED
    revision = licence.revisions.get()
    assert revision.status == Credential.Status.PENDING
    field, value = next(iter(change.items()))
    assert str(getattr(revision, field)) == value
    assert VerificationEvent.objects.filter(credential=revision, action="revision_submitted").exists()
    assert is_listed(Profile.objects.get(pk=listed.pk))
    # Patients still see the verified version.
    page = client.get(listed.get_absolute_url()).content.decode()
    assert licence.identifier in page


def test_a_second_edit_updates_the_waiting_revision(client, listed):
    licence = licence_of(listed)
    client.post(reverse("credential_edit", args=[licence.pk]), form_data_of(licence, identifier="DEMO-NY-7777"))
    client.post(reverse("credential_edit", args=[licence.pk]), form_data_of(licence, identifier="DEMO-NY-7778"))
    assert licence.revisions.get().identifier == "DEMO-NY-7778"


def test_a_new_document_on_a_verified_credential_waits_as_a_revision(client, listed):
    licence = licence_of(listed)
    data = {**form_data_of(licence), "evidence": pdf_upload()}
    client.post(reverse("credential_edit", args=[licence.pk]), data)
    licence.refresh_from_db()
    assert licence.status == Credential.Status.VERIFIED
    assert licence.revisions.get().evidence


def test_changing_training_hours_is_a_change_of_substance(client, listed):
    training = listed.credentials.get(kind="oncology_training")
    client.post(reverse("credential_edit", args=[training.pk]), form_data_of(training, training_hours="12"))
    training.refresh_from_db()
    assert training.training_hours == 32
    assert training.status == Credential.Status.VERIFIED
    assert training.revisions.get().training_hours == 12
    assert is_listed(Profile.objects.get(pk=listed.pk))


def test_correcting_a_rejected_credential_sends_it_back_to_review(client, therapist):
    profile = make_listed_profile(therapist)
    rejected = add_credential(profile, "clt", status="rejected", note_to_therapist="The name does not match.")
    page = client.get(reverse("credential_edit", args=[rejected.pk])).content.decode()
    assert "The name does not match." in page
    client.post(reverse("credential_edit", args=[rejected.pk]), form_data_of(rejected, issuer="Demo CLT Academy"))
    rejected.refresh_from_db()
    assert rejected.status == Credential.Status.PENDING


def test_a_new_name_waits_for_review_and_the_verified_name_stays_listed(client, listed):
    response = client.post(reverse("profile_edit"), profile_data(display_name="Marigold Fenn"), follow=True)
    assert "Your new name waits for our reviewers" in response.content.decode()
    listed.refresh_from_db()
    assert listed.display_name == "Marigold Ashby-Fenn"
    assert listed.pending_display_name == "Marigold Fenn"
    assert set(listed.credentials.values_list("status", flat=True)) == {"verified"}
    assert VerificationEvent.objects.filter(profile=listed, action="revision_submitted").count() == 1
    assert is_listed(Profile.objects.get(pk=listed.pk))


def test_other_profile_changes_leave_credentials_verified(client, listed):
    client.post(reverse("profile_edit"), profile_data(display_name="Marigold Ashby-Fenn", headline="New words"))
    assert set(listed.credentials.values_list("status", flat=True)) == {"verified"}
    assert is_listed(Profile.objects.get(pk=listed.pk))


def test_removing_a_credential_withdraws_it_and_keeps_its_history(client, listed):
    licence = licence_of(listed)
    response = client.post(reverse("credential_withdraw", args=[licence.pk]), follow=True)
    assert "Its review history is kept." in response.content.decode()
    licence.refresh_from_db()
    assert licence.status == Credential.Status.WITHDRAWN
    assert licence.withdrawn_at is not None
    assert VerificationEvent.objects.filter(credential=licence, action="withdrawn", actor=listed.user).exists()
    assert not is_listed(Profile.objects.get(pk=listed.pk))
    # Withdrawing twice changes nothing more.
    client.post(reverse("credential_withdraw", args=[licence.pk]))
    assert VerificationEvent.objects.filter(credential=licence, action="withdrawn").count() == 1


def test_a_renewal_is_a_new_credential_and_the_old_one_keeps_the_profile_listed(client, therapist):
    reviewer = make_reviewer()
    profile = make_listed_profile(therapist, reviewer=reviewer)
    old = licence_of(profile)
    old.expires_on = days_from_today(10)
    old.save()
    page = client.get(reverse("dashboard")).content.decode()
    assert f"{reverse('credential_add')}?renew={old.pk}" in page

    data = credential_data("licence", identifier="DEMO-NY-8001", issued_on=days_from_today(-1).isoformat(),
                           expires_on=days_from_today(730).isoformat())  # fmt: skip
    client.post(reverse("credential_add"), {**data, "evidence": pdf_upload()})
    renewal = profile.credentials.exclude(pk=old.pk).get(kind="licence")
    assert renewal.status == Credential.Status.PENDING
    old.refresh_from_db()
    assert old.status == Credential.Status.VERIFIED
    assert is_listed(Profile.objects.get(pk=profile.pk))
