"""The search page: who appears, places, the guides beside the results, no results, text, query count."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from directory.models import Credential
from directory.search.cards import credential_summary
from tests.factories import add_credential, add_location, make_listed_profile, make_profile, make_reviewer, save_all
from tests.search_helpers import (
    BROOKLYN,
    CHICAGO,
    NEWARK,
    PHILADELPHIA,
    STAMFORD,
    listed,
    miles_from_10001,
    queries_of,
)

pytestmark = pytest.mark.django_db
SEARCH = "/therapists/"


def names_in(response) -> list[str]:
    return re.findall(r'<h3 class="result-name"><a href="[^"]+">([^<]+)</a>', response.content.decode())


@pytest.fixture
def reviewer():
    return make_reviewer()


def test_the_search_page_has_its_stable_address():
    assert reverse("therapist_search") == SEARCH


def test_an_empty_search_lists_every_listed_therapist(client, reviewer):
    listed(display_name="Ada Listed", reviewer=reviewer)
    listed(CHICAGO, display_name="Bea Listed", reviewer=reviewer)
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert sorted(names_in(response)) == ["Ada Listed", "Bea Listed"]
    assert "2 therapists match" in response.content.decode()


def test_only_listed_therapists_ever_appear(client, reviewer):
    listed(display_name="Listed Lena", reviewer=reviewer)
    not_submitted = make_profile(display_name="Draft Dora")
    add_location(not_submitted)
    suspended = listed(display_name="Suspended Sam", reviewer=reviewer, suspended_at=timezone.now())
    expired = make_listed_profile(display_name="Expired Eve", reviewer=reviewer)
    save_all(
        expired.credentials.filter(kind=Credential.Kind.LICENCE),
        expires_on=date.today() - timedelta(days=2),
        issued_on=date.today() - timedelta(days=400),
    )
    for params in ({}, {"near": "10001"}, {"q": "oncology"}, {"near": "10001", "q": "massage", "radius": "250"}):
        html = client.get(SEARCH, params).content.decode()
        assert "Listed Lena" in html
        for hidden in ("Draft Dora", "Suspended Sam", "Expired Eve"):
            assert hidden not in html
    assert suspended.pk and not_submitted.pk


def test_searching_10001_within_25_miles_lists_new_york_therapists_nearest_first(client, reviewer):
    listed(STAMFORD, display_name="Stamford Sue", reviewer=reviewer)  # about 34 miles: outside
    listed(NEWARK, display_name="Newark Nia", reviewer=reviewer)  # about 9 miles
    listed(display_name="Chelsea Cai", reviewer=reviewer)  # at the ZIP code's point
    listed(BROOKLYN, display_name="Brooklyn Bo", reviewer=reviewer)  # about 4 miles
    listed(CHICAGO, display_name="Chicago Cy", reviewer=reviewer)
    response = client.get(SEARCH, {"near": "10001", "radius": "25"})
    assert response.status_code == 200
    assert names_in(response) == ["Chelsea Cai", "Brooklyn Bo", "Newark Nia"]
    html = response.content.decode()
    assert "Therapists near New York, NY 10001" in html
    assert "3 therapists match within 25 miles" in html
    assert f"{round(miles_from_10001(BROOKLYN))} miles" in html
    assert "under 1 mile" in html


def test_an_unknown_place_says_so_and_suggests_what_to_type(client, reviewer):
    listed(reviewer=reviewer)
    response = client.get(SEARCH, {"near": "zzzz"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "We could not find" in html and "zzzz" in html
    assert "10001" in html  # an example of what to type
    assert "Please check your search" in html
    assert names_in(response) == []


def test_a_name_shared_by_several_places_asks_which_one(client, reviewer):
    listed(
        dict(city="Portland", region="OR", postcode="97205", latitude=45.5202, longitude=-122.6742), reviewer=reviewer
    )
    response = client.get(SEARCH, {"near": "Portland", "service": "oncology-massage"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Did you mean" in html
    assert names_in(response) == []  # never picks one silently
    links = re.findall(r'<ul class="did-you-mean">(.*?)</ul>', html, re.S)[0]
    assert "Portland, OR, United States" in links and "Portland, ME, United States" in links
    assert "service=oncology-massage" in links  # the rest of the search is kept
    first = re.findall(r'href="\?([^"]+)"', links)[0].replace("&amp;", "&")
    followed = client.get(f"{SEARCH}?{first}")
    assert "Did you mean" not in followed.content.decode()
    assert "Therapists near Portland" in followed.content.decode()


def test_a_bad_radius_gives_the_form_back_with_a_plain_message(client):
    for radius, message in (("abc", "number of miles"), ("0", "at least 1"), ("9999", "at most 250"), ("nan", "")):
        response = client.get(SEARCH, {"near": "10001", "radius": radius, "q": "gentle"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "Please check your search" in html
        assert message in html
        assert 'value="10001"' in html and 'value="gentle"' in html  # typed values kept


def test_an_unknown_filter_value_gives_a_plain_message(client):
    response = client.get(SEARCH, {"service": "astrology", "phase": "survivorship"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "We do not know the service “astrology”" in html
    assert 'value="survivorship" id="id_phase_3" checked' in html


def test_a_home_visit_therapist_appears_when_the_place_is_inside_their_travel_radius(client, reviewer):
    home = listed(PHILADELPHIA, display_name="Travelling Tia", reviewer=reviewer, visits_home=True)
    save_all(home.locations, travel_radius_miles=100)
    far_base = listed(PHILADELPHIA, display_name="Practice Pat", reviewer=reviewer, visits_home=False)
    save_all(far_base.locations, travel_radius_miles=100)  # radius set but no home visits: not shown
    too_far = listed(PHILADELPHIA, display_name="Short Trips Tom", reviewer=reviewer, visits_home=True)
    save_all(too_far.locations, travel_radius_miles=20)
    listed(BROOKLYN, display_name="Brooklyn Bo", reviewer=reviewer)
    response = client.get(SEARCH, {"near": "10001", "radius": "10"})
    assert names_in(response) == ["Brooklyn Bo", "Travelling Tia"]
    assert response.content.decode().count("Visits homes in your area") == 1


def test_a_therapist_counts_from_their_nearest_location(client, reviewer):
    two_places = listed(CHICAGO, display_name="Two Places", reviewer=reviewer)
    add_location(two_places, **NEWARK)
    listed(STAMFORD, display_name="Stamford Sue", reviewer=reviewer)
    response = client.get(SEARCH, {"near": "10001", "radius": "50"})
    assert names_in(response) == ["Two Places", "Stamford Sue"]
    assert f"{round(miles_from_10001(NEWARK))} miles" in response.content.decode()


def test_no_results_says_so_kindly_with_the_real_distance_to_the_nearest_match(client, reviewer):
    listed(PHILADELPHIA, display_name="Philly Pam", reviewer=reviewer, accessible_premises=True)
    listed(STAMFORD, display_name="Stamford Sue", reviewer=reviewer, accessible_premises=True)
    listed(CHICAGO, display_name="Chicago Cy", reviewer=reviewer)
    response = client.get(SEARCH, {"near": "10001", "radius": "5", "accessible": "on"})
    html = response.content.decode()
    assert "0 therapists match within 5 miles" in html
    assert "We are sorry" in html
    assert f"The nearest therapist who matches is {round(miles_from_10001(STAMFORD))} miles away" in html
    assert "a little further away" not in html
    assert names_in(response) == ["Stamford Sue", "Philly Pam"]  # Chicago Cy lacks step-free premises
    assert f"{round(miles_from_10001(STAMFORD))} miles" in html
    # One tap widens the search: the offered distances that reach the nearest match (about 34 miles).
    wider = re.findall(r'<a class="button" href="\?([^"]+)">Within (\d+) miles</a>', html)
    assert [miles for _, miles in wider] == ["50", "100", "250"]
    assert wider[0][0] == "near=10001&amp;accessible=on&amp;radius=50"
    assert re.search(r'href="\?near=10001&amp;radius=5">Remove “Accessible premises”', html)


def test_no_fallback_therapist_is_shown_beyond_250_miles(client, reviewer):
    listed(CHICAGO, display_name="Chicago Cy", reviewer=reviewer)  # about 710 miles from 10001
    response = client.get(SEARCH, {"near": "10001", "radius": "25"})
    html = response.content.decode()
    assert names_in(response) == []
    assert "Nobody who matches works within 250 miles of New York" in html
    assert "Phone your cancer centre" in html
    assert "The nearest therapist" not in html
    assert "Within 250 miles</a>" not in html  # a wider search would find nobody either


def test_the_nearest_distance_reads_as_people_say_it_in_whole_units():
    from directory.geo.units import distance_text

    assert [distance_text(m) for m in (820.4, 34.06, 9.96, 1.44, 1.0, 0.2)] == [
        "820 miles",
        "34 miles",
        "10 miles",
        "1 mile",
        "1 mile",
        "under 1 mile",
    ]
    assert [distance_text(m, "km") for m in (10.0, 0.5)] == ["16 km", "under 1 km"]


def test_an_active_filter_can_be_removed_with_a_link(client, reviewer):
    listed(reviewer=reviewer, services=("reflexology",))
    html = client.get(SEARCH, {"service": ["reflexology", "comfort-touch"], "q": "gentle"}).content.decode()
    assert 'href="?service=comfort-touch&amp;q=gentle" aria-label="Remove Service: Reflexology"' in html
    assert 'href="?service=reflexology&amp;service=comfort-touch" aria-label="Remove Words: “gentle”"' in html
    assert "service: Reflexology" not in html


def test_active_filter_tags_use_the_filters_human_labels(client, reviewer):
    listed(reviewer=reviewer)
    params = {"service": "manual-lymphatic-drainage", "visit": "home", "gender": "woman", "accepting": "on"}
    tags = client.get(SEARCH, params).content.decode().split('class="active-filters"')[1].split("</ul>")[0]
    for label in ("Service: Manual lymphatic drainage", "Session place: Home visits", "Gender: Woman"):
        assert f"<li>{label} <a" in tags
    assert "<li>Accepting new clients <a" in tags


def test_the_gender_choice_offers_any_rather_than_dashes(client):
    html = client.get(SEARCH).content.decode()
    assert '<option value="" selected>Any</option>' in html
    assert "---------" not in html


def test_a_result_card_sums_up_the_checks_in_one_line_and_leaves_details_to_the_profile(client, reviewer):
    profile = listed(
        display_name="Card Cora",
        reviewer=reviewer,
        fee_min=80,
        fee_max=120,
        sliding_scale=True,
        accepting_confirmed_on=date(2026, 11, 3),
        visits_home=True,
    )
    add_credential(profile, Credential.Kind.CLT, status=Credential.Status.PENDING, issuer="Pending Academy")
    last = date.today() - timedelta(days=3)
    save_all(profile.credentials.filter(kind=Credential.Kind.LICENCE), verified_on=last - timedelta(days=40))
    save_all(profile.credentials.filter(kind=Credential.Kind.ONCOLOGY_TRAINING), verified_on=last)
    html = client.get(SEARCH, {"near": "10001"}).content.decode()
    results = html.split('class="search-results"')[1].split('class="guide-panel"')[0]
    summary = (
        "Licence checked at the state board; 32 hours of oncology training with hands-on practice checked. "
        f"Last checked {last:%-d %B %Y}."
    )
    assert f'<p class="result-checked">{summary}</p>' in results
    assert "Pending Academy" not in results and "Lymphedema" not in results
    assert "Test State Board" not in results  # the details are on the profile page
    assert "USD 80–120 a session, sliding scale" in results
    assert '<span class="badge badge-ok">Accepting new clients</span>' in results
    assert "At their practice; home visits" in results
    assert "Oncology massage" in results
    profile_page = client.get(profile.get_absolute_url()).content.decode()
    assert "Licence to practise massage, New York" in profile_page
    assert "confirmed 3 November 2026" in profile_page


def test_the_card_summary_names_what_was_checked():
    def made(kind, day, **fields):
        defaults = dict(method="registry", source="", issuer="Test Issuer", jurisdiction="", training_hours=None)
        return Credential(kind=kind, verified_on=date(2026, 11, day), **{**defaults, **fields})

    oregon = made("licence", 1, jurisdiction="Oregon", source="Oregon Board of Massage Therapists")
    cnhc = made(
        "voluntary_register", 1, jurisdiction="England", source="Complementary and Natural Healthcare Council (CNHC)"
    )
    member = made("membership", 1, jurisdiction="Kansas", issuer="Test Bodywork Association", method="issuer")
    clt, short = made("clt", 3), made("oncology_training", 2, training_hours=12, hands_on=True)
    assert credential_summary([oregon, clt]) == (
        "Licence checked at the state board; lymphedema therapist certification (CLT) checked. "
        "Last checked 3 November 2026."
    )
    assert credential_summary([cnhc, clt]).startswith("Registered with CNHC (England does not license massage)")
    assert credential_summary([member, clt]).startswith(
        "Member of Test Bodywork Association (Kansas does not license massage)"
    )
    # Training below the standard is not summed up as if it met it.
    assert credential_summary([oregon, short]) == "Licence checked at the state board. Last checked 2 November 2026."
    assert credential_summary([]) == ""


def test_the_guides_beside_the_results_follow_the_chosen_services(client, reviewer):
    call_command("load_guides", verbosity=0)
    listed(reviewer=reviewer)
    plain = client.get(SEARCH).content.decode()
    assert "Is massage safe for me?" in plain  # the safety guide is always there
    plain_panel = plain.split('class="guide-panel"')[1]
    assert plain_panel.index("/guides/is-massage-safe/") < plain_panel.index("/guides/lymphatic-drainage/")
    lymph = client.get(SEARCH, {"service": "manual-lymphatic-drainage"}).content.decode()
    lymph_panel = lymph.split('class="guide-panel"')[1]
    assert lymph_panel.index("/guides/lymphatic-drainage/?") < lymph_panel.index("/guides/is-massage-safe/")
    palliative = client.get(SEARCH, {"phase": "advanced-cancer"}).content.decode()
    palliative_panel = palliative.split('class="guide-panel"')[1]
    assert palliative_panel.index("/guides/quality-of-life/?") < palliative_panel.index("/guides/physical-benefits/")


def test_twenty_results_fill_a_page_and_the_rest_go_on_the_next(client, reviewer):
    for n in range(23):
        listed(display_name=f"Paged {n:02d}", reviewer=reviewer)
    first = client.get(SEARCH, {"near": "10001"})
    assert len(names_in(first)) == 20
    assert "Page 1 of 2" in first.content.decode()
    assert 'href="?near=10001&amp;page=2"' in first.content.decode()
    second = client.get(SEARCH, {"near": "10001", "page": "2"})
    assert len(names_in(second)) == 3
    assert client.get(SEARCH, {"near": "10001", "page": "oops"}).status_code == 200


def test_the_search_page_answers_get_only(client):
    assert client.post(SEARCH, {"near": "10001"}).status_code == 405


def test_an_exact_name_ranks_above_a_mention_in_a_bio(client, reviewer):
    listed(display_name="Morgan Able", reviewer=reviewer, bio="I trained alongside Rosalind Quince in Boston.")
    listed(display_name="Rosalind Quince", reviewer=reviewer, bio="Gentle massage for people in treatment.")
    listed(display_name="Other Person", reviewer=reviewer)
    response = client.get(SEARCH, {"q": "Rosalind Quince"})
    assert names_in(response) == ["Rosalind Quince", "Morgan Able"]


def test_text_search_finds_services_and_headline_words(client, reviewer):
    listed(display_name="Lymph Lee", reviewer=reviewer, services=("manual-lymphatic-drainage",))
    listed(display_name="Headline Hal", reviewer=reviewer, headline="Reflexology for quiet afternoons")
    listed(display_name="Plain Pia", reviewer=reviewer)
    assert names_in(client.get(SEARCH, {"q": "lymphatic drainage"})) == ["Lymph Lee"]
    assert names_in(client.get(SEARCH, {"q": "afternoons"})) == ["Headline Hal"]
    assert names_in(client.get(SEARCH, {"q": "!!! ???"})) == []


def _page_of(n: int, reviewer) -> None:
    for i in range(n):
        profile = listed(
            display_name=f"Counted {i}", reviewer=reviewer, languages=("en", "es"), phases=("survivorship",)
        )
        add_location(profile, **BROOKLYN)


@pytest.mark.parametrize("results", [1, 20])
def test_the_search_page_runs_a_fixed_number_of_queries(client, reviewer, django_assert_num_queries, settings, results):
    _page_of(results, reviewer)
    cache.clear()
    search = {"near": "10001", "service": "oncology-massage", "language": "en", "phase": "survivorship"}
    # Besides the nearest-first rings: 1 the search edition, 2 the vocabularies for the
    # filter form (one UNION; kept afterwards), 3 the largest travel radius (kept
    # afterwards), 4 the page's profiles, 5 their locations, 6 their verified credentials,
    # 7 their services, languages and other links (one UNION, named from the kept
    # vocabularies, directory/search/cards.py), 8 the guides beside the results, 9 their
    # services and phases (guides/selection.py). The rings: 1 mile, then as far
    # as the rows found there say (1 found: straight to 25 miles with the home-visit
    # areas beyond; 20 found: 10 miles first).
    ring_statements = {1: 2, 20: 3}[results]
    response, others, rings = queries_of(client, SEARCH, search)
    assert (others, rings) == (9, ring_statements)
    assert len(names_in(response)) == results
    # The same search, not cached as a page: the vocabularies, the guides and the rendered cards are.
    settings.SEARCH_PAGE_CACHE_SECONDS = 0
    response, others, rings = queries_of(client, SEARCH, search)
    assert (others, rings) == (1, ring_statements)
    assert len(names_in(response)) == results
    # Nor the cards: the page's profiles, locations, credentials and links are read again.
    settings.SEARCH_CARD_CACHE_SECONDS = 0
    response, others, rings = queries_of(client, SEARCH, search)
    assert (others, rings) == (5, ring_statements)
    assert len(names_in(response)) == results
    settings.SEARCH_CARD_CACHE_SECONDS = 600
    # Cached as a page: only the edition is read.
    settings.SEARCH_PAGE_CACHE_SECONDS = 600
    client.get(SEARCH, search)
    with django_assert_num_queries(1):
        response = client.get(SEARCH, search)
    assert len(names_in(response)) == results


def test_a_full_page_of_results_with_its_css_and_js_stays_well_under_60_kb(client, reviewer):
    from django.contrib.staticfiles import finders

    call_command("load_guides", verbosity=0)
    for n in range(20):
        listed(
            display_name=f"Weighed Therapist {n}",
            reviewer=reviewer,
            languages=("en", "es"),
            fee_min=60,
            fee_max=120,
            services=("oncology-massage", "manual-lymphatic-drainage", "reflexology"),
        )
    html = client.get(SEARCH, {"near": "10001", "service": "reflexology"}).content
    assert len(re.findall(rb'class="result-name"', html)) == 20
    assets = sum(Path(finders.find(path)).stat().st_size for path in ("css/site.css", "css/print.css"))
    assert len(html) + assets < 60_000


def filters_open(html: str) -> bool:
    return re.search(r'<details class="search-filters"( open)?>', html).group(1) is not None


def test_a_place_error_keeps_the_filters_folded_and_says_it_once_in_the_summary_and_once_by_the_field(client):
    html = client.get(SEARCH, {"near": "zzzz", "radius": "25", "q": "gentle"}).content.decode()
    assert not filters_open(html)
    assert html.count("We could not find") == 2
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_near">We could not find' in summary
    assert 'id="error-summary" tabindex="-1"' in html
    near_input = re.search(r'<input type="text" name="near"[^>]+>', html).group(0)
    assert 'aria-describedby="near-help near-error"' in near_input and 'aria-invalid="true"' in near_input
    assert '<ul class="errorlist" id="near-error">' in html


def test_the_filters_open_on_an_error_page_when_a_filter_has_an_error_or_a_value(client):
    assert filters_open(client.get(SEARCH, {"near": "10001", "service": "astrology"}).content.decode())
    assert filters_open(client.get(SEARCH, {"near": "zzzz", "phase": "survivorship"}).content.decode())
    assert filters_open(client.get(SEARCH, {"near": "10001", "sort": "price"}).content.decode())
    assert not filters_open(client.get(SEARCH, {"near": "10001", "radius": "abc"}).content.decode())
    assert not filters_open(client.get(SEARCH, {"near": "zzzz", "sort": "experience"}).content.decode())


def test_the_filters_stay_folded_on_a_results_page_with_the_chosen_ones_shown_as_tags(client, reviewer):
    listed(reviewer=reviewer)
    html = client.get(SEARCH, {"near": "10001", "service": "oncology-massage"}).content.decode()
    assert not filters_open(html)
    assert "More filters (1 chosen)" in html
