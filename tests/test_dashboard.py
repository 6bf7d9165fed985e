"""The therapist's dashboard: what is missing, each credential's state, review
activity, and submitting for review."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from directory import services
from directory.models import Credential, VerificationEvent
from tests.factories import (
    LOOKED_UP,
    add_credential,
    add_location,
    days_from_today,
    make_listed_profile,
    make_profile,
    make_reviewer,
    make_user,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"


@pytest.fixture
def therapist(client):
    user = make_user()
    client.force_login(user)
    return user


def test_the_dashboard_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_with_an_unverified_email_is_asked_to_verify_it_first(client):
    user = make_user(verified=False)
    make_profile(user)
    client.force_login(user)
    response = client.get(DASHBOARD)
    # A code goes to the address, and the page to enter it opens.
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm-email/")
    assert b"<h1>Your dashboard</h1>" not in response.content


def test_a_new_therapist_is_invited_to_start_a_profile(client, therapist):
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "Start your profile" in response.content.decode()
    assert reverse("profile_edit") in response.content.decode()


def test_the_dashboard_is_never_cached(client, therapist):
    response = client.get(DASHBOARD)
    assert "no-store" in response["Cache-Control"]


def test_a_draft_lists_what_is_missing_before_it_can_be_submitted(client, therapist):
    make_profile(therapist, bio="")
    page = client.get(DASHBOARD).content.decode()
    assert "Draft: not submitted yet" in page
    assert "Write a short description of your work (your bio)." in page
    assert "Add at least one practice location or home-visit area." in page
    assert "Add your licence or registration to practise" in page
    assert "Add your oncology massage training or CLT certification." in page
    assert f"{reverse('credential_add')}?kind=licence" in page


def test_a_listed_therapist_is_told_patients_can_find_them(client, therapist):
    make_listed_profile(therapist)
    page = client.get(DASHBOARD).content.decode()
    assert "Listed: patients can find you" in page
    assert "Here is exactly why" not in page


def test_the_dashboard_links_to_the_enquiries_inbox(client, therapist):
    make_profile(therapist)
    assert 'href="/dashboard/enquiries/"' in client.get(DASHBOARD).content.decode()


def test_each_credential_shows_its_state_in_plain_words(client, therapist):
    reviewer = make_reviewer()
    profile = make_profile(therapist, submitted_at=timezone.now())
    add_credential(profile, "licence", identifier="DEMO-NY-0101")
    verified = add_credential(profile, "oncology_training", status="verified", reviewer=reviewer)
    rejected = add_credential(profile, "clt", issuer="Demo Lymphatic Academy")
    services.reject_credential(
        credential=rejected, reviewer=reviewer, note_to_therapist="The certificate shows a different name.",
        internal_note="Called the academy; private detail.",
    )  # fmt: skip
    add_credential(profile, "insurance", status="verified", reviewer=reviewer, expires_on=days_from_today(12))
    add_credential(
        profile, "licence", status="verified", reviewer=reviewer, identifier="DEMO-NJ-0001", jurisdiction="New Jersey",
        issued_on=days_from_today(-800), expires_on=days_from_today(-1),
    )  # fmt: skip
    gone = add_credential(profile, "board", issuer="Demo Board of Bodywork")
    services.withdraw_credential(credential=gone, actor=therapist)

    page = client.get(DASHBOARD).content.decode()
    assert "Waiting for review" in page
    assert f"Verified on {verified.verified_on:%-d %B %Y}" in page
    assert "Not accepted" in page
    assert "The certificate shows a different name." in page
    assert "private detail" not in page
    assert "Expiring soon" in page
    assert "Expires in 12 days" in page
    assert f"Expired on {days_from_today(-1):%-d %B %Y}" in page
    assert "Add a renewal" in page
    # Withdrawn credentials are folded away, not mixed with live ones.
    assert "Withdrawn credentials (1)" in page
    assert page.index("Demo Board of Bodywork") > page.index("Withdrawn credentials (1)")


def test_recent_review_decisions_are_shown_without_reviewers_internal_notes(client, therapist):
    reviewer = make_reviewer()
    profile = make_profile(therapist, submitted_at=timezone.now())
    credential = add_credential(profile, "licence", identifier="DEMO-NY-0102")
    services.verify_credential(
        credential=credential, reviewer=reviewer, method="registry", name_matches=True, **LOOKED_UP,
        internal_note="Registry entry 55 looked fine",
    )  # fmt: skip
    services.record_evidence_opened(credential=credential, actor=reviewer)
    page = client.get(DASHBOARD).content.decode()
    assert "Recent review activity" in page
    assert "Verified: Licence or registration to practise massage" in page
    assert "Registry entry 55" not in page
    assert "Evidence opened" not in page


def test_the_dashboard_costs_a_fixed_number_of_queries(client, therapist, django_assert_num_queries):
    reviewer = make_reviewer()
    profile = make_listed_profile(therapist, reviewer=reviewer)
    for n in range(3):
        add_credential(profile, "other", issuer=f"Demo Course {n}")
        add_location(profile, city=f"Town {n}")
    # the session, user, verified email check, profile, its services,
    # locations and credentials (prefetched), the user's and groups' permissions
    # (the header's review link), the count of unread enquiries, which conditions
    # of the listing rule hold (one query, listing.reasons_not_listed), recent
    # events with their credentials.
    with django_assert_num_queries(12):
        response = client.get(DASHBOARD)
    assert response.status_code == 200


# Submitting for review.


def test_submitting_needs_a_post(client, therapist):
    make_profile(therapist)
    assert client.get(reverse("profile_submit")).status_code == 405


def test_submitting_with_parts_missing_is_refused_with_the_reasons(client, therapist):
    profile = make_profile(therapist, headline="")
    response = client.post(reverse("profile_submit"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your profile was not submitted yet" in page
    assert "Add a one-line headline." in page
    assert "Add at least one practice location or home-visit area." in page
    profile.refresh_from_db()
    assert profile.submitted_at is None
    assert not VerificationEvent.objects.filter(profile=profile, action="submitted", credential=None).exists()


def test_a_complete_profile_is_submitted_and_waits_for_review(client, therapist):
    profile = make_profile(therapist)
    add_location(profile)
    add_credential(profile, "licence")
    add_credential(profile, "oncology_training")
    response = client.post(reverse("profile_submit"), follow=True)
    page = response.content.decode()
    assert "Your profile is submitted" in page
    assert "Submitted, waiting for review" in page
    profile.refresh_from_db()
    assert profile.submitted_at is not None
    assert VerificationEvent.objects.filter(profile=profile, action="submitted", credential=None).count() == 1


def test_submitting_twice_records_one_submission(client, therapist):
    profile = make_profile(therapist, submitted_at=timezone.now() - timedelta(days=2))
    before = profile.submitted_at
    response = client.post(reverse("profile_submit"), follow=True)
    assert "already with our reviewers" in response.content.decode()
    profile.refresh_from_db()
    assert profile.submitted_at == before


def test_submitting_without_a_profile_is_not_found(client, therapist):
    assert client.post(reverse("profile_submit")).status_code == 404


def test_a_suspended_profile_says_so(client, therapist):
    profile = make_listed_profile(therapist)
    services.suspend_profile(profile=profile, reviewer=make_reviewer(), reason="Complaint under review.")
    page = client.get(DASHBOARD).content.decode()
    assert "Suspended" in page
    assert "Your profile is suspended." in page
    assert "Complaint under review." in page


def test_withdrawn_credentials_do_not_count_as_submitted_parts(client, therapist):
    profile = make_profile(therapist)
    add_location(profile)
    licence = add_credential(profile, "licence")
    add_credential(profile, "oncology_training")
    services.withdraw_credential(credential=licence, actor=therapist)
    response = client.post(reverse("profile_submit"))
    assert response.status_code == 400
    assert Credential.objects.filter(profile=profile, status="withdrawn").count() == 1


# The whole journey, and outsiders.


def test_a_therapist_goes_from_signed_up_to_submitted_for_review(client, therapist):
    from tests.therapist_helpers import credential_data, pdf_upload, profile_data

    response = client.post(reverse("profile_edit"), profile_data(display_name="Juniper Oakhaven"))
    assert response.status_code == 302
    page = client.get(DASHBOARD).content.decode()
    assert "Add at least one practice location or home-visit area." in page

    add = reverse("location_add")
    response = client.post(add, {"postcode": "10001", "country": "US", "action": "find"})
    assert "New York, NY 10001, United States" in response.content.decode()
    data = {**response.context["form"].data.dict(), "action": "save"}
    assert client.post(add, data).status_code == 302

    for kind in ("licence", "oncology_training"):
        data = {**credential_data(kind), "evidence": pdf_upload(f"{kind}.pdf")}
        assert client.post(reverse("credential_add"), data).status_code == 302

    page = client.get(DASHBOARD).content.decode()
    assert "Everything we need is here." in page
    response = client.post(reverse("profile_submit"), follow=True)
    page = response.content.decode()
    assert "Submitted, waiting for review" in page
    assert page.count("Waiting for review") == 2
    profile = therapist.profile
    profile.refresh_from_db()
    assert profile.submitted_at is not None
    assert profile.slug == "juniper-oakhaven"
    assert profile.locations.get().postcode == "10001"
    assert all(c.evidence_content_type == "application/pdf" for c in profile.credentials.all())


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("location_edit", "get"),
        ("location_edit", "post"),
        ("location_remove", "post"),
        ("credential_edit", "get"),
        ("credential_edit", "post"),
        ("credential_remove", "get"),
        ("credential_withdraw", "post"),
        ("credential_evidence", "get"),
    ],
)
def test_every_page_that_takes_an_id_answers_404_to_another_therapist(client, therapist, name, method):
    from django.core.files.base import ContentFile

    owner = make_listed_profile()
    credential = owner.credentials.first()
    credential.evidence.save("x.pdf", ContentFile(b"%PDF-1.4 demo"), save=True)
    pk = owner.locations.first().pk if name.startswith("location") else credential.pk
    make_profile(therapist)
    response = getattr(client, method)(reverse(name, args=[pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["location_remove", "credential_withdraw", "profile_submit"])
def test_post_only_actions_refuse_get(client, therapist, name):
    profile = make_listed_profile(therapist)
    args = {"location_remove": [profile.locations.first().pk], "credential_withdraw": [profile.credentials.first().pk]}
    assert client.get(reverse(name, args=args.get(name))).status_code == 405


def test_the_dashboard_counts_unread_enquiries_without_showing_them(client, therapist):
    from directory.models import Enquiry

    profile = make_listed_profile(therapist)
    Enquiry.objects.create(
        profile=profile, name="Pat Example", email="pat@example.test", message="About my port", consent=True
    )
    html = client.get(DASHBOARD).content.decode()
    assert "1 new enquiry" in html
    assert "About my port" not in html


def test_a_credential_waiting_for_review_is_not_asked_for_again(client, therapist):
    from django.utils import timezone

    profile = make_profile(therapist, submitted_at=timezone.now())
    add_location(profile)
    add_credential(profile, "licence")
    add_credential(profile, "oncology_training")
    html = client.get(DASHBOARD).content.decode()
    assert html.count("Yours is waiting for review") == 2
    assert "Add a licence" not in html


# Before the profile is submitted, a credential is only saved.


def test_a_draft_profiles_credentials_are_labelled_as_saved_until_the_submission(client, therapist):
    from tests.therapist_helpers import credential_data, pdf_upload

    profile = make_profile(therapist)
    add_location(profile)
    client.post(reverse("credential_add"), {**credential_data("licence"), "evidence": pdf_upload()})
    page = client.get(DASHBOARD).content.decode()
    assert "Saved — sent for review when you submit" in page
    assert "Waiting for review" not in page
    assert "Saved: Licence or registration to practise massage" in page
    assert "Submitted for review: Licence" not in page
    assert "Yours is saved and goes to our reviewers when you submit your profile." in page

    client.post(reverse("credential_add"), {**credential_data("oncology_training"), "evidence": pdf_upload("t.pdf")})
    client.post(reverse("profile_submit"))
    page = client.get(DASHBOARD).content.decode()
    assert "Saved — sent for review when you submit" not in page
    assert page.count("Waiting for review") == 2
    # The history still says when each was saved, then that the profile was submitted.
    assert "Saved: Licence or registration to practise massage" in page
    assert "Submitted for review</li>" in page


def test_a_credential_added_after_the_submission_shows_as_submitted_for_review(client, therapist):
    from tests.therapist_helpers import credential_data, pdf_upload

    make_profile(therapist, submitted_at=timezone.now() - timedelta(days=1))
    client.post(reverse("credential_add"), {**credential_data("insurance"), "evidence": pdf_upload()})
    page = client.get(DASHBOARD).content.decode()
    assert "Submitted for review: Professional liability insurance" in page
    assert "Waiting for review" in page


def test_a_live_credential_without_a_document_is_marked(client, therapist):
    from django.core.files.base import ContentFile

    profile = make_profile(therapist)
    bare = add_credential(profile, "licence")
    documented = add_credential(profile, "oncology_training")
    documented.evidence.save("t.pdf", ContentFile(b"%PDF-1.4 demo"), save=True)
    gone = add_credential(profile, "board")
    services.withdraw_credential(credential=gone, actor=therapist)
    page = client.get(DASHBOARD).content.decode()
    assert page.count("No document yet: add one so we can check it.") == 1
    # The mark and its link belong to the credential without a document.
    assert page.count(">Add a document<") == 1
    assert f'href="{reverse("credential_edit", args=[bare.pk])}">Add a document' in page
    assert f'href="{reverse("credential_edit", args=[documented.pk])}">Add a document' not in page
