"""The listing rule: the dashboard's words for each reason, the QuerySet and
the reasons agreeing on every demo profile, and the expiry-day boundary."""

from datetime import timedelta

import pytest
from django.utils import timezone

from devtools.demo.people import create_demo_people
from directory import services
from directory.listing import is_listed, reasons_not_listed
from directory.models import Credential, Location, Profile
from tests.factories import (
    add_credential,
    changed,
    days_from_today,
    make_listed_profile,
    make_reviewer,
    make_user,
    save_all,
)

pytestmark = pytest.mark.django_db


def _unsubmit(profile):
    profile.submitted_at = None
    profile.save()


def _clear(field):
    def change(profile):
        setattr(profile, field, "" if field != "years_oncology" else None)
        profile.save()

    return change


def _no_services(profile):
    profile.services.clear()


def _no_session_places(profile):
    profile.visits_practice = profile.visits_home = profile.visits_hospital = False
    profile.save()


def _suspend(profile):
    services.suspend_profile(profile=profile, reviewer=make_reviewer(), reason="Looking into a complaint.")


def _expire_licence(profile):
    save_all(
        profile.credentials.filter(kind="licence"), issued_on=days_from_today(-800), expires_on=days_from_today(-1)
    )


def _withdraw_training(profile):
    for credential in profile.credentials.filter(kind="oncology_training"):
        services.withdraw_credential(credential=credential, actor=profile.user)


def _no_location(profile):
    Location.objects.filter(profile=profile).delete()


# (what breaks the listing, the reason code, the words the dashboard shows)
REASONS = [
    (_unsubmit, "not_submitted", "You have not submitted your profile for review yet."),
    (_clear("display_name"), "missing_display_name", "Add your name as it appears on your licence."),
    (_clear("headline"), "missing_headline", "Add a one-line headline."),
    (_clear("bio"), "missing_bio", "Write a short description of your work (your bio)."),
    (_clear("years_oncology"), "missing_years_oncology",
     "Say how many years you have worked with people with cancer."),
    (_no_services, "missing_services", "Choose at least one service you offer."),
    (_no_session_places, "missing_session_places",
     "Say where you see clients: at your practice, in their home, or in hospital or hospice."),
    (_suspend, "suspended", "Your profile is suspended."),
    (_expire_licence, "no_practise_credential", "You need a verified, unexpired licence or registration to practise"),
    (_withdraw_training, "no_oncology_credential",
     "You need a verified oncology massage training or lymphedema therapist (CLT) credential."),
    (_no_location, "no_location", "Add at least one practice location or home-visit area."),
]  # fmt: skip


@pytest.mark.parametrize(("break_it", "code", "words"), REASONS, ids=[code for _, code, _ in REASONS])
def test_the_dashboard_says_in_plain_words_why_a_profile_is_not_listed(client, break_it, code, words):
    user = make_user()
    profile = make_listed_profile(user)
    break_it(profile)
    changed(profile)  # as the services do after a change; a no-op after a service's own
    profile = Profile.objects.get(pk=profile.pk)

    assert [reason.code for reason in reasons_not_listed(profile)] == [code]
    assert not Profile.objects.listed().filter(pk=profile.pk).exists()
    client.force_login(user)
    page = client.get("/dashboard/").content.decode()
    assert words in page
    assert "Listed: patients can find you" not in page


def test_a_complete_verified_profile_has_no_reasons_and_is_listed(client):
    user = make_user()
    profile = make_listed_profile(user)
    assert reasons_not_listed(profile) == []
    assert list(Profile.objects.listed()) == [profile]
    client.force_login(user)
    assert "Listed: patients can find you" in client.get("/dashboard/").content.decode()


def test_the_queryset_and_the_reasons_agree_on_every_demo_profile():
    create_demo_people()
    profiles = list(Profile.objects.prefetch_related("services", "credentials", "locations"))
    assert len(profiles) >= 20
    listed_ids = set(Profile.objects.listed().values_list("pk", flat=True))
    for profile in profiles:
        assert (profile.pk in listed_ids) == (reasons_not_listed(profile) == []), profile.slug
    # The demo covers every state of the journey.
    assert len(listed_ids) >= 14
    codes = {reason.code for profile in profiles for reason in reasons_not_listed(profile)}
    assert {"not_submitted", "missing_bio", "suspended", "no_practise_credential", "no_oncology_credential"} <= codes
    statuses = set(Credential.objects.values_list("status", flat=True))
    assert statuses == {"pending", "verified", "rejected"}


def test_demo_people_can_be_created_twice_without_duplicates():
    create_demo_people()
    counts = (Profile.objects.count(), Credential.objects.count(), Location.objects.count())
    create_demo_people()
    assert (Profile.objects.count(), Credential.objects.count(), Location.objects.count()) == counts


def test_demo_listed_therapists_cover_new_york_and_the_other_cities():
    from directory.geo.offline import haversine_miles

    create_demo_people()
    listed = Location.objects.filter(profile__in=Profile.objects.listed())
    near_10001 = [loc for loc in listed if haversine_miles(40.7484, -73.9967, loc.latitude, loc.longitude) <= 25]
    assert len(near_10001) >= 4
    assert any((loc.latitude, loc.longitude) == (40.7484, -73.9967) for loc in listed)
    cities = {(loc.city, loc.country) for loc in listed}
    for expected in [("Boston", "US"), ("Chicago", "US"), ("Portland", "US"), ("Seattle", "US"), ("Austin", "US"),
                     ("Leeds", "GB"), ("London", "GB"), ("Toronto", "CA")]:  # fmt: skip
        assert expected in cities
    assert {loc.region for loc in listed if loc.city == "Portland"} == {"OR", "ME"}
    assert listed.filter(show_street_address=True).exists()
    assert listed.filter(travel_radius_miles__isnull=False).count() >= 3
    # Evidence is stored exactly as uploads are: a random name in private storage, with its type.
    with_evidence = Credential.objects.exclude(evidence="")
    assert with_evidence.exists()
    assert all(c.evidence_content_type in ("application/pdf", "image/png") for c in with_evidence)
    assert all(c.evidence.name.startswith("evidence/") for c in with_evidence)


def test_a_licence_expiring_today_still_lists_and_one_that_expired_yesterday_does_not():
    profile = make_listed_profile()
    licence = profile.credentials.get(kind="licence")
    today = timezone.localdate()
    licence.expires_on = today
    licence.save()
    changed(profile)
    assert is_listed(profile, today=today)
    assert Profile.objects.listed(today=today).filter(pk=profile.pk).exists()
    tomorrow = today + timedelta(days=1)
    assert not is_listed(profile, today=tomorrow)
    assert not Profile.objects.listed(today=tomorrow).filter(pk=profile.pk).exists()
    assert [r.code for r in reasons_not_listed(profile, today=tomorrow)] == ["no_practise_credential"]


def test_an_expired_licence_is_carried_by_a_verified_renewal():
    reviewer = make_reviewer()
    profile = make_listed_profile(reviewer=reviewer)
    save_all(
        profile.credentials.filter(kind="licence"), issued_on=days_from_today(-800), expires_on=days_from_today(-1)
    )
    add_credential(profile, "licence", status="verified", reviewer=reviewer, identifier="DEMO-NY-4242")
    assert is_listed(Profile.objects.get(pk=profile.pk))
    assert Profile.objects.listed().filter(pk=profile.pk).exists()
