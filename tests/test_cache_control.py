"""Pages that show enquiries, evidence or account data tell every cache
(browser, proxy, shared computer) not to keep them: Cache-Control: no-store.

Every URL under the private areas (/accounts/, /dashboard/, /review/) must
be listed below, either as a page opened for real (with the person who may
see it, on real objects) or as a POST-only action; a new private URL that
is in neither list fails test_every_private_url_is_checked.
"""

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from accounts.enrolment import issue_link
from directory.models import Credential, Enquiry
from tests.factories import PASSWORD, add_credential, add_location, make_listed_profile, make_profile, make_user
from tests.review_helpers import make_mfa_reviewer, sign_in
from tests.test_csrf import url_samples

pytestmark = pytest.mark.django_db

PRIVATE_PREFIXES = ("/accounts/", "/dashboard/", "/review/")

# Actions that only take a POST (their GET answers 405).
POST_ONLY = {
    "profile_submit",
    "location_remove",
    "credential_withdraw",
    "review_verify",
    "review_reject",
    "review_suspend",
    "review_reinstate",
    "review_recheck",
    "review_resolve_concern",
    "review_decide_name",
}


class World:
    """A therapist with a location, a credential with evidence and an
    enquiry; a reviewer with an authenticator and recovery codes; each signed
    in through the real login pages."""

    def __init__(self):
        self.therapist = make_user("cache.therapist@example.test")
        self.profile = make_profile(self.therapist)
        self.location = add_location(self.profile)
        self.credential = add_credential(self.profile, Credential.Kind.LICENCE)
        self.credential.evidence.save("licence.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
        self.credential.evidence_content_type = "application/pdf"
        self.credential.save()
        self.enquiry = Enquiry.objects.create(
            profile=self.profile,
            name="A Patient",
            email="a.patient@example.test",
            message="I am in active treatment and would like a gentle session.",
            consent=True,
        )
        self.listed = make_listed_profile()
        self.reviewer, self.secret = make_mfa_reviewer("cache.reviewer@example.test")
        RecoveryCodes.activate(self.reviewer)

        self.therapist_client = Client()
        sign_in(self.therapist_client, self.therapist)
        self.reviewer_client = Client()
        sign_in(self.reviewer_client, self.reviewer, self.secret)
        # Authenticator and recovery-code pages ask for the password again first.
        for client in (self.therapist_client, self.reviewer_client):
            response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
            assert response.status_code == 302, response.content.decode()[:500]
        self.anonymous_client = Client()

        self.reset_user = make_user("cache.reset@example.test")
        self.enrolment_path = issue_link(user=self.reviewer)

    def pending_second_factor_client(self) -> Client:
        """Signed in with the password, at the authenticator-code step."""
        client = Client()
        response = client.post("/accounts/login/", {"login": self.reviewer.email, "password": PASSWORD})
        assert response["Location"].startswith("/accounts/2fa/authenticate/")
        return client


def _pages(world: World) -> dict[str, tuple[Client, str]]:
    """URL name -> (who opens it, the URL)."""
    reset_key = default_token_generator.make_token(world.reset_user)
    therapist, reviewer, anonymous = world.therapist_client, world.reviewer_client, world.anonymous_client
    pages = {
        # The therapist's dashboard.
        "dashboard": (therapist, reverse("dashboard")),
        "profile_edit": (therapist, reverse("profile_edit")),
        "location_add": (therapist, reverse("location_add")),
        "location_edit": (therapist, reverse("location_edit", args=[world.location.pk])),
        "credential_add": (therapist, reverse("credential_add")),
        "credential_edit": (therapist, reverse("credential_edit", args=[world.credential.pk])),
        "credential_remove": (therapist, reverse("credential_remove", args=[world.credential.pk])),
        "credential_evidence": (reviewer, reverse("credential_evidence", args=[world.credential.pk])),
        # Enquiries: the therapist's inbox, and the patient's form (it shows what they typed when it has a mistake).
        "enquiry_list": (therapist, reverse("enquiry_list")),
        "enquiry_detail": (therapist, reverse("enquiry_detail", kwargs={"enquiry_id": world.enquiry.pk})),
        "therapist_enquiry": (anonymous, reverse("therapist_enquiry", kwargs={"slug": world.listed.slug})),
        # A concern about a listing: it too shows what was typed when there is a mistake.
        "therapist_concern": (anonymous, reverse("therapist_concern", kwargs={"slug": world.listed.slug})),
        # Review.
        "review_queue": (reviewer, reverse("review_queue")),
        "review_credential": (reviewer, reverse("review_credential", args=[world.credential.pk])),
        "review_profiles": (reviewer, reverse("review_profiles")),
        "review_profile": (reviewer, reverse("review_profile", args=[world.profile.pk])),
        # Account pages (allauth).
        "account_login": (anonymous, reverse("account_login")),
        "account_signup": (anonymous, reverse("account_signup")),
        "account_logout": (therapist, reverse("account_logout")),
        "account_inactive": (anonymous, reverse("account_inactive")),
        "account_reauthenticate": (therapist, reverse("account_reauthenticate")),
        "account_request_reauthentication_code": (therapist, reverse("account_request_reauthentication_code")),
        "account_confirm_reauthentication_code": (therapist, reverse("account_confirm_reauthentication_code")),
        "account_email": (therapist, reverse("account_email")),
        "account_email_verification_sent": (anonymous, reverse("account_email_verification_sent")),
        "account_change_password": (therapist, reverse("account_change_password")),
        "account_set_password": (therapist, reverse("account_set_password")),
        "account_reset_password": (anonymous, reverse("account_reset_password")),
        "account_reset_password_done": (anonymous, reverse("account_reset_password_done")),
        "account_reset_password_from_key": (
            anonymous,
            reverse(
                "account_reset_password_from_key",
                kwargs={"uidb36": user_pk_to_url_str(world.reset_user), "key": reset_key},
            ),
        ),
        "account_reset_password_from_key_done": (anonymous, reverse("account_reset_password_from_key_done")),
        "account_confirm_login_code": (anonymous, reverse("account_confirm_login_code")),
        "mfa_index": (reviewer, reverse("mfa_index")),
        "mfa_authenticate": (world.pending_second_factor_client(), reverse("mfa_authenticate")),
        "mfa_reauthenticate": (reviewer, reverse("mfa_reauthenticate")),
        "mfa_activate_totp": (therapist, reverse("mfa_activate_totp")),
        "mfa_enrolment_link": (reviewer, world.enrolment_path),
        "account_delete": (therapist, reverse("account_delete")),
        "mfa_deactivate_totp": (reviewer, reverse("mfa_deactivate_totp")),
        "mfa_view_recovery_codes": (reviewer, reverse("mfa_view_recovery_codes")),
        "mfa_generate_recovery_codes": (reviewer, reverse("mfa_generate_recovery_codes")),
        "mfa_download_recovery_codes": (reviewer, reverse("mfa_download_recovery_codes")),
    }
    return pages


def private_url_names() -> set[str]:
    names = {entry.name for url, entry in url_samples() if url.startswith(PRIVATE_PREFIXES)}
    return names | {"therapist_enquiry", "therapist_concern"}


def test_every_private_url_is_checked():
    world = World()
    listed = set(_pages(world)) | POST_ONLY
    unchecked = private_url_names() - listed
    assert not unchecked, f"private URLs with no Cache-Control check: {sorted(unchecked)}"


@pytest.mark.parametrize(
    "area",
    ["dashboard", "enquiries", "review", "account"],
)
def test_private_pages_tell_caches_not_to_store_them(area):
    world = World()
    names = private_url_names()
    missing_store = []
    for name, (client, url) in _pages(world).items():
        if name not in names or _area(name) != area:
            continue
        responses = [client.get(url)]
        if name == "account_reset_password_from_key":
            # The key moves into the session; the form itself is on the next page.
            responses.append(client.get(responses[0]["Location"]))
        for response in responses:
            assert response.status_code < 400, f"{name} ({url}) answered {response.status_code}"
            if "no-store" not in response.get("Cache-Control", ""):
                missing_store.append(f"{name} {url} ({response.status_code}): {response.get('Cache-Control')!r}")
    assert not missing_store, "pages without Cache-Control: no-store:\n" + "\n".join(missing_store)


def _area(name: str) -> str:
    if name.startswith("enquiry") or name == "therapist_enquiry":
        return "enquiries"
    if name.startswith("review_"):
        return "review"
    if name.startswith(("account_", "mfa_")):
        return "account"
    return "dashboard"


def test_the_evidence_download_is_not_stored_when_its_owner_opens_it_either():
    world = World()
    response = world.therapist_client.get(reverse("credential_evidence", args=[world.credential.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_post_only_private_action_is_really_post_only():
    world = World()
    names = private_url_names()
    for url, entry in url_samples():
        if entry.name in POST_ONLY and entry.name in names:
            client = world.reviewer_client if entry.name.startswith("review_") else world.therapist_client
            assert client.get(url).status_code == 405, url
