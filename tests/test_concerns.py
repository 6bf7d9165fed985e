"""Report a concern about a listing: saved first, rate-limited, no report text in any
email, resolved by a reviewer with a note and recorded as events."""

import pytest
from django.core import mail

from directory.models import Concern, Profile, VerificationEvent
from tests.factories import make_listed_profile, make_profile, make_user
from tests.mail_helpers import run_tasks
from tests.review_helpers import make_mfa_reviewer, sign_in, signed_in_reviewer

pytestmark = pytest.mark.django_db
Action = VerificationEvent.Action
SECRET_DETAILS = "Pressed hard on my port site DETAILS-7731"


def url(profile: Profile) -> str:
    return f"/therapists/{profile.slug}/concern/"


def report(client, profile, **overrides):
    data = {"reason": "unsafe", "details": SECRET_DETAILS, "email": "reporter@example.test", **overrides}
    return client.post(url(profile), data)


@pytest.fixture
def listed():
    return make_listed_profile(display_name="Hester Concernly")


def test_every_profile_links_to_its_concern_form_which_search_engines_skip(client, listed):
    assert url(listed) in client.get(listed.get_absolute_url()).content.decode()
    response = client.get(url(listed))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "Report a concern about this listing" in response.content.decode()


def test_a_concern_is_saved_recorded_and_the_receipt_carries_no_report_text(
    client, listed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = report(client, listed)
    assert response.status_code == 302
    assert response["Location"] == f"/therapists/{listed.slug}/concern/sent/"
    concern = Concern.objects.get()
    assert concern.details == SECRET_DETAILS and concern.is_open
    assert VerificationEvent.objects.filter(profile=listed, action=Action.CONCERN_REPORTED).exists()
    run_tasks()
    [receipt] = mail.outbox
    assert receipt.to == ["reporter@example.test"]
    assert SECRET_DETAILS not in receipt.body and "DETAILS-7731" not in receipt.subject
    assert client.get(response["Location"]).status_code == 200


def test_a_concern_without_an_email_sends_nothing(client, listed):
    assert report(client, listed, email="").status_code == 302
    assert Concern.objects.count() == 1
    run_tasks()
    assert not mail.outbox


def test_bad_input_comes_back_in_plain_words(client, listed):
    response = report(client, listed, reason="nonsense", details="", email="not-an-address")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tell us what happened or what is wrong" in html
    assert "Enter an email address like name@example.com" in html
    assert not Concern.objects.exists()


def test_concerns_are_rate_limited_by_the_sites_limiter(client, listed):
    for _ in range(5):
        assert report(client, listed, email="").status_code == 302
    assert report(client, listed, email="").status_code == 429
    assert Concern.objects.count() == 5


def test_a_robot_filling_the_trap_is_thanked_and_nothing_is_kept(client, listed):
    assert report(client, listed, website="spam").status_code == 302
    assert not Concern.objects.exists()


def test_there_is_no_concern_form_for_someone_not_listed(client):
    unlisted = make_profile()
    assert client.get(url(unlisted)).status_code == 404
    assert report(client, unlisted).status_code == 404


def test_open_concerns_show_in_the_queue_with_their_age_beside_the_profile(client, listed):
    report(client, listed)
    signed_in_reviewer(client)
    queue = client.get("/review/").content.decode()
    assert "Open concerns (1)" in queue and "Hester Concernly" in queue and "reported 0" in queue
    page = client.get(f"/review/profiles/{listed.pk}/").content.decode()
    assert SECRET_DETAILS in page


def test_resolving_needs_an_outcome_and_a_note_and_tells_the_reporter_in_general_words(
    client, listed, django_capture_on_commit_callbacks
):
    report(client, listed)
    concern = Concern.objects.get()
    run_tasks()
    mail.outbox.clear()
    signed_in_reviewer(client)
    resolve = f"/review/concerns/{concern.pk}/resolve/"
    prefix = f"concern-{concern.pk}"
    response = client.post(resolve, {f"{prefix}-outcome": "corrected", f"{prefix}-note": ""})
    assert response.status_code == 400
    assert "Write a note saying what you found and did." in response.content.decode()
    concern.refresh_from_db()
    assert concern.is_open

    note = "Phone number fixed with the therapist. NOTE-5521"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resolve, {f"{prefix}-outcome": "corrected", f"{prefix}-note": note})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.outcome == "corrected" and concern.resolution_note == note and not concern.is_open
    event = VerificationEvent.objects.get(profile=listed, action=Action.CONCERN_RESOLVED)
    assert "NOTE-5521" in event.note
    run_tasks()
    [outcome] = mail.outbox
    assert "details on the listing were corrected" in outcome.body
    assert "NOTE-5521" not in outcome.body and SECRET_DETAILS not in outcome.body


def test_resolving_as_suspended_suspends_the_listing(client, listed):
    report(client, listed, email="")
    concern = Concern.objects.get()
    signed_in_reviewer(client)
    prefix = f"concern-{concern.pk}"
    client.post(
        f"/review/concerns/{concern.pk}/resolve/",
        {f"{prefix}-outcome": "suspended", f"{prefix}-note": "Unsafe practice confirmed with the board."},
    )
    listed.refresh_from_db()
    assert listed.is_suspended
    assert not Profile.objects.listed().filter(pk=listed.pk).exists()
    actions = set(VerificationEvent.objects.filter(profile=listed).values_list("action", flat=True))
    assert {Action.SUSPENDED, Action.CONCERN_RESOLVED} <= actions


def test_only_reviewers_with_a_second_factor_see_or_resolve_concerns(client, listed):
    report(client, listed, email="")
    concern = Concern.objects.get()
    pages = ("/review/", f"/review/profiles/{listed.pk}/")
    resolve = f"/review/concerns/{concern.pk}/resolve/"
    prefix = f"concern-{concern.pk}"
    data = {f"{prefix}-outcome": "no_action", f"{prefix}-note": "x"}
    # Anonymous: sent to sign in.
    assert client.get(pages[1]).status_code == 302
    assert client.post(resolve, data).status_code == 302
    # A therapist: refused.
    client.force_login(make_user())
    assert client.get(pages[1]).status_code == 403
    assert client.post(resolve, data).status_code == 403
    # A reviewer who signed in without the second factor: refused.
    reviewer, _secret = make_mfa_reviewer()
    client.force_login(reviewer)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 403 and SECRET_DETAILS not in response.content.decode()
    assert client.post(resolve, data).status_code == 403
    # With the second factor, in.
    client.logout()
    reviewer, secret = make_mfa_reviewer()
    sign_in(client, reviewer, secret)
    assert SECRET_DETAILS in client.get(pages[1]).content.decode()
    concern.refresh_from_db()
    assert concern.is_open
