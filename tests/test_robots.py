"""Search engines: robots.txt, a sitemap of listed profiles and guides, and noindex on searches and forms."""

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command

from tests.factories import make_profile
from tests.search_helpers import listed

pytestmark = pytest.mark.django_db


def test_robots_txt_keeps_private_areas_out_and_names_the_sitemap(client, settings):
    settings.SITE_URL = "https://directory.example.org"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    for path in ("/accounts/", "/dashboard/", "/review/", "/admin/", "/api/"):
        assert f"Disallow: {path}\n" in text
    assert "Disallow: /therapists/" not in text  # profiles are meant to be found
    assert "Sitemap: https://directory.example.org/sitemap.xml" in text


def test_the_sitemap_lists_listed_profiles_and_guides_only(client):
    call_command("load_guides", verbosity=0)
    shown = listed(display_name="Found Fay")
    hidden = make_profile(display_name="Pending Pam")
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    # Addresses name the one site (django.contrib.sites), whatever Host the request used.
    site = Site.objects.get_current().domain
    assert f"http://{site}/therapists/{shown.slug}/" in xml
    assert hidden.slug not in xml
    assert f"http://{site}/guides/how-we-verify/" in xml
    assert f"<loc>http://{site}/</loc>" in xml
    assert "?" not in xml.split("<urlset", 1)[1]  # never a search address


@pytest.mark.parametrize("path", ["/therapists/", "/therapists/?near=10001&q=spanish"])
def test_search_results_are_not_indexed(client, path):
    response = client.get(path)
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_forms_are_not_indexed_but_profiles_are(client):
    therapist = listed(display_name="Found Fay")
    enquiry = client.get(f"/therapists/{therapist.slug}/enquiry/")
    assert enquiry["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in enquiry.content.decode()
    profile = client.get(f"/therapists/{therapist.slug}/")
    assert "X-Robots-Tag" not in profile
    assert 'name="robots"' not in profile.content.decode()
