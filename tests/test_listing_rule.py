"""The listing rule's truth table, fed by real review decisions: start from a
listed profile, make one condition false, and the profile is not listed —
by the QuerySet and by the reasons function alike."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from directory import services
from directory.listing import reasons_not_listed
from directory.models import Credential, Location, Profile
from tests.factories import add_credential, add_location, changed, make_listed_profile, make_profile, save_all
from tests.review_helpers import decide, signed_in_reviewer

pytestmark = pytest.mark.django_db
Kind = Credential.Kind
VERIFY = {
    "method": "registry",
    "name_matches": "on",
    "source": "New York State Office of the Professions",
    "register_status": "Active",
    "disciplinary_action": "no",
    "training_hours": "32",
    "hands_on": "yes",
}


def listed(profile, today=None) -> bool:
    """The rule both ways; they must agree."""
    by_query = Profile.objects.listed(today=today).filter(pk=profile.pk).exists()
    fresh = Profile.objects.prefetch_related("credentials", "locations").get(pk=profile.pk)
    by_reasons = not reasons_not_listed(fresh, today=today)
    assert by_query == by_reasons, reasons_not_listed(fresh, today=today)
    return by_query


def reason_codes(profile, today=None) -> set[str]:
    return {r.code for r in reasons_not_listed(Profile.objects.get(pk=profile.pk), today=today)}


def credential_of(profile, kind) -> Credential:
    return profile.credentials.get(kind=kind)


@pytest.fixture
def reviewer(client):
    return signed_in_reviewer(client)


def test_the_starting_profile_is_listed():
    assert listed(make_listed_profile())


def test_not_submitted_means_not_listed():
    profile = make_listed_profile()
    save_all(Profile.objects.filter(pk=profile.pk), submitted_at=None)
    assert not listed(profile)
    assert "not_submitted" in reason_codes(profile)


def test_incomplete_means_not_listed():
    profile = make_listed_profile()
    save_all(Profile.objects.filter(pk=profile.pk), bio="")
    assert not listed(profile)
    assert "missing_bio" in reason_codes(profile)


def test_suspended_through_the_review_page_means_not_listed(client, reviewer):
    profile = make_listed_profile()
    client.post(f"/review/profiles/{profile.pk}/suspend/", {"reason": "Complaint under investigation."})
    assert not listed(profile)
    assert "suspended" in reason_codes(profile)


def test_a_rejected_licence_means_not_listed(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.LICENCE).delete()
    licence = add_credential(profile, Kind.LICENCE)
    decide(client, licence, "reject", {"note_to_therapist": "The number is not on the register."})
    licence.refresh_from_db()
    assert licence.status == Credential.Status.REJECTED
    assert not listed(profile)
    assert "no_practise_credential" in reason_codes(profile)


def test_an_expired_licence_means_not_listed():
    profile = make_listed_profile()
    licence = credential_of(profile, Kind.LICENCE)
    save_all(
        Credential.objects.filter(pk=licence.pk),
        issued_on=timezone.localdate() - timedelta(days=800),
        expires_on=timezone.localdate() - timedelta(days=1),
    )
    assert not listed(profile)
    assert "no_practise_credential" in reason_codes(profile)


def test_a_missing_oncology_credential_means_not_listed():
    profile = make_listed_profile()
    credential_of(profile, Kind.ONCOLOGY_TRAINING).delete()
    changed(profile)
    assert not listed(profile)
    assert "no_oncology_credential" in reason_codes(profile)


def test_a_rejected_oncology_credential_means_not_listed(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.ONCOLOGY_TRAINING).delete()
    changed(profile)
    training = add_credential(profile, Kind.ONCOLOGY_TRAINING)
    decide(client, training, "reject", {"note_to_therapist": "A webinar-only course."})
    assert not listed(profile)
    assert "no_oncology_credential" in reason_codes(profile)


def test_a_pending_credential_does_not_count(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.ONCOLOGY_TRAINING).delete()
    changed(profile)
    add_credential(profile, Kind.ONCOLOGY_TRAINING)
    assert not listed(profile)


def test_a_withdrawn_credential_does_not_count():
    from directory.services import withdraw_credential

    profile = make_listed_profile()
    withdraw_credential(credential=credential_of(profile, Kind.LICENCE), actor=profile.user)
    assert not listed(profile)


def test_no_location_means_not_listed():
    profile = make_listed_profile()
    services.remove_locations(Location.objects.filter(profile=profile))
    assert not listed(profile)
    assert "no_location" in reason_codes(profile)


def test_verifying_licence_and_training_on_the_review_pages_lists_the_profile(client, reviewer):
    profile = make_profile(submitted_at=timezone.now())
    add_location(profile)
    licence = add_credential(profile, Kind.LICENCE)
    training = add_credential(profile, Kind.ONCOLOGY_TRAINING)
    assert not listed(profile)
    decide(client, licence, "verify", VERIFY)
    assert not listed(profile)  # the training is still pending
    assert reason_codes(profile) == {"no_oncology_credential"}
    decide(client, training, "verify", {**VERIFY, "method": "document"})
    assert listed(profile)


def test_a_verified_clt_counts_as_oncology_training(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.ONCOLOGY_TRAINING).delete()
    changed(profile)
    clt = add_credential(profile, Kind.CLT, issuer="Test Lymphedema Academy")
    decide(client, clt, "verify", VERIFY)
    assert listed(profile)


def test_an_mld_certificate_is_not_oncology_training(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.ONCOLOGY_TRAINING).delete()
    changed(profile)
    mld = add_credential(profile, Kind.MLD, issuer="Test Drainage School")
    decide(client, mld, "verify", VERIFY)
    assert not listed(profile)


def test_a_verified_statement_alone_never_lists_where_massage_is_not_regulated(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.LICENCE).delete()
    statement = add_credential(
        profile, Kind.UNREGULATED, issuer="Self-declared", identifier="", jurisdiction="Kansas", expires_on=None
    )
    response = decide(client, statement, "verify", {**VERIFY, "method": "document"})
    assert response.status_code == 302
    assert not listed(profile)
    assert "statement_only" in reason_codes(profile)


def test_a_professional_body_membership_lists_where_massage_is_not_regulated(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.LICENCE).delete()
    membership = add_credential(
        profile, Kind.MEMBERSHIP, issuer="Test Association of Bodywork", jurisdiction="Kansas", expires_on=None
    )
    decide(client, membership, "verify", {**VERIFY, "method": "issuer"})
    assert listed(profile)


def test_a_voluntary_registration_lists_through_a_registry_look_up_only(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.LICENCE).delete()
    cnhc = add_credential(profile, Kind.VOLUNTARY_REGISTER, issuer="CNHC", jurisdiction="England")
    response = decide(client, cnhc, "verify", {**VERIFY, "method": "document"})
    assert "England has a public register: the method must be a registry look-up." in response.content.decode()
    assert not listed(profile)
    decide(client, cnhc, "verify", {**VERIFY, "source": "Complementary and Natural Healthcare Council (CNHC)"})
    assert listed(profile)


def test_a_licence_where_massage_is_only_certified_voluntarily_cannot_be_verified(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.LICENCE).delete()
    licence = add_credential(profile, Kind.LICENCE, issuer="A city permit office", jurisdiction="California")
    response = decide(client, licence, "verify", VERIFY)
    assert "California does not license massage" in response.content.decode()
    assert not listed(profile)


def test_a_licence_with_a_disciplinary_action_needs_an_administrators_recorded_decision(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.LICENCE).delete()
    licence = add_credential(profile, Kind.LICENCE)
    response = decide(client, licence, "verify", {**VERIFY, "disciplinary_action": "yes"})
    assert "only an administrator can verify" in response.content.decode()
    assert not listed(profile)


def test_training_below_the_standard_is_kept_but_does_not_list(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.ONCOLOGY_TRAINING).delete()
    changed(profile)
    short = add_credential(profile, Kind.ONCOLOGY_TRAINING, training_hours=12)
    decide(client, short, "verify", {**VERIFY, "method": "document", "training_hours": "12"})
    assert Credential.objects.get(pk=short.pk).status == Credential.Status.VERIFIED
    assert not listed(profile)
    assert "training_below_standard" in reason_codes(profile)


def test_training_without_hands_on_practice_does_not_list_and_24_hours_with_it_does(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.ONCOLOGY_TRAINING).delete()
    changed(profile)
    webinar = add_credential(profile, Kind.ONCOLOGY_TRAINING, training_hours=40, hands_on=False)
    decide(client, webinar, "verify", {**VERIFY, "method": "document", "training_hours": "40", "hands_on": "no"})
    assert not listed(profile)
    enough = add_credential(profile, Kind.ONCOLOGY_TRAINING, training_hours=24)
    decide(client, enough, "verify", {**VERIFY, "method": "document", "training_hours": "24", "hands_on": "yes"})
    assert listed(profile)


# --- Re-check: a right to practise stops counting more than 30 days after its re-check date


def test_a_licence_counts_through_30_days_past_its_recheck_and_stops_the_day_after(client, reviewer):
    profile = make_listed_profile()
    credential_of(profile, Kind.LICENCE).delete()
    licence = add_credential(profile, Kind.LICENCE, expires_on=timezone.localdate() + timedelta(days=1000))
    decide(client, licence, "verify", VERIFY)
    licence.refresh_from_db()
    due = licence.recheck_due_on
    assert due is not None
    assert listed(profile, today=due + timedelta(days=30))
    assert not listed(profile, today=due + timedelta(days=31))
    assert "recheck_overdue" in reason_codes(profile, today=due + timedelta(days=31))


# --- Expiry: valid through expires_on in the site's time zone, delisted the next day, no job


def test_a_licence_is_valid_through_its_expiry_day_and_delists_the_day_after():
    profile = make_listed_profile()
    licence = credential_of(profile, Kind.LICENCE)
    expires_on = licence.expires_on
    assert listed(profile, today=expires_on - timedelta(days=1))
    assert listed(profile, today=expires_on)
    assert not listed(profile, today=expires_on + timedelta(days=1))
    assert "no_practise_credential" in reason_codes(profile, today=expires_on + timedelta(days=1))


def test_a_licence_expiring_today_still_lists_and_one_that_expired_yesterday_does_not():
    today = timezone.localdate()
    expiring_today = make_listed_profile()
    save_all(Credential.objects.filter(profile=expiring_today, kind=Kind.LICENCE), expires_on=today)
    expired_yesterday = make_listed_profile()
    save_all(
        Credential.objects.filter(profile=expired_yesterday, kind=Kind.LICENCE), expires_on=today - timedelta(days=1)
    )
    assert listed(expiring_today)
    assert not listed(expired_yesterday)


def test_the_default_today_is_the_site_local_date(client):
    profile = make_listed_profile()
    licence = credential_of(profile, Kind.LICENCE)
    with mock.patch("django.utils.timezone.localdate", return_value=licence.expires_on):
        assert Profile.objects.listed().filter(pk=profile.pk).exists()
    with mock.patch("django.utils.timezone.localdate", return_value=licence.expires_on + timedelta(days=1)):
        assert not Profile.objects.listed().filter(pk=profile.pk).exists()
        assert reasons_not_listed(Profile.objects.get(pk=profile.pk))
        response = client.get(profile.get_absolute_url())
        assert response.status_code == 404


def test_a_service_cleared_or_deleted_from_its_own_side_delists_profiles_left_without_one():
    from directory.models import Service

    cleared, deleted = make_listed_profile(services=("reflexology",)), make_listed_profile(services=("seated-massage",))
    Service.objects.get(slug="reflexology").profiles.clear()
    changed(cleared)
    services.delete_vocabulary_entries(Service.objects.filter(slug="seated-massage"))
    assert not Profile.objects.listed().filter(pk__in=[cleared.pk, deleted.pk]).exists()
