"""Words read as filters, spelling, place suggestions and units: the same on SQLite and PostgreSQL,
and the same for the page and the API."""

import re

import pytest

from directory.geo import spelling, units
from directory.models import Location, SearchEdition
from directory.search import understand
from directory.search.filterset import VOCABULARY_MODELS, vocabulary_entries
from tests.factories import changed, make_reviewer
from tests.search_helpers import BROOKLYN, listed

pytestmark = pytest.mark.django_db

SEARCH = "/therapists/"
API = "/api/v1/therapists/"
TORONTO = dict(city="Toronto", region="ON", postcode="M5V", country="CA", latitude=43.6453, longitude=-79.3806)


@pytest.fixture
def reviewer():
    return make_reviewer()


def names_in(response) -> list[str]:
    return re.findall(r'<h3 class="result-name"><a [^>]*>([^<]+)</a>', response.content.decode())


def reading(text: str) -> list[tuple[str, str, str]]:
    return [(item.key, item.slug, item.corrected_to) for item in understand.read(text, vocabulary_entries()).understood]


# --- the synonym table --------------------------------------------------------------------


def test_every_synonym_names_an_entry_the_vocabularies_have():
    for key, synonyms in understand.synonym_table().items():
        slugs = set(VOCABULARY_MODELS[key].objects.values_list("slug", flat=True))
        assert set(synonyms) <= slugs, (key, set(synonyms) - slugs)


def test_no_word_of_the_synonym_table_means_two_entries():
    meanings: dict[str, tuple[str, str]] = {}
    for key, entries in vocabulary_entries().items():
        for entry in entries:
            meanings.setdefault(understand.fold(entry.name), (key, entry.slug))
    for key, synonyms in understand.synonym_table().items():
        for slug, words in synonyms.items():
            for word in words:
                folded = understand.fold(word)
                assert folded, (key, slug, word)
                assert meanings.setdefault(folded, (key, slug)) == (key, slug), f"“{word}” means two entries"


def test_words_patients_type_are_read_as_the_entries_they_name():
    assert reading("spanish lymphoedema") == [("language", "es", ""), ("service", "lymphedema-therapy", "")]
    assert reading("Español") == [("language", "es", "")]
    assert reading("CLT") == [("service", "lymphedema-therapy", "")]
    assert reading("oedema") == [("service", "lymphedema-therapy", "")]
    assert reading("MLD") == reading("manual lymph drainage") == [("service", "manual-lymphatic-drainage", "")]
    assert reading("breast") == [("cancer_type", "breast", "")]
    assert reading("palliative") == [("phase", "advanced-cancer", "")]
    assert reading("hospice") == [("phase", "end-of-life", "")]


def test_the_words_left_over_are_searched_as_text_and_a_chip_removes_only_its_words():
    read = understand.read("Casey spanish lymphoedema", vocabulary_entries())
    assert read.rest == "Casey"
    spanish = read.understood[0]
    assert spanish.sentence == "therapists who speak Spanish"
    assert read.without(spanish) == "Casey lymphoedema"


def test_a_removed_entry_is_no_longer_understood():
    from directory.models import Language

    Language.objects.filter(slug="es").delete()
    SearchEdition.objects.advance()
    assert reading("spanish") == []


# --- spelling -----------------------------------------------------------------------------


def test_a_small_slip_in_a_vocabulary_word_is_corrected_and_said():
    assert reading("lymphedma") == [("service", "lymphedema-therapy", "lymphedema")]
    assert reading("reflexolgy") == [("service", "reflexology", "reflexology")]
    assert reading("spansh") == [("language", "es", "spanish")]


def test_short_words_names_and_ordinary_words_are_never_corrected():
    assert reading("lung") == [("cancer_type", "lung", "")]
    assert reading("lang") == []  # too short to correct
    assert reading("massage") == reading("Casey") == reading("therapist") == []
    assert understand.allowed_slips("lymph") == 1 and understand.allowed_slips("lymphedma") == 2


def test_a_misspelt_place_gets_suggestions_from_the_gazetteer():
    labels = [place.label for place in spelling.suggest_places("Brookyln")]
    assert "Brooklyn, NY, United States" in labels
    assert [place.label for place in spelling.suggest_places("Brookyln, NY")] == ["Brooklyn, NY, United States"]
    assert spelling.suggest_places("Xqzvw") == ()
    assert spelling.suggest_places("Ny") == ()


def test_the_page_and_the_api_say_did_you_mean_for_a_misspelt_place(client):
    html = client.get(SEARCH, {"near": "Brookyln"}).content.decode()
    assert "We could not find “Brookyln”" in html
    assert "?near=Brooklyn%2C+NY%2C+United+States" in html
    body = client.get(API, {"near": "Brookyln"}).json()
    assert "Brooklyn, NY, United States" in body["place_choices"]


# --- the page and the API read words the same way ----------------------------------------


@pytest.fixture
def therapists(reviewer):
    listed(display_name="Ana Ruiz", reviewer=reviewer, languages=("es",), services=("lymphedema-therapy",))
    listed(display_name="Beto Cruz", reviewer=reviewer, languages=("es", "en"), services=("reflexology",))
    cleo = listed(
        BROOKLYN,
        display_name="Cleo Marsh",
        reviewer=reviewer,
        languages=("en",),
        services=("manual-lymphatic-drainage", "lymphedema-therapy"),
    )
    cleo.cancer_types.set([])
    breast = listed(display_name="Dara Finch", reviewer=reviewer, services=("oncology-massage",))
    breast.cancer_types.set(breast.cancer_types.model.objects.filter(slug="breast"))
    changed(cleo, breast)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("spanish lymphoedema", {"Ana Ruiz"}),
        ("spanish", {"Ana Ruiz", "Beto Cruz"}),
        ("CLT", {"Ana Ruiz", "Cleo Marsh"}),
        ("lymphedma", {"Ana Ruiz", "Cleo Marsh"}),
        ("MLD", {"Cleo Marsh"}),
        ("breast", {"Dara Finch"}),
        ("Cleo lymphoedema", {"Cleo Marsh"}),
        ("Beto", {"Beto Cruz"}),
    ],
)
def test_the_api_gives_the_same_therapists_as_the_page_for_the_same_words(client, therapists, words, expected):
    for near in ("", "10001"):
        params = {"q": words, **({"near": near} if near else {})}
        page = names_in(client.get(SEARCH, params))
        api = [result["name"] for result in client.get(API, params).json()["results"]]
        assert set(page) == expected, (words, near)
        assert api == page, (words, near)


def test_the_api_says_what_the_words_were_read_as(client, therapists):
    body = client.get(API, {"q": "Cleo lymphoedma"}).json()
    assert body["understood"] == [
        {
            "parameter": "service",
            "value": "lymphedema-therapy",
            "words": "lymphoedma",
            "corrected_to": "lymphoedema",
        }
    ]
    assert body["words"] == "Cleo"


def test_the_filter_count_counts_filters_not_words(client, therapists):
    html = client.get(SEARCH, {"q": "Beto spanish", "near": "10001", "service": "reflexology"}).content.decode()
    assert "More filters (1 chosen)" in html
    assert "Showing therapists who speak Spanish" in html
    assert "Near New York, NY 10001, United States · 25 miles · 2 filters · “Beto”" in html


# --- the fallback and the units ------------------------------------------------------------


def test_the_fallback_leaves_out_home_visitors_whose_area_does_not_reach_the_place(client, reviewer):
    home_only = listed(BROOKLYN, display_name="Hana Home", reviewer=reviewer, visits_practice=False, visits_home=True)
    Location.objects.filter(profile=home_only).update(travel_radius_miles=8)
    changed(home_only)
    listed(BROOKLYN, display_name="Pria Practice", reviewer=reviewer)
    html = client.get(SEARCH, {"near": "19103", "radius": "25"}).content.decode()
    assert "Hana Home" not in html
    assert "Pria Practice" in html
    assert re.search(r"practice in Brooklyn, \d+ miles", html)


def test_a_home_visitor_whose_area_reaches_the_place_is_among_the_results(client, reviewer):
    home_only = listed(BROOKLYN, display_name="Hana Home", reviewer=reviewer, visits_practice=False, visits_home=True)
    Location.objects.filter(profile=home_only).update(travel_radius_miles=100)
    changed(home_only)
    html = client.get(SEARCH, {"near": "19103", "radius": "25"}).content.decode()
    assert names_in(client.get(SEARCH, {"near": "19103", "radius": "25"})) == ["Hana Home"]
    assert "Visits homes in your area" in html


def test_distances_are_whole_numbers_in_the_unit_of_the_searched_place():
    assert units.distance_text(0.4) == "under 1 mile"
    assert units.distance_text(1.2) == "1 mile"
    assert units.distance_text(78.6) == "79 miles"
    assert units.distance_text(0.5, "km") == "under 1 km"
    assert units.distance_text(10, "km") == "16 km"
    assert units.unit_for("CA") == units.unit_for("ie") == "km"
    assert units.unit_for("GB") == units.unit_for("US") == "mi"
    assert units.radius_text(25, "km") == "40 km"


def test_a_search_in_canada_speaks_kilometres_and_the_radius_stays_miles(client, reviewer):
    listed(TORONTO, display_name="Tori Maple", reviewer=reviewer)
    response = client.get(SEARCH, {"near": "Toronto, Ontario", "radius": "25"})
    html = response.content.decode()
    assert names_in(response) == ["Tori Maple"]
    assert "1 therapist matches within 40 km" in html
    assert '<option value="25" selected>40 km</option>' in html
    assert re.search(r"<strong>(under 1 km|\d+ km)</strong>", html)
    assert "Distances are to the approximate area of each practice" in html
    result = client.get(API, {"near": "Toronto, Ontario", "radius": "25"}).json()["results"][0]
    assert isinstance(result["distance_miles"], int) and isinstance(result["distance_km"], int)
