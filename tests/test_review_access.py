"""Who may open the review pages and the evidence: reviewers (staff + the
review permission) who signed in with a second factor, never about their
own profile. Everyone else is kept out, and nothing changes."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile

from directory.models import Credential, VerificationEvent
from tests.factories import PASSWORD, add_credential, add_location, make_listed_profile, make_profile, make_user
from tests.review_helpers import make_mfa_reviewer, make_mfa_superuser, sign_in, signed_in_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending():
    profile = make_profile()
    add_location(profile)
    credential = add_credential(profile, Credential.Kind.LICENCE)
    credential.evidence.save("licence.pdf", ContentFile(b"%PDF-1.4 test licence"), save=False)
    credential.evidence_content_type = "application/pdf"
    credential.save()
    return credential


def review_requests(credential):
    """Every review page and action, as (method, url, data)."""
    profile_id = credential.profile_id
    return [
        ("get", "/review/", {}),
        ("get", f"/review/credentials/{credential.pk}/", {}),
        ("post", f"/review/credentials/{credential.pk}/verify/", {"method": "registry", "name_matches": "on"}),
        ("post", f"/review/credentials/{credential.pk}/reject/", {"note_to_therapist": "No."}),
        ("get", "/review/profiles/", {}),
        ("get", f"/review/profiles/{profile_id}/", {}),
        ("post", f"/review/profiles/{profile_id}/suspend/", {"reason": "Because."}),
        ("post", f"/review/profiles/{profile_id}/reinstate/", {"reason": "Because."}),
    ]


def assert_nothing_changed(credential, events_before):
    credential.refresh_from_db()
    credential.profile.refresh_from_db()
    assert credential.status == Credential.Status.PENDING
    assert credential.profile.suspended_at is None
    assert VerificationEvent.objects.count() == events_before


def test_anonymous_visitors_are_sent_to_sign_in_from_every_review_page(client, pending):
    events_before = VerificationEvent.objects.count()
    for method, url, data in review_requests(pending):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    response = client.get(f"/dashboard/credentials/{pending.pk}/evidence/")
    assert response.status_code == 302
    assert_nothing_changed(pending, events_before)


def test_a_therapist_gets_403_on_every_review_page_and_404_for_evidence(client, pending):
    therapist = make_listed_profile().user
    sign_in(client, therapist)
    events_before = VerificationEvent.objects.count()
    for method, url, data in review_requests(pending):
        assert getattr(client, method)(url, data).status_code == 403, url
    assert client.get(f"/dashboard/credentials/{pending.pk}/evidence/").status_code == 404
    assert_nothing_changed(pending, events_before)


def test_staff_without_the_review_permission_get_403_even_with_a_second_factor(client, pending):
    from tests.review_helpers import enrol_totp

    staff = make_user(is_staff=True)
    secret = enrol_totp(staff)
    sign_in(client, staff, secret)
    events_before = VerificationEvent.objects.count()
    for method, url, data in review_requests(pending):
        assert getattr(client, method)(url, data).status_code == 403, url
    assert client.get(f"/dashboard/credentials/{pending.pk}/evidence/").status_code == 404
    assert_nothing_changed(pending, events_before)


def test_the_permission_alone_without_staff_status_is_not_enough(client, pending):
    from tests.review_helpers import enrol_totp

    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="review_credentials"))
    sign_in(client, user, enrol_totp(user))
    assert client.get("/review/").status_code == 403


def test_a_reviewer_signed_in_without_a_second_factor_is_told_to_set_one_up(client, pending):
    from tests.factories import make_reviewer

    reviewer = make_reviewer()  # no authenticator app yet: the password alone signs in
    sign_in(client, reviewer)
    events_before = VerificationEvent.objects.count()
    for method, url, data in review_requests(pending):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
        assert "authenticator app" in response.content.decode()
    assert client.get(f"/dashboard/credentials/{pending.pk}/evidence/").status_code == 404
    assert_nothing_changed(pending, events_before)


def test_a_session_that_skipped_the_code_step_is_refused(client, pending):
    reviewer, _secret = make_mfa_reviewer()
    client.force_login(reviewer)  # a login that never went through the code step
    assert client.get("/review/").status_code == 403
    assert client.get(f"/dashboard/credentials/{pending.pk}/evidence/").status_code == 404


def test_password_alone_does_not_sign_in_a_reviewer_who_has_an_authenticator(client):
    reviewer, _secret = make_mfa_reviewer()
    response = client.post("/accounts/login/", {"login": reviewer.email, "password": PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "_auth_user_id" not in client.session
    assert client.get("/review/").status_code == 302


def test_a_reviewer_with_a_second_factor_opens_every_review_page(client, pending):
    signed_in_reviewer(client)
    assert client.get("/review/").status_code == 200
    assert client.get(f"/review/credentials/{pending.pk}/").status_code == 200
    assert client.get("/review/profiles/").status_code == 200
    assert client.get(f"/review/profiles/{pending.profile_id}/").status_code == 200


def test_review_pages_are_never_cached(client, pending):
    signed_in_reviewer(client)
    for url in ["/review/", f"/review/credentials/{pending.pk}/", f"/review/profiles/{pending.profile_id}/"]:
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_a_reviewer_opens_evidence_and_the_opening_is_recorded(client, pending):
    reviewer = signed_in_reviewer(client)
    response = client.get(f"/review/credentials/{pending.pk}/")
    assert f'href="/dashboard/credentials/{pending.pk}/evidence/"' in response.content.decode()
    response = client.get(f"/dashboard/credentials/{pending.pk}/evidence/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test licence"
    event = VerificationEvent.objects.get(action=VerificationEvent.Action.EVIDENCE_OPENED)
    assert (event.actor, event.credential) == (reviewer, pending)


def test_get_on_a_post_only_review_action_is_405(client, pending):
    signed_in_reviewer(client)
    for method, url, _data in review_requests(pending):
        if method == "post":
            assert client.get(url).status_code == 405, url


def test_unknown_ids_are_404(client):
    signed_in_reviewer(client)
    assert client.get("/review/credentials/999999/").status_code == 404
    assert client.post("/review/credentials/999999/verify/", {}).status_code == 404
    assert client.post("/review/credentials/999999/reject/", {}).status_code == 404
    assert client.get("/review/profiles/999999/").status_code == 404
    assert client.post("/review/profiles/999999/suspend/", {"reason": "x"}).status_code == 404
    assert client.post("/review/profiles/999999/reinstate/", {"reason": "x"}).status_code == 404


def test_a_reviewer_cannot_review_or_suspend_their_own_profile(client):
    reviewer, secret = make_mfa_reviewer()
    own = make_profile(reviewer)
    add_location(own)
    credential = add_credential(own, Credential.Kind.LICENCE)
    sign_in(client, reviewer, secret)
    events_before = VerificationEvent.objects.count()
    for method, url, data in review_requests(credential):
        if url in ("/review/", "/review/profiles/"):
            continue
        assert getattr(client, method)(url, data).status_code == 403, url
    assert_nothing_changed(credential, events_before)
    # Their own pending credential is not in their queue; another reviewer sees it.
    assert f"/review/credentials/{credential.pk}/" not in client.get("/review/").content.decode()


def test_the_review_link_shows_in_the_header_only_for_reviewers(client):
    therapist = make_user()
    sign_in(client, therapist)
    assert 'href="/review/"' not in client.get("/dashboard/").content.decode()
    client.post("/accounts/logout/")
    signed_in_reviewer(client)
    assert 'href="/review/"' in client.get("/review/profiles/").content.decode()


# --- The admin asks for the second factor too


def test_a_superuser_without_a_second_factor_cannot_reach_the_admin(client):
    superuser = make_user(is_staff=True, is_superuser=True)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"].startswith("/accounts/login/")
    sign_in(client, superuser)  # password only: this account has no authenticator app
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/directory/verificationevent/").status_code == 302


def test_a_superuser_with_a_second_factor_reaches_the_admin(client):
    superuser, secret = make_mfa_superuser()
    sign_in(client, superuser, secret, next_url="/admin/")
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Verification events" in response.content.decode()
