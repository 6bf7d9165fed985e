"""The patient's search goes with them: to a profile, into an enquiry, to its thank-you page and to a guide,
and the way back returns to the same place, filters and page. Only the search's own parameters travel."""

import re
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from django.core.cache import caches
from django.core.management import call_command

from directory.models import Enquiry
from directory.search.filterset import MAX_SEARCH_LENGTH, clean_near, clean_radius, clean_search_string
from guides.models import Guide
from tests.factories import make_reviewer
from tests.search_helpers import CHICAGO, listed

pytestmark = pytest.mark.django_db
SEARCH = "/therapists/"
MESSAGE = "I have swelling in my left arm after surgery"
PATIENT_NAME = "Jordan Carrytest"
PATIENT_EMAIL = "jordan.carry@example.test"


@pytest.fixture
def therapist():
    return listed(display_name="Carry Casey", services=("manual-lymphatic-drainage",), phases=("after-surgery",))


def profile_links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'<h3 class="result-name"><a href="([^"]+)"', html)]


def back_link(html: str) -> tuple[str, str]:
    href, text = re.search(r'<p class="back-to-search"><a href="([^"]+)">([^<]+)</a>', html).groups()
    return href.replace("&amp;", "&"), text


# --- cleaning what is carried


def test_only_the_searchs_own_parameters_are_carried():
    raw = "near=10001&radius=25&service=reflexology&service=comfort-touch&page=2&utm_source=x&next=//evil.test"
    assert clean_search_string(raw) == "near=10001&radius=25&service=reflexology&service=comfort-touch&page=2"


@pytest.mark.parametrize(
    "raw",
    ["", "utm=1", "page=abc", "page=-1", "near=" + "x" * 201, "q=%00null", "a=1&" * 300, "near=a&" * 2000],
)
def test_nothing_dubious_is_carried(raw):
    assert clean_search_string(raw) == ""


def test_a_carried_search_is_capped_in_length_and_values():
    many = urlencode([("service", f"s{n}") for n in range(50)])
    assert clean_search_string(many).count("service=") == 20
    long_words = urlencode([("q", "w" * 150)] * 15)
    assert len(long_words) > MAX_SEARCH_LENGTH
    assert clean_search_string(long_words) == ""


def test_near_and_radius_for_a_guide_are_checked():
    assert clean_near("  New   York ") == "New York"
    assert clean_near("x" * 200) == "x" * 200
    assert clean_near("x" * 201) == ""
    assert [clean_radius(r) for r in ("25", "250", "25.0", "30", "abc", "", None, "1e3")] == [
        "25",
        "250",
        "25",
        "",
        "",
        "",
        "",
        "",
    ]


# --- results → profile → enquiry → thank-you page


def test_result_links_carry_the_current_search_page_included(client, therapist):
    params = {"near": "10001", "radius": "50", "service": "manual-lymphatic-drainage", "page": "1", "utm": "x"}
    html = client.get(SEARCH, params).content.decode()
    [link] = profile_links(html)
    path, query = link.split("?")
    assert path == therapist.get_absolute_url()
    carried = parse_qs(query)["search"]
    assert carried == ["near=10001&radius=50&service=manual-lymphatic-drainage&page=1"]
    assert "search=near%3D10001%26radius%3D50%26service%3Dmanual-lymphatic-drainage%26page%3D1" in link


def test_an_empty_search_adds_nothing_to_the_profile_links(client, therapist):
    [link] = profile_links(client.get(SEARCH).content.decode())
    assert link == therapist.get_absolute_url()


def test_the_profile_page_leads_back_to_the_same_search(client, therapist):
    carried = "near=10001&radius=50&service=manual-lymphatic-drainage&page=2"
    html = client.get(therapist.get_absolute_url(), {"search": carried}).content.decode()
    assert back_link(html) == (f"{SEARCH}?{carried}", "Back to your search")
    assert f'<input type="hidden" name="search" value="{carried.replace("&", "&amp;")}">' in html


def test_the_profile_page_drops_what_the_search_does_not_know(client, therapist):
    carried = 'near=10001&evil="><script>alert(1)</script>&next=https://evil.test'
    html = client.get(therapist.get_absolute_url(), {"search": carried}).content.decode()
    assert back_link(html) == (f"{SEARCH}?near=10001", "Back to your search")
    assert "evil" not in html and "<script>alert" not in html


def test_without_a_search_the_profile_page_links_to_the_plain_search(client, therapist):
    for params in ({}, {"search": "utm=1"}, {"search": "near=x&" * 1000}):
        html = client.get(therapist.get_absolute_url(), params).content.decode()
        assert back_link(html) == (SEARCH, "Back to the search")
        assert 'name="search"' not in html.split('class="enquiry-form"')[1]


def test_the_thank_you_page_leads_back_to_the_search_and_its_address_holds_nothing_the_patient_wrote(client, therapist):
    carried = "near=10001&service=manual-lymphatic-drainage"
    response = client.post(
        f"/therapists/{therapist.slug}/enquiry/",
        {
            "name": PATIENT_NAME,
            "email": PATIENT_EMAIL,
            "phone": "0123 456",
            "message": MESSAGE,
            "consent": "on",
            "website": "",
            "search": carried + "&message=leak&name=leak",
        },
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location == f"/therapists/{therapist.slug}/enquiry/sent/?search={quote(carried, safe='')}"
    for private in (PATIENT_NAME, "Jordan", "Carrytest", PATIENT_EMAIL, "jordan.carry", "swelling", "leak", "0123"):
        assert private.lower() not in location.lower()
    thanks = client.get(location).content.decode()
    assert f'href="{SEARCH}?{carried.replace("&", "&amp;")}">Back to your search</a>' in thanks
    assert f'href="{therapist.get_absolute_url()}?search=near%3D10001%26service%3Dmanual-lymphatic-drainage"' in thanks


def test_a_failed_enquiry_keeps_the_search_for_the_next_try(client, therapist):
    carried = "near=10001&radius=25"
    html = client.post(
        f"/therapists/{therapist.slug}/enquiry/",
        {"name": PATIENT_NAME, "email": "not-an-email", "message": MESSAGE, "search": carried},
    ).content.decode()
    assert "Your message has not been sent yet" in html
    assert '<input type="hidden" name="search" value="near=10001&amp;radius=25">' in html
    assert f'href="{therapist.get_absolute_url()}?search=near%3D10001%26radius%3D25"' in html


def test_a_robot_gets_the_same_answer_with_the_search_and_nothing_saved(client, therapist):
    response = client.post(
        f"/therapists/{therapist.slug}/enquiry/",
        {"name": "Bot", "email": "b@example.test", "message": "x", "consent": "on", "website": "spam", "search": "q=a"},
    )
    assert response["Location"] == f"/therapists/{therapist.slug}/enquiry/sent/?search=q%3Da"
    assert not Enquiry.objects.exists()


def test_the_thank_you_page_without_a_search_links_to_the_plain_search(client, therapist):
    html = client.get(f"/therapists/{therapist.slug}/enquiry/sent/", {"search": "bogus=1"}).content.decode()
    assert f'href="{SEARCH}">Back to the search</a>' in html


# --- results → guide → the guide's own search


def guide_links(html: str, slug: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(rf'href="(/guides/{slug}/[^"]*)"', html)]


def test_guide_links_carry_the_place_distance_and_search(client, therapist):
    call_command("load_guides", verbosity=0)
    params = {"near": "10001", "radius": "50", "service": "manual-lymphatic-drainage"}
    html = client.get(SEARCH, params).content.decode()
    links = guide_links(html, "lymphatic-drainage")
    assert len(links) == 2  # the short list under the count (phones) and the panel
    query = parse_qs(urlsplit(links[0]).query)
    assert query == {
        "near": ["10001"],
        "radius": ["50"],
        "search": ["near=10001&radius=50&service=manual-lymphatic-drainage"],
    }
    assert len(set(links)) == 1


def test_the_short_guide_strip_carries_the_place_and_search(client, therapist):
    call_command("load_guides", verbosity=0)
    html = client.get(SEARCH, {"near": "10001"}).content.decode()
    after_count = html.split('id="results-heading"')[1]
    jump = after_count.split('<nav class="guide-jump"')[1].split("</nav>")[0]
    # On a phone the strip follows the first results (tests/test_guide_selection.py).
    assert after_count.index('class="result card') < after_count.index('<nav class="guide-jump"')
    assert "Read before you book" in jump
    assert 'href="/guides/is-massage-safe/?near=10001&amp;search=near%3D10001"' in jump


def test_a_guide_keeps_the_place_in_its_call_to_action(client, therapist):
    call_command("load_guides", verbosity=0)
    guide = Guide.objects.get(slug="lymphatic-drainage")
    carried = "near=10001&radius=50&service=manual-lymphatic-drainage"
    html = client.get(guide.get_absolute_url(), {"near": "10001", "radius": "50", "search": carried}).content.decode()
    cta = re.search(r'<p class="guide-cta"><a class="button button-primary" href="([^"]+)"', html).group(1)
    cta = cta.replace("&amp;", "&")
    assert parse_qs(urlsplit(cta).query) == {
        "near": ["10001"],
        "radius": ["50"],
        "service": ["manual-lymphatic-drainage", "lymphedema-therapy"]
        if "lymphedema-therapy" in guide.search_url()
        else ["manual-lymphatic-drainage"],
    }
    assert back_link(html) == (f"{SEARCH}?{carried}", "Back to your search")
    # The related guides keep the place too.
    related = html.split('class="guide-panel"')[1]
    assert "near=10001&amp;radius=50" in related
    # The search link still finds the therapist near the place.
    found = client.get(cta).content.decode()
    assert "Carry Casey" in found and "Therapists near New York" in found


@pytest.mark.parametrize(
    ("params", "expected_near", "expected_radius"),
    [
        ({"near": "x" * 201, "radius": "50"}, None, None),
        ({"near": "10001", "radius": "33"}, "10001", None),
        ({"near": "10001", "radius": "abc"}, "10001", None),
        ({"radius": "50"}, None, None),
        ({"near": "  Leeds,   UK ", "radius": "100"}, "Leeds, UK", "100"),
    ],
)
def test_a_guide_drops_a_place_or_distance_that_is_not_valid(client, params, expected_near, expected_radius):
    call_command("load_guides", verbosity=0)
    response = client.get("/guides/lymphatic-drainage/", params)
    assert response.status_code == 200
    cta = re.search(r'<p class="guide-cta"><a class="button button-primary" href="([^"]+)"', response.content.decode())
    query = parse_qs(urlsplit(cta.group(1).replace("&amp;", "&")).query)
    assert query.get("near") == ([expected_near] if expected_near else None)
    assert query.get("radius") == ([expected_radius] if expected_radius else None)
    assert "service" in query


def test_a_guide_without_a_search_has_no_way_back_link(client):
    call_command("load_guides", verbosity=0)
    html = client.get("/guides/is-massage-safe/").content.decode()
    assert 'class="back-to-search"' not in html


def test_the_profile_pages_guides_keep_the_place_of_the_search(client, therapist):
    call_command("load_guides", verbosity=0)
    html = client.get(therapist.get_absolute_url(), {"search": "near=10001&radius=50"}).content.decode()
    panel = html.split('class="guide-panel"')[1]
    assert 'href="/guides/lymphatic-drainage/?near=10001&amp;radius=50&amp;search=near%3D10001%26radius%3D50"' in panel


def test_carrying_the_search_adds_no_query_to_the_results_page(client, django_assert_num_queries):
    reviewer = make_reviewer()
    listed(display_name="Near Nia", reviewer=reviewer)
    listed(CHICAGO, display_name="Far Fay", reviewer=reviewer)
    client.get(SEARCH, {"near": "10001"})  # read the vocabularies, guides and largest travel radius once
    caches["cards"].clear()  # but not the cards: they are made again
    # 1 the search edition, 2-3 the matches' ids and distances (one query per ring:
    # 1 mile, then 25 with the home visits from beyond), 4 the page's profiles,
    # 5 locations, 6 verified credentials, 7 their vocabulary links
    with django_assert_num_queries(7):
        client.get(SEARCH, {"near": "10001", "radius": "25", "service": "oncology-massage"})
