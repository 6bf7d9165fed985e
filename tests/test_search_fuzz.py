"""Whatever arrives in the query string, the search page, the API and the other
public pages never answer with a server error: on SQLite and on PostgreSQL,
which refuses NUL in any string it is sent."""

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
# NUL and the other C0 control characters, alone, around valid values, or in text.
CONTROL = [chr(code) for code in range(32)]
control_text = st.text(alphabet=st.sampled_from(CONTROL), min_size=1, max_size=4)
with_controls = st.one_of(
    control_text,
    st.tuples(st.sampled_from(SOME_VALID), control_text).map("".join),
    st.tuples(control_text, st.sampled_from(SOME_VALID)).map("".join),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20).map(
        lambda text: text + "\x00"
    ),
)
values = st.one_of(
    st.text(max_size=60),
    st.sampled_from(SOME_VALID),
    st.integers().map(str),
    st.floats().map(str),
    with_controls,
)
keys = st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=10), control_text)
queries = st.lists(st.tuples(keys, values), max_size=8)


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


@pytest.mark.parametrize("parameter", PARAMETERS)
def test_every_control_character_in_every_search_parameter_is_harmless(client, someone, parameter):
    valid = "10001" if parameter in ("near", "radius", "page") else "oncology-massage"
    for control in CONTROL:
        value = f"{valid}{control}"
        assert client.get("/therapists/", {parameter: value}).status_code == 200, repr(value)
        assert client.get("/api/v1/therapists/", {parameter: value}).status_code in (200, 400, 404), repr(value)


def public_pages(profile) -> list[str]:
    from guides.models import Guide

    pages = [
        "/",
        "/therapists/",
        profile.get_absolute_url(),
        f"{profile.get_absolute_url()}enquiry/",
        "/api/v1/therapists/",
        f"/api/v1/therapists/{profile.slug}/",
        "/guides/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/healthz",
    ]
    guide = Guide.objects.first()
    if guide is not None:
        pages.append(guide.get_absolute_url())
    return pages


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f"])
def test_control_characters_in_any_parameter_of_any_public_page_are_harmless(client, someone, control):
    for page in public_pages(someone):
        for key in ("q", "next", "near", "service", "phase", "page", f"x{control}"):
            response = client.get(page, {key: f"a{control}b"})
            assert response.status_code < 500, (page, key)
