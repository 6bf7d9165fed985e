"""Whatever arrives in the query string, the search page and the API never answer with a server error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.search_helpers import NEWARK, listed

PARAMETERS = [
    "near",
    "radius",
    "q",
    "service",
    "phase",
    "setting",
    "cancer_type",
    "language",
    "gender",
    "visit",
    "accessible",
    "accepting",
    "sliding_scale",
    "sort",
    "page",
]
SOME_VALID = [
    "10001",
    "Portland",
    "Leeds",
    "25",
    "0",
    "-1",
    "1e308",
    "nan",
    "oncology-massage",
    "survivorship",
    "en",
    "woman",
    "home",
    "on",
    "true",
    "distance",
    "experience",
    "recent",
    "2",
]
values = st.one_of(st.text(max_size=60), st.sampled_from(SOME_VALID), st.integers().map(str), st.floats().map(str))
queries = st.lists(st.tuples(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=10)), values), max_size=8)


@pytest.fixture
def someone(db):
    return listed(NEWARK, display_name="Fuzz Target", visits_home=True)


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pairs=queries)
def test_arbitrary_query_strings_never_give_a_server_error(client, someone, pairs):
    data: dict[str, list[str]] = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    page = client.get("/therapists/", data)
    assert page.status_code == 200
    api = client.get("/api/v1/therapists/", data)
    assert api.status_code in (200, 400, 404)
