"""Each search parameter narrows the results: values of one parameter are alternatives, parameters combine."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import CancerType, CareSetting, Credential, Profile, Service
from directory.search.filterset import TherapistFilter, load_vocabularies
from tests.factories import changed, make_reviewer, save_all
from tests.search_helpers import listed

pytestmark = pytest.mark.django_db


def found(params) -> list[str]:
    search = TherapistFilter(params, queryset=Profile.objects.listed())
    assert search.is_valid(), search.errors
    return sorted(profile.display_name for profile in search.qs)


def errors(params) -> dict:
    search = TherapistFilter(params, queryset=Profile.objects.listed())
    assert not search.is_valid()
    return search.errors


@pytest.fixture
def people():
    reviewer = make_reviewer()
    mld = listed(
        display_name="Mila",
        reviewer=reviewer,
        services=("manual-lymphatic-drainage",),
        languages=("es",),
        phases=("after-surgery",),
        gender="woman",
        visits_practice=False,
        visits_home=True,
        accessible_premises=False,
        accepting_new_clients=True,
        sliding_scale=True,
        years_oncology=9,
    )
    mld.cancer_types.set(CancerType.objects.filter(slug="breast"))
    mld.care_settings.set(CareSetting.objects.filter(slug="hospice"))
    changed(mld)
    reflex = listed(
        display_name="Rafe",
        reviewer=reviewer,
        services=("reflexology", "oncology-massage"),
        languages=("en",),
        phases=("survivorship",),
        gender="man",
        visits_practice=True,
        visits_hospital=True,
        accessible_premises=True,
        accepting_new_clients=False,
        sliding_scale=False,
        years_oncology=2,
    )
    reflex.cancer_types.set(CancerType.objects.filter(slug="prostate"))
    reflex.care_settings.set(CareSetting.objects.filter(slug="hospital"))
    changed(reflex)
    listed(
        display_name="Noor",
        reviewer=reviewer,
        services=("comfort-touch",),
        languages=("en", "fr"),
        phases=("end-of-life",),
        gender="non-binary",
        visits_practice=True,
        accessible_premises=True,
        years_oncology=5,
    )
    return reviewer


def test_no_parameters_find_everyone(people):
    assert found({}) == ["Mila", "Noor", "Rafe"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"service": ["reflexology"]}, ["Rafe"]),
        ({"service": ["reflexology", "comfort-touch"]}, ["Noor", "Rafe"]),
        ({"phase": ["after-surgery"]}, ["Mila"]),
        ({"phase": ["after-surgery", "end-of-life"]}, ["Mila", "Noor"]),
        ({"setting": ["hospice"]}, ["Mila"]),
        ({"cancer_type": ["prostate", "breast"]}, ["Mila", "Rafe"]),
        ({"language": ["en"]}, ["Noor", "Rafe"]),
        ({"language": ["es", "fr"]}, ["Mila", "Noor"]),
        ({"gender": "woman"}, ["Mila"]),
        ({"visit": ["home"]}, ["Mila"]),
        ({"visit": ["home", "hospital"]}, ["Mila", "Rafe"]),
        ({"accessible": "on"}, ["Noor", "Rafe"]),
        ({"accepting": "true"}, ["Mila", "Noor"]),
        ({"sliding_scale": "1"}, ["Mila"]),
        ({"accessible": ""}, ["Mila", "Noor", "Rafe"]),
        ({"service": ["reflexology", "comfort-touch"], "language": ["fr"]}, ["Noor"]),
        ({"language": ["en"], "accepting": "on", "visit": ["practice"]}, ["Noor"]),
        ({"service": ["manual-lymphatic-drainage"], "gender": "man"}, []),
    ],
)
def test_each_parameter_narrows_the_search(people, params, expected):
    assert found(params) == expected


def test_a_therapist_matching_several_values_appears_once(people):
    assert found({"service": ["reflexology", "oncology-massage"]}) == ["Rafe"]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"service": ["astrology"]}, "service", "We do not know the service “astrology”"),
        ({"language": ["xx"]}, "language", "We do not know the language"),
        ({"gender": "robot"}, "gender", "We do not know the gender"),
        ({"visit": ["moon"]}, "visit", "session place"),
        ({"accessible": "banana"}, "accessible", "Tick the box"),
        ({"sort": "price"}, "sort", "We do not know the order"),
        ({"radius": "-3"}, "radius", "at least 1 mile"),
        ({"radius": "inf"}, "radius", "number of miles"),
        ({"q": "x" * 201}, "q", "at most 200 characters"),
        ({"near": "zzzz"}, "near", "We could not find"),
        ({"near": "Portland"}, "near", "Which one did you mean?"),
    ],
)
def test_a_value_that_is_not_valid_gives_a_plain_message(people, params, field, words):
    messages = " ".join(errors(params)[field])
    assert words in messages


def test_sorting_by_experience_puts_the_longest_oncology_experience_first(people):
    search = TherapistFilter({"sort": "experience"}, queryset=Profile.objects.listed())
    assert [p.display_name for p in search.qs] == ["Mila", "Noor", "Rafe"]


def test_sorting_by_recent_puts_the_most_recently_verified_first(people):
    today = date.today()
    for days, name in ((30, "Mila"), (3, "Rafe"), (90, "Noor")):
        save_all(Credential.objects.filter(profile__display_name=name), verified_on=today - timedelta(days=days))
    search = TherapistFilter({"sort": "recent"}, queryset=Profile.objects.listed())
    assert [p.display_name for p in search.qs] == ["Rafe", "Mila", "Noor"]
    assert TherapistFilter({}, queryset=Profile.objects.listed()).sort_order() == "recent"


def test_distance_order_needs_a_place():
    search = TherapistFilter({"sort": "distance"}, queryset=Profile.objects.listed())
    assert search.is_valid()
    assert search.sort_order() == "recent"
    with_place = TherapistFilter({"near": "10001"}, queryset=Profile.objects.listed())
    assert with_place.is_valid() and with_place.sort_order() == "distance"
    with_words = TherapistFilter({"q": "gentle"}, queryset=Profile.objects.listed())
    assert with_words.is_valid() and with_words.sort_order() == "relevance"


def test_the_radius_defaults_to_25_miles():
    search = TherapistFilter({"near": "10001"}, queryset=Profile.objects.listed())
    assert search.is_valid()
    assert search.form.cleaned_data["radius"] == 25


def test_a_vocabulary_filter_tests_the_links_by_id_not_by_a_lookup_of_its_slug(people):
    """A search knows its entries' ids (kept for the edition): each profile tested costs one
    probe of the link table's index, with no join to the vocabulary per profile."""
    load_vocabularies()  # kept for the edition
    with CaptureQueriesContext(connection) as queries:
        assert found({"service": ["manual-lymphatic-drainage"], "phase": ["after-surgery"]}) == ["Mila"]
    wanted = Service.objects.get(slug="manual-lymphatic-drainage").pk
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert f'"{Service._meta.db_table}"' not in sql
    assert f"IN ({wanted})" in sql
