"""No page claims a check its data does not hold: every demo profile page, every
result card, the home page and the footer say exactly what was checked."""

import re
from html import unescape

import pytest
from django.conf import settings
from django.utils.dateformat import format as date_format

from devtools.demo.people import create_demo_people
from directory.listing import reasons_not_listed
from directory.models import Credential, Profile

pytestmark = pytest.mark.django_db


def credential_items(html: str) -> list[str]:
    section = html.split('id="checked-heading"')[1].split("</section>")[0]
    return re.findall(r'<li class="credential">(.*?)</li>', section, flags=re.S)


def shown_credentials(profile: Profile) -> list[Credential]:
    """What patients may be told: verified, unexpired, not overdue, never a statement."""
    return [
        c
        for c in profile.credentials.filter(status=Credential.Status.VERIFIED).exclude(kind="unregulated")
        if not c.is_expired() and not c.is_recheck_overdue()
    ]


def check_item(item: str, credential: Credential) -> None:
    text = unescape(re.sub(r"<[^>]+>", "", item))
    when = date_format(credential.verified_on, settings.DATE_FORMAT)
    if "Checked at" in text:
        # A registry look-up, at the source the reviewer recorded, on the day recorded.
        assert credential.method == Credential.Method.REGISTRY
        assert f"Checked at the {credential.source or credential.issuer} on {when}" in text
    elif "Confirmed with" in text:
        assert credential.method == Credential.Method.ISSUER
    else:
        assert f"Document checked by our reviewers on {when}" in text
        assert credential.method == Credential.Method.DOCUMENT
    claims_hands_on = "including supervised hands-on practice" in text
    assert claims_hands_on == (credential.kind == "oncology_training" and credential.hands_on is True)
    if credential.training_hours and credential.kind in Credential.TRAINING_KINDS:
        assert f"{credential.training_hours} hours" in text
    links = re.findall(r'href="([^"]+)"', item)
    if credential.shows_number:
        assert credential.identifier in text
        assert links == ([credential.lookup_url] if credential.lookup_url else [])
    else:
        assert not links and (not credential.identifier or credential.identifier not in text)
    entry = credential.jurisdiction_entry
    if "does not license massage" in text or "does not regulate massage" in text:
        assert entry is not None and not entry.regulates


def test_every_demo_profile_page_and_card_claims_no_more_than_its_data(client):
    create_demo_people()
    listed = list(Profile.objects.listed().order_by("id"))
    assert len(listed) >= 60
    for profile in listed:
        html = client.get(profile.get_absolute_url()).content.decode()
        shown = shown_credentials(profile)
        items = credential_items(html)
        assert len(items) == len(shown), profile.slug
        kinds = {c.kind for c in shown}
        # The order on the page is the cards' order; match each line to its credential by its title.
        for credential in shown:
            matching = [i for i in items if credential.issuer in unescape(i)]
            assert matching, (profile.slug, credential.kind)
            check_item(matching[0], credential)
        assert ("Licence to practise massage" in html) == ("licence" in kinds)
        assert ("Registered with" in html) == ("voluntary_register" in kinds)
        assert "Self-declared" not in html and "Statement" not in html
        # What the listing rule needs is there, so the page is right to list them.
        assert kinds & set(Credential.PRACTISE_KINDS)
        assert any(c.meets_training_standard for c in shown)
        assert not reasons_not_listed(profile)

    # The cards: one line each, true to the records.
    pages = [client.get("/therapists/", {"near": place, "radius": 100}) for place in ("10001", "60601", "Leeds")]
    summaries = []
    for page in pages:
        summaries += re.findall(r'<p class="result-checked">(.*?)</p>', page.content.decode())
    assert summaries
    for summary in map(unescape, summaries):
        assert "Right to practise" not in summary and "Self-declared" not in summary
        if "England does not license massage" in summary:
            assert summary.startswith("Registered with CNHC")


def test_unlisted_demo_profiles_show_each_reason_and_have_no_public_page(client):
    create_demo_people()
    codes = set()
    for profile in Profile.objects.exclude(pk__in=Profile.objects.listed().values("pk")):
        codes |= {reason.code for reason in reasons_not_listed(profile)}
        assert client.get(profile.get_absolute_url()).status_code == 404
    assert {"training_below_standard", "recheck_overdue", "statement_only", "suspended"} <= codes
    assert Credential.objects.filter(status=Credential.Status.REJECTED).exists()
    assert Credential.objects.filter(revises__isnull=False, status=Credential.Status.PENDING).exists()
    assert Profile.objects.get(user__email="dashiell.marsh@demo.example").concerns.filter(resolved_at=None).exists()
    # The pending revision keeps its therapist listed.
    zebedee = Profile.objects.get(user__email="zebedee.changed@demo.example")
    assert Profile.objects.listed().filter(pk=zebedee.pk).exists()


def test_home_and_footer_say_what_the_standard_says(client):
    html = client.get("/").content.decode()
    assert "has a licence" not in html
    assert (
        "A therapist&#x27;s own statement is never enough." in html
        or "A therapist's own statement is never enough." in html
    )
    assert "At least 24 hours including supervised hands-on practice" in html
    assert "more than 30 days late" in html
    assert (
        "checked the therapist&#x27;s right to practise and oncology training against our published standard" in (html)
        or "checked the therapist's right to practise and oncology training against our published standard" in html
    )
