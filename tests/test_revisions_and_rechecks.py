"""Pending revisions keep the verified version listed until a reviewer decides;
re-checks are decisions recorded as events; reminders go to the right people;
the jurisdictions table says where massage is regulated."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from directory import jurisdictions
from directory.models import Credential, CredentialReminder, Profile, VerificationEvent
from tests.factories import changed, days_from_today, make_listed_profile, make_user
from tests.mail_helpers import run_tasks
from tests.review_helpers import decide, make_mfa_reviewer, sign_in, signed_in_reviewer
from tests.therapist_helpers import profile_data

pytestmark = pytest.mark.django_db
Action = VerificationEvent.Action
VERIFY = {
    "method": "registry",
    "name_matches": "on",
    "source": "New York State Office of the Professions",
    "register_status": "Active",
    "disciplinary_action": "no",
}
RECHECK = {
    "method": "registry",
    "source": "New York State Office of the Professions",
    "register_status": "Active",
    "disciplinary_action": "no",
    "still_valid": "yes",
}


def is_listed(profile) -> bool:
    return Profile.objects.listed().filter(pk=profile.pk).exists()


def edit_licence(client, licence, **changes):
    data = {
        "kind": licence.kind,
        "issuer": licence.issuer,
        "identifier": licence.identifier,
        "jurisdiction": licence.jurisdiction,
        "issued_on": licence.issued_on.isoformat(),
        "expires_on": licence.expires_on.isoformat(),
        "training_hours": "",
        "hands_on": "",
        **changes,
    }
    return client.post(reverse("credential_edit", args=[licence.pk]), data)


@pytest.fixture
def therapist_client(client):
    user = make_user()
    profile = make_listed_profile(user, display_name="Tobiah Typofix")
    client.force_login(user)
    return client, profile


def test_a_typo_fix_keeps_the_listing_and_a_rejected_revision_leaves_the_verified_version(therapist_client):
    client, profile = therapist_client
    licence = profile.credentials.get(kind="licence")
    edit_licence(client, licence, identifier="TEST-FIXED-1")
    revision = licence.revisions.get()
    assert is_listed(profile)
    assert "Change waiting for review" in client.get(reverse("dashboard")).content.decode()

    client.logout()
    signed_in_reviewer(client)
    page = client.get(f"/review/credentials/{revision.pk}/").content.decode()
    assert "A change to a verified credential" in page
    assert licence.identifier in page and "TEST-FIXED-1" in page  # old and new side by side
    response = decide(client, revision, "reject", {"note_to_therapist": "The register shows the old number."})
    assert response.status_code == 302
    licence.refresh_from_db()
    revision.refresh_from_db()
    assert revision.status == Credential.Status.REJECTED
    assert licence.status == Credential.Status.VERIFIED
    assert is_listed(profile)
    assert licence.identifier in client.get(profile.get_absolute_url()).content.decode()


def test_a_verified_revision_replaces_the_old_version(therapist_client):
    client, profile = therapist_client
    licence = profile.credentials.get(kind="licence")
    edit_licence(client, licence, identifier="TEST-FIXED-2")
    revision = licence.revisions.get()
    client.logout()
    signed_in_reviewer(client)
    assert decide(client, revision, "verify", VERIFY).status_code == 302
    licence.refresh_from_db()
    revision.refresh_from_db()
    assert licence.status == Credential.Status.REPLACED
    assert revision.status == Credential.Status.VERIFIED
    assert is_listed(profile)
    page = client.get(profile.get_absolute_url()).content.decode()
    assert "TEST-FIXED-2" in page and licence.identifier not in page


def test_removing_a_credential_with_a_waiting_change_withdraws_both_at_once(therapist_client):
    client, profile = therapist_client
    licence = profile.credentials.get(kind="licence")
    edit_licence(client, licence, identifier="TEST-FIXED-3")
    client.post(reverse("credential_withdraw", args=[licence.pk]))
    assert set(profile.credentials.filter(kind="licence").values_list("status", flat=True)) == {"withdrawn"}
    assert not is_listed(profile)


def test_a_name_change_waits_and_a_reviewer_decides_it(therapist_client):
    client, profile = therapist_client
    data = profile_data(display_name="Tobiah Typofixed")
    client.post(reverse("profile_edit"), data)
    profile.refresh_from_db()
    assert profile.display_name == "Tobiah Typofix" and profile.pending_display_name == "Tobiah Typofixed"
    assert is_listed(profile)
    client.logout()
    signed_in_reviewer(client)
    assert "Name changes waiting (1)" in client.get("/review/").content.decode()
    response = client.post(f"/review/profiles/{profile.pk}/name/", {"accept": "no", "note": ""})
    assert response.status_code == 400
    assert client.post(f"/review/profiles/{profile.pk}/name/", {"accept": "yes"}).status_code == 302
    profile.refresh_from_db()
    assert profile.display_name == "Tobiah Typofixed" and not profile.pending_display_name
    assert is_listed(profile)


# --- Re-checks


def verified_licence(client, **fields) -> Credential:
    profile = make_listed_profile()
    licence = profile.credentials.get(kind="licence")
    licence.delete()
    licence = Credential.objects.create(
        profile=profile, kind="licence", issuer="Test Board", identifier=f"TEST-RC-{profile.pk}",
        jurisdiction="New York", issued_on=days_from_today(-400), expires_on=days_from_today(900), **fields,
    )  # fmt: skip
    decide(client, licence, "verify", VERIFY)
    licence.refresh_from_db()
    return licence


def test_verification_sets_the_next_recheck_at_twelve_months_or_expiry(client, settings):
    signed_in_reviewer(client)
    licence = verified_licence(client)
    today = timezone.localdate()
    assert licence.recheck_due_on == today.replace(year=today.year + 1)
    settings.CREDENTIAL_RECHECK_MONTHS = 36
    soon = verified_licence(client)
    assert soon.recheck_due_on == soon.expires_on


def test_due_rechecks_are_in_the_queue_oldest_first_with_the_look_up_link(client):
    signed_in_reviewer(client)
    newer, older = verified_licence(client), verified_licence(client)
    Credential.objects.filter(pk=newer.pk).update(recheck_due_on=days_from_today(-2))
    Credential.objects.filter(pk=older.pk).update(recheck_due_on=days_from_today(-20))
    html = client.get("/review/").content.decode()
    assert "Re-checks due (2)" in html
    assert html.index(older.profile.display_name) < html.index(newer.profile.display_name)
    assert "https://www.op.nysed.gov/verification-search" in html


def test_a_recheck_is_a_decision_recorded_as_an_event(client):
    signed_in_reviewer(client)
    licence = verified_licence(client)
    licence.recheck_due_on = days_from_today(-31)
    licence.save()
    changed(licence.profile)
    assert not is_listed(licence.profile)
    response = client.post(f"/review/credentials/{licence.pk}/recheck/", {**RECHECK, "method": "document"})
    assert response.status_code == 400
    assert "the method must be a registry look-up" in response.content.decode()
    assert client.post(f"/review/credentials/{licence.pk}/recheck/", RECHECK).status_code == 302
    licence.refresh_from_db()
    assert licence.recheck_due_on > timezone.localdate()
    assert is_listed(licence.profile)
    event = VerificationEvent.objects.get(credential=licence, action=Action.RECHECKED)
    assert "Still valid" in event.note and "New York State Office of the Professions" in event.note


def test_a_recheck_that_finds_it_no_longer_valid_stops_it_counting(client):
    signed_in_reviewer(client)
    licence = verified_licence(client)
    data = {**RECHECK, "still_valid": "no", "register_status": "Lapsed", "note": "The register shows it lapsed."}
    assert client.post(f"/review/credentials/{licence.pk}/recheck/", data).status_code == 302
    licence.refresh_from_db()
    assert licence.status == Credential.Status.REJECTED
    assert not is_listed(licence.profile)


def test_reminders_tell_reviewers_superusers_near_the_cutoff_and_the_therapist_once(client):
    signed_in_reviewer(client)
    licence = verified_licence(client)
    licence.recheck_due_on = days_from_today(-25)  # stops counting in 5 days
    licence.save()
    superuser, _ = make_mfa_reviewer(is_superuser=True)
    run_tasks()  # the verification's own emails
    mail.outbox.clear()
    call_command("send_recheck_reminders", stdout=StringIO())
    run_tasks()
    subjects = {(tuple(m.to), m.subject) for m in mail.outbox}
    assert any("re-check(s) due" in subject for _, subject in subjects)
    assert ((superuser.email,), "[Oncology Massage Directory] 1 re-check(s) within 7 days of the cutoff") in subjects
    therapist_mails = [m for m in mail.outbox if m.to == [licence.profile.user.email]]
    assert len(therapist_mails) == 1 and "stops counting" in therapist_mails[0].body
    assert CredentialReminder.objects.filter(credential=licence, kind="recheck").count() == 1
    mail.outbox.clear()
    call_command("send_recheck_reminders", stdout=StringIO())
    run_tasks()
    assert not [m for m in mail.outbox if m.to == [licence.profile.user.email]]


def test_only_reviewers_with_a_second_factor_see_revisions(client, therapist_client):
    client, profile = therapist_client
    licence = profile.credentials.get(kind="licence")
    edit_licence(client, licence, identifier="TEST-FIXED-9")
    revision = licence.revisions.get()
    page = f"/review/credentials/{revision.pk}/"
    assert client.get(page).status_code == 403  # the therapist
    reviewer, secret = make_mfa_reviewer()
    client.force_login(reviewer)
    assert client.get(page).status_code == 403  # no second factor in this login
    client.logout()
    sign_in(client, reviewer, secret)
    assert "TEST-FIXED-9" in client.get(page).content.decode()


# --- The jurisdictions table


def test_the_table_covers_the_places_the_standard_names():
    countries = {j.country for j in jurisdictions.all_jurisdictions()}
    assert {"US", "GB", "CA", "AU", "IE", "NZ"} <= countries
    assert len([j for j in jurisdictions.all_jurisdictions() if j.country == "US"]) == 51
    california = jurisdictions.find("California")
    assert california.regulation == "voluntary" and "CAMTC" in california.register and california.lookup_url
    assert jurisdictions.find("england").register.endswith("(CNHC)")
    assert jurisdictions.find("Kansas").regulation == "none"
    assert jurisdictions.find("NY") == jurisdictions.find("US-NY") == jurisdictions.find("New York")
    assert jurisdictions.find("Atlantis") is None


def test_the_table_is_shown_to_reviewers_beside_a_licence(client):
    signed_in_reviewer(client)
    profile = make_listed_profile()
    licence = profile.credentials.get(kind="licence")
    Credential.objects.filter(pk=licence.pk).update(status="pending", jurisdiction="Oregon")
    html = client.get(f"/review/credentials/{licence.pk}/").content.decode()
    assert "Oregon licenses massage; its public register is kept by the Oregon Board of Massage Therapists." in html
    assert 'href="https://www.oregon.gov/obmt"' in html


def test_an_unknown_jurisdiction_is_refused_in_plain_words(client):
    user = make_user()
    profile = make_listed_profile(user)
    client.force_login(user)
    response = client.post(
        reverse("credential_add"),
        {"kind": "licence", "issuer": "Board", "identifier": "X-1", "jurisdiction": "Atlantis",
         "issued_on": "2022-01-01", "expires_on": (timezone.localdate() + timedelta(days=300)).isoformat()},
    )  # fmt: skip
    assert response.status_code == 400
    assert "We do not know “Atlantis”" in response.content.decode()
    assert not profile.credentials.filter(jurisdiction="Atlantis").exists()


def test_a_superuser_verifies_a_licence_with_a_disciplinary_action_only_with_a_recorded_decision(client):
    superuser, secret = make_mfa_reviewer(is_superuser=True)
    sign_in(client, superuser, secret)
    profile = make_listed_profile()
    licence = profile.credentials.get(kind="licence")
    Credential.objects.filter(pk=licence.pk).update(status="pending", reviewed_by=None, verified_on=None)
    with_action = {**VERIFY, "disciplinary_action": "yes"}
    response = decide(client, licence, "verify", with_action)
    assert "Write your decision about the disciplinary action and why." in response.content.decode()
    decision = "A 2019 late-renewal fine only; no restriction on practice."
    assert decide(client, licence, "verify", {**with_action, "action_decision": decision}).status_code == 302
    licence.refresh_from_db()
    assert licence.status == Credential.Status.VERIFIED and licence.disciplinary_action is True
    event = VerificationEvent.objects.get(credential=licence, action=Action.ACTION_DECIDED)
    assert event.actor == superuser and event.note == decision
