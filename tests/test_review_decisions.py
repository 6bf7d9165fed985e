"""The queue, the credential page and the decisions made on it: verify,
reject, suspend, reinstate. Each decision changes state, records an event
and emails the therapist (without the internal note)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directory.models import Credential, Profile, VerificationEvent
from tests.factories import add_credential, add_location, make_listed_profile, make_profile
from tests.mail_helpers import run_tasks
from tests.review_helpers import decide, signed_in_reviewer

pytestmark = pytest.mark.django_db
Action = VerificationEvent.Action

VERIFY = {
    "method": "registry",
    "reference": "State board look-up, entry DEMO-1",
    "name_matches": "on",
    "internal_note": "Checked the board site; the address matches too.",
    "source": "New York State Office of the Professions",
    "register_status": "Active",
    "disciplinary_action": "no",
    "training_hours": "32",
    "hands_on": "yes",
}


@pytest.fixture
def reviewer(client):
    return signed_in_reviewer(client)


@pytest.fixture
def pending():
    profile = make_profile(submitted_at=timezone.now())
    add_location(profile)
    return add_credential(profile, Credential.Kind.LICENCE, jurisdiction="New York")


def entered_queue(credential, days_ago):
    """Pretend the credential came into the queue ``days_ago`` days ago."""
    when = timezone.now() - timedelta(days=days_ago)
    Credential.objects.filter(pk=credential.pk).update(created_at=when)
    VerificationEvent.objects.create(
        profile=credential.profile, credential=credential, action=Action.SUBMITTED, created_at=when
    )


# --- The queue


def test_the_queue_lists_pending_credentials_oldest_first_with_their_waiting_time(client, reviewer):
    newer = add_credential(make_profile(display_name="Newer Person"), Credential.Kind.LICENCE)
    older = add_credential(make_profile(display_name="Older Person"), Credential.Kind.ONCOLOGY_TRAINING)
    entered_queue(newer, 1)
    entered_queue(older, 3)
    make_listed_profile(display_name="Already Verified")
    html = client.get("/review/").content.decode().replace("\xa0", " ")
    assert html.index("Older Person") < html.index("Newer Person")
    assert "Waiting 3 days" in html
    assert "Waiting 1 day" in html
    assert "Already Verified" not in html
    assert "2 credentials waiting" in html


def test_a_credential_returned_to_review_waits_from_its_return_not_its_creation(client, reviewer):
    credential = add_credential(make_profile(display_name="Returned Person"), Credential.Kind.LICENCE)
    Credential.objects.filter(pk=credential.pk).update(created_at=timezone.now() - timedelta(days=300))
    VerificationEvent.objects.create(profile=credential.profile, credential=credential, action=Action.RETURNED)
    html = client.get("/review/").content.decode().replace("\xa0", " ")
    assert "Waiting 0 minutes" in html


def test_the_queue_filters_by_kind_and_jurisdiction(client, reviewer):
    add_credential(make_profile(display_name="Nina New York"), Credential.Kind.LICENCE, jurisdiction="New York")
    add_credential(make_profile(display_name="Olga Oregon"), Credential.Kind.LICENCE, jurisdiction="Oregon")
    add_credential(make_profile(display_name="Tara Training"), Credential.Kind.ONCOLOGY_TRAINING, jurisdiction="Oregon")

    html = client.get("/review/", {"kind": "licence", "jurisdiction": "Oregon"}).content.decode()
    assert "Olga Oregon" in html
    assert "Nina New York" not in html and "Tara Training" not in html
    assert '<option value="Oregon" selected>' in html

    html = client.get("/review/", {"kind": "oncology_training"}).content.decode()
    assert "Tara Training" in html and "Olga Oregon" not in html


def test_a_filter_value_that_is_not_offered_gives_a_plain_message_and_the_whole_queue(client, reviewer, pending):
    response = client.get("/review/", {"kind": "spaceship", "jurisdiction": "Atlantis"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a kind from the list." in html
    assert "No credential waits for review in that jurisdiction" in html
    assert pending.profile.display_name in html


def test_the_queue_costs_the_same_number_of_queries_for_one_or_many_credentials(
    client, reviewer, django_assert_num_queries
):
    for n in range(12):
        add_credential(make_profile(), Credential.Kind.LICENCE, jurisdiction=f"State {n % 3}")
    # 1 the session, 2 the user, 3-4 the reviewer's permissions (own, through groups),
    # 5 the jurisdictions offered, 6 the count for the pager, 7 the page of credentials with their
    # profiles and waiting times, 8 the open concerns with their profiles, 9 the re-checks due with their
    # profiles, 10 the name changes waiting.
    with django_assert_num_queries(10):
        response = client.get("/review/")
    assert response.status_code == 200
    assert "12 credentials waiting" in response.content.decode()


def test_the_queue_is_searched_by_therapist_name_and_each_row_names_the_therapist(client, reviewer):
    wanted = add_credential(make_profile(display_name="Wanda Willow"), Credential.Kind.LICENCE)
    add_credential(make_profile(display_name="Zed Zephyr"), Credential.Kind.LICENCE)
    html = client.get("/review/", {"q": "willow"}).content.decode()
    assert f"Wanda Willow: {wanted.get_kind_display()}" in html
    assert "Zed Zephyr" not in html
    assert "1 credential waiting with this filter" in html


def test_the_profile_list_finds_profiles_by_name_or_email(client, reviewer):
    make_profile(display_name="Wanda Willow")
    other = make_profile(display_name="Zed Zephyr")
    assert "Wanda Willow" in client.get("/review/profiles/", {"q": "willow"}).content.decode()
    html = client.get("/review/profiles/", {"q": other.user.email.upper()}).content.decode()
    assert "Zed Zephyr" in html and "Wanda Willow" not in html


def test_the_profile_list_costs_a_fixed_number_of_queries(client, reviewer, django_assert_num_queries):
    for _ in range(8):
        make_profile()
    # 1 the session, 2 the user, 3-4 permissions (own, through groups), 5 the count,
    # 6 the page of profiles with their users and pending counts.
    with django_assert_num_queries(6):
        assert client.get("/review/profiles/").status_code == 200


# --- The credential page


def test_the_credential_page_shows_profile_credential_evidence_link_history_and_forms(client, reviewer, pending):
    html = client.get(f"/review/credentials/{pending.pk}/").content.decode()
    assert pending.profile.display_name in html
    assert pending.identifier in html
    assert "No document was uploaded" in html  # no evidence on this one
    assert f'action="/review/credentials/{pending.pk}/verify/"' in html
    assert f'action="/review/credentials/{pending.pk}/reject/"' in html
    assert "Registry look-up at the primary source" in html
    assert "Not listed" in html


def test_the_credential_page_warns_when_the_same_licence_number_is_on_another_profile(client, reviewer, pending):
    other = make_profile(display_name="Someone Else")
    add_credential(other, Credential.Kind.LICENCE, identifier=pending.identifier.lower(), jurisdiction="new york")
    html = client.get(f"/review/credentials/{pending.pk}/").content.decode()
    assert "The same licence number on another profile" in html
    assert "Someone Else" in html


# --- Verify


def test_verifying_changes_the_credential_records_an_event_and_emails_the_therapist(
    client, reviewer, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, pending, "verify", VERIFY)
    run_tasks()
    assert response.status_code == 302
    assert response["Location"] == "/review/"
    pending.refresh_from_db()
    assert pending.status == Credential.Status.VERIFIED
    assert pending.reviewed_by == reviewer
    assert pending.verified_on == timezone.localdate()
    assert pending.method == "registry"
    assert pending.reference == VERIFY["reference"]
    assert pending.name_matches is True
    assert pending.internal_note == VERIFY["internal_note"]
    event = pending.events.get(action=Action.VERIFIED)
    assert event.actor == reviewer
    assert VERIFY["internal_note"] not in event.note  # the therapist sees event notes
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [pending.profile.user.email]
    assert "verified" in email.subject
    assert VERIFY["internal_note"] not in email.body


def test_a_message_to_the_therapist_on_verification_reaches_the_event_and_the_email(
    client, reviewer, pending, django_capture_on_commit_callbacks
):
    data = {**VERIFY, "note_to_therapist": "Please upload the renewal next year."}
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, pending, "verify", data)
    run_tasks()
    assert pending.events.get(action=Action.VERIFIED).note == "Please upload the renewal next year."
    assert "Please upload the renewal next year." in mail.outbox[0].body


def test_verifying_needs_a_method_and_the_name_confirmation_and_keeps_what_was_typed(client, reviewer, pending):
    response = decide(client, pending, "verify", {"reference": "Entry 42", "internal_note": "Half done"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose how you verified this credential." in html
    assert "Confirm that the name at the source matches the profile." in html
    assert 'value="Entry 42"' in html
    assert "Half done" in html
    pending.refresh_from_db()
    assert pending.status == Credential.Status.PENDING
    assert not pending.events.filter(action=Action.VERIFIED).exists()
    assert mail.outbox == []


def test_a_method_that_is_not_offered_is_refused_plainly(client, reviewer, pending):
    data = {**VERIFY, "method": "guesswork"}
    response = decide(client, pending, "verify", data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Credential.Status.PENDING


def test_a_licence_verified_for_another_profile_cannot_be_verified_again(
    client, reviewer, pending, django_capture_on_commit_callbacks
):
    first = make_profile()
    add_credential(
        first,
        Credential.Kind.LICENCE,
        status=Credential.Status.VERIFIED,
        identifier=pending.identifier.upper(),
        jurisdiction="NEW YORK",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, pending, "verify", VERIFY)
    run_tasks()
    html = response.content.decode()
    assert response.status_code == 200
    assert "already verified for another profile" in html
    assert VERIFY["reference"] in html  # nothing typed is lost
    pending.refresh_from_db()
    assert pending.status == Credential.Status.PENDING
    assert pending.reviewed_by is None
    assert not pending.events.filter(action=Action.VERIFIED).exists()
    assert mail.outbox == []


def test_a_renewal_with_the_same_licence_number_is_verified_while_the_old_term_stays_verified(
    client, reviewer, pending
):
    old_term = add_credential(
        pending.profile,
        Credential.Kind.LICENCE,
        status=Credential.Status.VERIFIED,
        identifier=pending.identifier,
        jurisdiction=pending.jurisdiction,
        expires_on=pending.expires_on - timedelta(days=365),
        issued_on=pending.issued_on - timedelta(days=365),
    )
    response = decide(client, pending, "verify", VERIFY)
    assert response.status_code == 302
    pending.refresh_from_db()
    old_term.refresh_from_db()
    assert pending.status == Credential.Status.VERIFIED
    assert old_term.status == Credential.Status.VERIFIED


def test_a_decided_credential_is_not_decided_again(client, reviewer, pending):
    decide(client, pending, "verify", VERIFY)
    response = decide(client, pending, "reject", {"note_to_therapist": "Changed my mind"})
    assert response.status_code == 200
    assert "already decided" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Credential.Status.VERIFIED


def test_a_withdrawn_credential_cannot_be_decided(client, reviewer, pending):
    from directory.services import withdraw_credential

    withdraw_credential(credential=pending, actor=pending.profile.user)
    response = decide(client, pending, "verify", VERIFY)
    assert "withdrew this credential" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Credential.Status.WITHDRAWN


# --- Reject


def test_rejecting_needs_a_message_and_tells_the_therapist_why(
    client, reviewer, pending, django_capture_on_commit_callbacks
):
    response = decide(client, pending, "reject", {"note_to_therapist": "   "})
    assert "Write a message to the therapist saying why." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Credential.Status.PENDING

    message = "The board lists this number under a different name. Please check the number."
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(
            client,
            pending,
            "reject",
            {"note_to_therapist": message, "internal_note": "Looks like a typo, not fraud."},
        )
    run_tasks()
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Credential.Status.REJECTED
    assert pending.reviewed_by == reviewer
    assert pending.note_to_therapist == message
    event = pending.events.get(action=Action.REJECTED)
    assert (event.actor, event.note) == (reviewer, message)
    assert len(mail.outbox) == 1
    assert message in mail.outbox[0].body
    assert "typo" not in mail.outbox[0].body


# --- Suspend and reinstate


def test_suspending_needs_a_reason_hides_the_profile_records_an_event_and_emails(
    client, reviewer, django_capture_on_commit_callbacks
):
    profile = make_listed_profile()
    url = f"/review/profiles/{profile.pk}/suspend/"
    response = client.post(url, {"reason": ""})
    assert "Give a reason." in response.content.decode()
    assert Profile.objects.listed().filter(pk=profile.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Complaint under investigation."})
    run_tasks()
    assert response.status_code == 302
    assert response["Location"] == f"/review/profiles/{profile.pk}/"
    profile.refresh_from_db()
    assert profile.is_suspended
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()
    event = profile.events.get(action=Action.SUSPENDED)
    assert (event.actor, event.note) == (reviewer, "Complaint under investigation.")
    assert "suspended" in mail.outbox[-1].subject
    assert "Complaint under investigation." in mail.outbox[-1].body

    # Suspending twice changes nothing.
    response = client.post(url, {"reason": "Again"})
    assert "already suspended" in response.content.decode()
    assert profile.events.filter(action=Action.SUSPENDED).count() == 1


def test_reinstating_needs_a_reason_and_lists_the_profile_again(client, reviewer, django_capture_on_commit_callbacks):
    profile = make_listed_profile()
    client.post(f"/review/profiles/{profile.pk}/suspend/", {"reason": "Complaint under investigation."})
    url = f"/review/profiles/{profile.pk}/reinstate/"
    assert "Give a reason." in client.post(url, {"reason": " "}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Complaint resolved."})
    run_tasks()
    assert response.status_code == 302
    profile.refresh_from_db()
    assert not profile.is_suspended
    assert Profile.objects.listed().filter(pk=profile.pk).exists()
    assert profile.events.get(action=Action.REINSTATED).note == "Complaint resolved."
    assert "reinstated" in mail.outbox[-1].subject


def test_reinstating_a_profile_that_is_not_suspended_says_so(client, reviewer):
    profile = make_listed_profile()
    response = client.post(f"/review/profiles/{profile.pk}/reinstate/", {"reason": "Just because"})
    assert "This profile is not suspended." in response.content.decode()
    assert not profile.events.filter(action=Action.REINSTATED).exists()


def test_the_profile_page_shows_credentials_history_and_the_suspension_form(client, reviewer):
    profile = make_listed_profile(display_name="Paula Page")
    html = client.get(f"/review/profiles/{profile.pk}/").content.decode()
    assert "Paula Page" in html
    assert "Listed" in html
    assert f'action="/review/profiles/{profile.pk}/suspend/"' in html
    assert html.count("/review/credentials/") == 2


def test_the_services_refuse_a_reviewer_deciding_about_their_own_profile():
    from django.core.exceptions import PermissionDenied

    from directory import services
    from tests.factories import make_reviewer

    reviewer = make_reviewer()
    own = add_credential(make_profile(reviewer), Credential.Kind.LICENCE)
    with pytest.raises(PermissionDenied):
        services.verify_credential(credential=own, reviewer=reviewer, method="registry", name_matches=True)
    with pytest.raises(PermissionDenied):
        services.reject_credential(credential=own, reviewer=reviewer, note_to_therapist="No")
    with pytest.raises(PermissionDenied):
        services.suspend_profile(profile=own.profile, reviewer=reviewer, reason="No")


def test_the_services_refuse_someone_who_is_not_a_reviewer(pending):
    from django.core.exceptions import PermissionDenied

    from directory import services
    from tests.factories import make_user

    with pytest.raises(PermissionDenied):
        services.verify_credential(credential=pending, reviewer=make_user(), method="registry", name_matches=True)


def test_a_decision_page_renders_no_query_for_each_event(client, reviewer, pending):
    for _ in range(5):
        VerificationEvent.objects.create(profile=pending.profile, credential=pending, action=Action.EVIDENCE_OPENED)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/review/credentials/{pending.pk}/")
    for _ in range(20):
        VerificationEvent.objects.create(profile=pending.profile, credential=pending, action=Action.EVIDENCE_OPENED)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/review/credentials/{pending.pk}/")
    assert len(many) == len(few)


def test_the_verification_that_lists_a_profile_sends_one_email_with_its_public_address(
    client, reviewer, django_capture_on_commit_callbacks
):
    profile = make_profile(submitted_at=timezone.now())
    add_location(profile)
    add_credential(profile, Credential.Kind.LICENCE, status=Credential.Status.VERIFIED)
    training = add_credential(profile, Credential.Kind.ONCOLOGY_TRAINING)
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, training, "verify", VERIFY)
    run_tasks()
    subjects = [message.subject for message in mail.outbox]
    assert any("Patients can now find you" in subject for subject in subjects)
    listed_mail = next(m for m in mail.outbox if "Patients can now find you" in m.subject)
    assert profile.get_absolute_url() in listed_mail.body
    assert VERIFY["internal_note"] not in listed_mail.body

    # Verifying one more credential of a listed profile sends no second "listed" email.
    mail.outbox.clear()
    extra = add_credential(profile, Credential.Kind.INSURANCE)
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, extra, "verify", VERIFY)
    run_tasks()
    assert not any("Patients can now find you" in m.subject for m in mail.outbox)


def test_a_credential_changed_after_the_reviewer_opened_it_is_not_decided(client, reviewer, pending):
    page = client.get(f"/review/credentials/{pending.pk}/").content.decode()
    seen = page.split('name="seen_version" value="')[1].split('"')[0]
    # The therapist edits the pending credential while the page is open.
    pending.identifier = "DEMO-CHANGED-1"
    pending.save()
    response = client.post(f"/review/credentials/{pending.pk}/verify/", {"seen_version": seen, **VERIFY})
    html = response.content.decode()
    assert response.status_code == 200
    assert "changed this credential or their name after you opened it" in html
    assert "DEMO-CHANGED-1" in html  # the page now shows what changed
    pending.refresh_from_db()
    assert pending.status == Credential.Status.PENDING
    # Deciding from the page as it is now works.
    response = decide(client, pending, "verify", VERIFY)
    assert response.status_code == 302


def test_a_decision_locks_the_profile_before_the_credential(client, reviewer, pending):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks (SELECT … FOR UPDATE) exist on PostgreSQL; SQLite has one writer at a time.")
    page = client.get(f"/review/credentials/{pending.pk}/").content.decode()
    version = page.split('name="seen_version" value="', 1)[1].split('"', 1)[0]
    with CaptureQueriesContext(connection) as queries:
        client.post(f"/review/credentials/{pending.pk}/verify/", {"seen_version": version, **VERIFY})
    statements = [query["sql"] for query in queries.captured_queries]
    profile_lock = next(i for i, sql in enumerate(statements) if "FOR NO KEY UPDATE" in sql)
    credential_lock = next(
        i for i, sql in enumerate(statements) if sql.endswith('FOR UPDATE OF "directory_credential"')
    )
    assert '"directory_profile"' in statements[profile_lock]
    assert profile_lock < credential_lock
    pending.refresh_from_db()
    assert pending.status == Credential.Status.VERIFIED
