"""A listed therapist's profile page: everything a patient needs, nothing private; 404 for anyone not listed."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from directory import services
from directory.models import Credential
from tests.factories import add_credential, add_location, make_profile, make_reviewer, make_user, save_all
from tests.search_helpers import listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist():
    profile = listed(
        dict(
            address_line="12 Example Street",
            city="New York",
            region="NY",
            postcode="10001",
            latitude=40.748417,
            longitude=-73.996743,
        ),
        display_name="Priya Example",
        services=("manual-lymphatic-drainage",),
        phases=("after-surgery",),
        bio="I work gently.\n\nSessions last an hour.",
        years_practice=12,
        years_oncology=7,
    )
    licence = profile.credentials.get(kind=Credential.Kind.LICENCE)
    save_all(Credential.objects.filter(pk=licence.pk), internal_note="INTERNAL-NOTE-7", reference="REGISTRY-REF-9")
    return profile


def test_the_profile_page_shows_the_therapist_and_their_verified_credentials(client, therapist):
    response = client.get(therapist.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Priya Example" in html
    licence = therapist.credentials.get(kind=Credential.Kind.LICENCE)
    assert "Licence to practise massage, New York" in html
    assert "Issued by Test State Board of Massage Therapy" in html
    assert (
        f'number <a href="https://www.op.nysed.gov/verification-search" rel="noopener noreferrer">{licence.identifier}<'
        in html
    )
    assert f"Checked at the Test State Board of Massage Therapy on {licence.verified_on:%-d %B %Y}" in html
    assert "valid until" in html
    assert "Oncology massage training, 32 hours, including supervised hands-on practice" in html
    assert "Manual lymphatic drainage" in html and "Recovering from surgery" in html
    assert "7 years" in html
    assert "<p>Sessions last an hour.</p>" in html


def test_the_profile_page_never_shows_private_review_details(client, therapist):
    add_credential(therapist, Credential.Kind.CLT, status=Credential.Status.PENDING, issuer="PENDING-ISSUER-3")
    html = client.get(therapist.get_absolute_url()).content.decode()
    training = therapist.credentials.get(kind=Credential.Kind.ONCOLOGY_TRAINING)
    for secret in ("INTERNAL-NOTE-7", "REGISTRY-REF-9", "PENDING-ISSUER-3", therapist.user.email, training.identifier):
        assert secret not in html


def test_the_street_address_shows_only_when_the_therapist_opts_in(client, therapist):
    html = client.get(therapist.get_absolute_url()).content.decode()
    assert "12 Example Street" not in html
    assert "New York, NY 10001" in html
    assert 'value="40.75,-74.0"' in html  # rounded to about 1 km
    assert "40.748417" not in html
    save_all(therapist.locations, show_street_address=True)
    html = client.get(therapist.get_absolute_url()).content.decode()
    assert "12 Example Street" in html
    assert 'value="40.748417,-73.996743"' in html


def test_the_profile_page_has_the_safety_note_guides_and_enquiry_form(client, therapist):
    call_command("load_guides", verbosity=0)
    html = client.get(therapist.get_absolute_url()).content.decode()
    assert "Ask your cancer care team" in html
    assert 'href="/guides/is-massage-safe/"' in html
    assert 'href="/guides/lymphatic-drainage/"' in html
    assert f'action="/therapists/{therapist.slug}/enquiry/"' in html
    assert "Health details are sensitive" in html


@pytest.mark.parametrize("state", ["draft", "submitted_unverified", "suspended", "expired", "unknown"])
def test_anyone_not_listed_gets_404(client, therapist, state):
    if state == "unknown":
        slug = "nobody-here"
    elif state == "draft":
        profile = make_profile()
        add_location(profile)
        slug = profile.slug
    elif state == "submitted_unverified":
        profile = make_profile(submitted_at=timezone.now())
        add_location(profile)
        add_credential(profile, Credential.Kind.LICENCE)
        slug = profile.slug
    elif state == "suspended":
        services.suspend_profile(profile=therapist, reviewer=make_reviewer(), reason="Looking into a complaint.")
        slug = therapist.slug
    else:
        save_all(
            therapist.credentials.filter(kind=Credential.Kind.ONCOLOGY_TRAINING), status=Credential.Status.WITHDRAWN
        )
        slug = therapist.slug
    assert client.get(f"/therapists/{slug}/").status_code == 404
    assert client.get(f"/therapists/{slug}/enquiry/").status_code == 404


def test_the_therapist_cannot_see_their_unlisted_profile_here_either(client):
    user = make_user()
    profile = make_profile(user)
    client.force_login(user)
    assert client.get(profile.get_absolute_url()).status_code == 404


def test_the_profile_page_answers_get_only(client, therapist):
    assert client.post(therapist.get_absolute_url()).status_code == 405


def test_a_failed_enquiry_puts_its_error_summary_first_for_screen_readers(client, therapist):
    response = client.post(f"/therapists/{therapist.slug}/enquiry/", {"name": "", "email": "", "message": ""})
    html = response.content.decode()
    summary = re.search(r"<div class=\"error-summary\"[^>]*>", html).group(0)
    for attribute in ('role="alert"', 'id="error-summary"', 'tabindex="-1"', "autofocus"):
        assert attribute in summary
    # On its own page the summary's heading comes right under the page's h1.
    assert "<h2>Your message has not been sent yet</h2>" in html
    assert html.index('class="error-summary"') < html.index('class="enquiry-form"')
    assert 'href="#id_consent">Tick the box' in html


def test_the_profile_pages_enquiry_form_has_no_error_summary_before_a_try(client, therapist):
    html = client.get(therapist.get_absolute_url()).content.decode()
    assert "error-summary" not in html
    assert "autofocus" not in html
