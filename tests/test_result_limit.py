"""A search lists at most MAX_RESULTS therapists, and says when more match (page and API)."""

import pytest

from directory.search import filterset as filters
from directory.views import public
from tests.factories import make_reviewer
from tests.search_helpers import BROOKLYN, NEWARK, listed

pytestmark = pytest.mark.django_db

SEARCH = "/therapists/"
API = "/api/v1/therapists/"


@pytest.fixture
def five_listed():
    reviewer = make_reviewer()
    places = [BROOKLYN, NEWARK, BROOKLYN, NEWARK, BROOKLYN]  # all within 25 miles of 10001
    return [listed(place, reviewer=reviewer, display_name=f"Limit Person {n}") for n, place in enumerate(places)]


@pytest.fixture
def small_limit(monkeypatch):
    # Three results at most, two to a page.
    monkeypatch.setattr(filters, "MAX_RESULTS", 3)
    monkeypatch.setattr(public, "MAX_RESULTS", 3)
    monkeypatch.setattr(filters, "PAGE_SIZE", 2)


def test_the_page_says_more_than_the_limit_match_and_lists_the_nearest(client, five_listed, small_limit):
    response = client.get(SEARCH, {"near": "10001"})
    html = response.content.decode()
    assert "More than 3 therapists match within 25 miles" in html
    assert "Page 1 of 2." in html
    assert "These are the nearest" not in html  # only on the last page
    last = client.get(SEARCH, {"near": "10001", "page": "2"}).content.decode()
    assert last.count('class="result card') == 1
    assert "These are the nearest 3. To see others, add a filter or choose a shorter distance." in last


def test_a_page_past_the_limit_shows_the_last_page(client, five_listed, small_limit):
    html = client.get(SEARCH, {"near": "10001", "page": "9"}).content.decode()
    assert "Page 2 of 2." in html


def test_below_the_limit_the_count_is_exact(client, five_listed, monkeypatch):
    monkeypatch.setattr(filters, "MAX_RESULTS", 5)
    monkeypatch.setattr(public, "MAX_RESULTS", 5)
    html = client.get(SEARCH, {"near": "10001"}).content.decode()
    assert "5 therapists match within 25 miles" in html
    assert "More than" not in html
    assert "To see others" not in html


def test_without_a_place_the_notice_says_first_not_nearest(client, five_listed, small_limit):
    html = client.get(SEARCH, {"page": "2"}).content.decode()
    assert "More than 3 therapists match" in html
    assert "These are the first 3. To see others, add a filter." in html


def test_the_api_counts_up_to_the_limit_and_says_there_are_more(client, five_listed, small_limit):
    body = client.get(API, {"near": "10001"}).json()
    assert body["count"] == 3
    assert body["more"] is True
    assert len(body["results"]) == 2
    assert body["next"].endswith("page=2")
    second = client.get(API, {"near": "10001", "page": "2"}).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert client.get(API, {"near": "10001", "page": "3"}).status_code == 404


def test_the_api_says_no_more_when_everything_fits(client, five_listed):
    body = client.get(API, {"near": "10001"}).json()
    assert body["count"] == 5
    assert body["more"] is False


def test_a_common_word_is_ranked_among_the_most_recently_verified_matches(client, five_listed, monkeypatch):
    monkeypatch.setattr(filters, "MAX_RANKED_MATCHES", 2)
    body = client.get(API, {"q": "limit person"}).json()
    # Only two of the five matches are ranked and listed.
    assert body["count"] == 2
    assert body["more"] is False
