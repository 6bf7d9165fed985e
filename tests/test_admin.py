"""The Django admin for superusers: every directory model is there, decisions
and events are read-only, evidence has no public link, enquiry lists carry no
message text."""

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from directory.models import Credential, CredentialReminder, Enquiry, SearchEdition, SearchRow, Service
from tests.factories import add_credential, make_listed_profile, make_profile
from tests.review_helpers import make_mfa_superuser, sign_in, totp_code

pytestmark = pytest.mark.django_db

MODELS = [
    "profile",
    "credential",
    "verificationevent",
    "credentialreminder",
    "enquiry",
    "service",
    "phase",
    "caresetting",
    "cancertype",
    "language",
]


def make_enquiry(profile) -> Enquiry:
    return Enquiry.objects.create(
        profile=profile, name="Pat", email="pat@example.test", message="Secret health detail", consent=True
    )


@pytest.fixture
def admin_client(client):
    superuser, secret = make_mfa_superuser()
    sign_in(client, superuser, secret)
    return client


def test_every_directory_model_is_registered():
    from django.apps import apps

    for model in apps.get_app_config("directory").get_models():
        if model in (SearchEdition, SearchRow):  # kept by the code from other rows, nothing to edit
            continue
        assert admin.site.is_registered(model), model


def test_every_list_and_add_page_opens(admin_client):
    profile = make_listed_profile()
    credential = profile.credentials.first()
    CredentialReminder.objects.create(credential=credential, kind="30_days", expires_on=credential.expires_on)
    Enquiry.objects.create(
        profile=profile, name="Pat", email="pat@example.test", message="Secret health detail", consent=True
    )
    for model in MODELS:
        assert admin_client.get(f"/admin/directory/{model}/").status_code == 200, model
    for model in ["profile", "service", "phase", "caresetting", "cancertype", "language"]:
        assert admin_client.get(f"/admin/directory/{model}/add/").status_code == 200, model
    assert admin_client.get("/admin/directory/profile/", {"q": profile.display_name}).status_code == 200


def test_the_enquiry_list_shows_no_message_text(admin_client):
    profile = make_profile()
    Enquiry.objects.create(
        profile=profile, name="Pat", email="pat@example.test", message="Secret health detail", consent=True
    )
    html = admin_client.get("/admin/directory/enquiry/").content.decode()
    assert "Secret health detail" not in html
    assert admin_client.get("/admin/directory/enquiry/add/").status_code == 403


def test_evidence_is_linked_through_the_evidence_view_and_the_change_forms_open(admin_client):
    profile = make_profile()
    credential = add_credential(profile, Credential.Kind.LICENCE)
    credential.evidence.save("licence.pdf", ContentFile(b"%PDF-1.4"), save=False)
    credential.evidence_content_type = "application/pdf"
    credential.save()
    for url in [
        f"/admin/directory/credential/{credential.pk}/change/",
        f"/admin/directory/profile/{profile.pk}/change/",
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f"/dashboard/credentials/{credential.pk}/evidence/" in html
        assert credential.evidence.name not in html


def test_credentials_and_reminders_are_read_only(admin_client):
    profile = make_listed_profile()
    credential = profile.credentials.first()
    response = admin_client.post(f"/admin/directory/credential/{credential.pk}/change/", {"status": "rejected"})
    assert response.status_code == 403
    credential.refresh_from_db()
    assert credential.status == Credential.Status.VERIFIED
    assert admin_client.get("/admin/directory/credential/add/").status_code == 403
    assert admin_client.get("/admin/directory/credentialreminder/add/").status_code == 403


def test_a_vocabulary_word_can_be_added(admin_client):
    response = admin_client.post(
        "/admin/directory/service/add/", {"name": "Gentle stretching", "slug": "gentle-stretching", "position": 20}
    )
    assert response.status_code == 302
    assert Service.objects.filter(slug="gentle-stretching").exists()


def test_suspension_fields_are_read_only_in_the_profile_form(admin_client):
    profile = make_listed_profile()
    html = admin_client.get(f"/admin/directory/profile/{profile.pk}/change/").content.decode()
    assert 'name="suspended_at"' not in html
    assert 'name="submitted_at"' not in html
    assert 'name="display_name"' in html


# --- The demo reviewer and administrator


def test_the_demo_reviewers_have_authenticators_and_can_be_created_twice():
    from allauth.mfa.models import Authenticator

    from devtools.demo.reviewers import REVIEWER_TOTP_SECRET, create_demo_reviewers

    reviewer, lines = create_demo_reviewers()
    again, _ = create_demo_reviewers()
    assert reviewer == again
    assert Authenticator.objects.filter(user__email__endswith="@demo.example").count() == 2
    assert any(REVIEWER_TOTP_SECRET in line for line in lines)
    assert any("demo_totp" in line for line in lines)


def test_the_demo_reviewer_signs_in_with_the_published_secret_and_reviews(client):
    from devtools.demo.people_base import DEMO_PASSWORD
    from devtools.demo.reviewers import REVIEWER_TOTP_SECRET, create_demo_reviewers

    create_demo_reviewers()
    response = client.post("/accounts/login/", {"login": "reviewer@demo.example", "password": DEMO_PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(REVIEWER_TOTP_SECRET)})
    assert client.get("/review/").status_code == 200


def test_demo_totp_prints_the_current_code_and_refuses_with_debug_off(settings, capsys):
    from devtools.demo.reviewers import REVIEWER_TOTP_SECRET, create_demo_reviewers

    create_demo_reviewers()
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_totp", "reviewer@demo.example")
    settings.DEBUG = True
    call_command("demo_totp", "reviewer@demo.example")
    assert capsys.readouterr().out.strip() == totp_code(REVIEWER_TOTP_SECRET)
    with pytest.raises(CommandError):
        call_command("demo_totp", "someone@example.test")


def test_renaming_a_service_updates_the_search_text_of_its_profiles(admin_client):
    profile = make_profile(services=("reflexology",))
    service = Service.objects.get(slug="reflexology")
    response = admin_client.post(
        f"/admin/directory/service/{service.pk}/change/",
        {"name": "Zone therapy (reflexology)", "slug": "reflexology", "position": service.position, "description": ""},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert "zone therapy" in profile.search_text
