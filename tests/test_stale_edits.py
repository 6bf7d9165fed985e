"""Two tabs editing the same thing: the later save is refused, with the other change shown."""

import re

import pytest

from directory.models import Credential
from tests.factories import add_credential, add_location, make_profile, make_user
from tests.therapist_helpers import credential_data, profile_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist(client):
    user = make_user()
    client.force_login(user)
    return user


def version_in(html: str) -> str:
    match = re.search(r'name="version" value="([^"]*)"', html)
    assert match, "the form carries no version"
    return match.group(1).replace("&quot;", '"')


def test_a_profile_saved_in_another_tab_is_not_overwritten(client, therapist):
    client.post("/dashboard/profile/", profile_data())
    tab_one = version_in(client.get("/dashboard/profile/").content.decode())
    tab_two = version_in(client.get("/dashboard/profile/").content.decode())

    assert (
        client.post("/dashboard/profile/", profile_data(headline="Saved in tab one", version=tab_one)).status_code
        == 302
    )
    response = client.post("/dashboard/profile/", profile_data(bio="Typed in tab two", version=tab_two))

    assert response.status_code == 400
    html = response.content.decode()
    assert "changed in another tab" in html
    assert "Headline is now “Saved in tab one”" in html
    assert "Typed in tab two" in html  # what this tab typed is kept in the form
    therapist.profile.refresh_from_db()
    assert therapist.profile.headline == "Saved in tab one"
    assert therapist.profile.bio != "Typed in tab two"

    # Saving again, knowingly, keeps this tab's version.
    again = client.post("/dashboard/profile/", profile_data(bio="Typed in tab two", version=version_in(html)))
    assert again.status_code == 302
    therapist.profile.refresh_from_db()
    assert therapist.profile.bio == "Typed in tab two"


def test_a_credential_changed_in_another_tab_is_not_overwritten(client, therapist):
    credential = add_credential(make_profile(therapist), Credential.Kind.LICENCE, issuer="First Board")
    url = f"/dashboard/credentials/{credential.pk}/"
    opened = version_in(client.get(url).content.decode())
    Credential.objects.filter(pk=credential.pk).update(issuer="Changed Elsewhere Board")
    response = client.post(url, credential_data("licence", issuer="My Board", version=opened))
    assert response.status_code == 400
    assert "Changed Elsewhere Board" in response.content.decode()
    credential.refresh_from_db()
    assert credential.issuer == "Changed Elsewhere Board"


def test_a_location_changed_in_another_tab_is_not_overwritten(client, therapist):
    location = add_location(make_profile(therapist), city="Albany")
    url = f"/dashboard/locations/{location.pk}/"
    html = client.get(url).content.decode()
    opened = version_in(html)
    type(location).objects.filter(pk=location.pk).update(city="Troy")
    data = {
        "address_line": "",
        "city": "Albany",
        "region": "NY",
        "postcode": "",
        "country": "US",
        "travel_radius_miles": "",
        "action": "save",
        "version": opened,
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "changed in another tab" in response.content.decode()
    location.refresh_from_db()
    assert location.city == "Troy"
