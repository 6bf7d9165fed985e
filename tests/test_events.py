"""Verification events are append-only: nobody changes or deletes one,
through the model, a queryset or the admin, and they outlive the credential."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError

from directory import services
from directory.models import Credential, VerificationEvent
from tests.factories import LOOKED_UP, add_credential, make_profile, make_reviewer
from tests.review_helpers import make_mfa_superuser, sign_in

pytestmark = pytest.mark.django_db
Action = VerificationEvent.Action


@pytest.fixture
def event():
    credential = add_credential(make_profile(), Credential.Kind.LICENCE)
    return services.reject_credential(
        credential=credential, reviewer=make_reviewer(), note_to_therapist="Wrong number."
    ).events.get(action=Action.REJECTED)


def test_an_event_cannot_be_saved_again(event):
    event.note = "Rewritten"
    with pytest.raises(PermissionDenied):
        event.save()
    event.refresh_from_db()
    assert event.note == "Wrong number."


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        VerificationEvent.objects.filter(pk=event.pk).delete()
    assert VerificationEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_updated_in_bulk(event):
    with pytest.raises(PermissionDenied):
        VerificationEvent.objects.all().update(note="Rewritten")
    event.refresh_from_db()
    assert event.note == "Wrong number."


def test_events_outlive_a_withdrawn_credential_and_protect_it_from_deletion(event):
    credential = event.credential
    services.withdraw_credential(credential=credential, actor=credential.profile.user)
    actions = list(credential.events.values_list("action", flat=True))
    assert actions == [Action.REJECTED, Action.WITHDRAWN]
    with pytest.raises(ProtectedError):
        credential.delete()
    assert VerificationEvent.objects.filter(credential=credential).count() == 2


def test_each_decision_records_actor_time_action_and_the_message_for_the_therapist():
    reviewer = make_reviewer()
    credential = add_credential(make_profile(), Credential.Kind.LICENCE)
    services.verify_credential(
        credential=credential,
        reviewer=reviewer,
        method="registry",
        name_matches=True,
        **LOOKED_UP,
        internal_note="Spoke to the registrar.",
        note_to_therapist="All in order.",
    )
    event = credential.events.get()
    assert event.actor == reviewer
    assert event.action == Action.VERIFIED
    assert event.created_at is not None
    assert event.note == "All in order."
    assert "registrar" not in event.note


def test_a_verification_without_a_message_notes_the_method_only():
    credential = add_credential(make_profile(), Credential.Kind.LICENCE)
    services.verify_credential(
        credential=credential,
        reviewer=make_reviewer(),
        method="registry",
        name_matches=True,
        **LOOKED_UP,
        internal_note="Private remark.",
    )
    assert credential.events.get().note == "Verified by registry look-up at the primary source."


def test_the_admin_shows_events_but_offers_no_add_change_or_delete(client, event):
    superuser, secret = make_mfa_superuser()
    sign_in(client, superuser, secret)
    assert client.get("/admin/directory/verificationevent/").status_code == 200
    response = client.get(f"/admin/directory/verificationevent/{event.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="note"' not in html
    assert "Wrong number." in html
    assert client.get("/admin/directory/verificationevent/add/").status_code == 403
    assert client.get(f"/admin/directory/verificationevent/{event.pk}/delete/").status_code == 403
    response = client.post(f"/admin/directory/verificationevent/{event.pk}/change/", {"note": "Rewritten"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.note == "Wrong number."
