"""Cross-site request forgery: a POST without the token is refused on every
URL of the site, whatever the view does with POST.

The URLs are not listed by hand: every pattern of the URLconf is turned into
a sample URL that resolves to it, so a new view is covered the day it is
added. CsrfViewMiddleware checks the token before any view code (sign-in
checks, object look-ups, method checks) runs, so sample values that match
no object are enough.
"""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

# Values that satisfy each path converter.
SAMPLE_VALUES = {
    "int": "1",
    "slug": "sample",
    "str": "sample",
    "path": "sample",
    "uuid": str(uuid.UUID(int=1)),
}
# A named group that lists its choices, such as the admin's (?P<app_label>auth|accounts|...).
CHOICE_GROUP = re.compile(r"\(\?P<\w+>([\w-]+)(?:\|[\w-]+)+\)")
# Views that may take a POST without a token. Keep this empty: any entry
# needs a reason (for example a signed webhook), written next to it.
CSRF_EXEMPT_VIEWS: set[str] = set()


def _route_sample(pattern: RoutePattern) -> str:
    route = str(pattern)
    for name, converter in pattern.converters.items():
        converter_name = type(converter).__name__.removesuffix("Converter").lower()
        value = SAMPLE_VALUES.get(converter_name, "1")
        route = _replace_parameter(route, name, value)
    return route


def _replace_parameter(route: str, name: str, value: str) -> str:
    start = route.index("<")
    while start != -1:
        end = route.index(">", start)
        inside = route[start + 1 : end]
        if inside.split(":")[-1] == name:
            return route[:start] + value + route[end + 1 :]
        start = route.find("<", end)
    raise AssertionError(f"parameter {name} not found in {route}")


def _regex_sample(pattern: RegexPattern) -> str:
    regex = CHOICE_GROUP.sub(lambda match: match.group(1), pattern._regex)
    text, params = normalize(regex)[0]
    return text % {name: "sample" for name in params}


def _sample(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _route_sample(pattern)
    return _regex_sample(pattern)


def url_samples(patterns=None, prefix: str = "/"):
    """(sample URL, URL pattern) for every view in the URLconf."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from url_samples(entry.url_patterns, prefix + _sample(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + _sample(entry.pattern), entry


def view_name(entry: URLPattern) -> str:
    return f"{entry.callback.__module__}.{getattr(entry.callback, '__qualname__', entry.callback)}"


def all_samples() -> list[tuple[str, URLPattern]]:
    samples = list(url_samples())
    assert len(samples) > 40, "the URLconf walk found too few URLs"
    return samples


# allauth views deliberately placed behind a view of ours, which checks more and then calls them.
WRAPPED_ALLAUTH_VIEWS = {"/accounts/2fa/totp/activate/": "accounts.views.activate_authenticator"}


def test_every_url_of_the_site_has_a_sample_that_resolves_to_its_own_view():
    for url, entry in all_samples():
        match = resolve(url)
        if url in WRAPPED_ALLAUTH_VIEWS:
            assert f"{match.func.__module__}.{match.func.__qualname__}" == WRAPPED_ALLAUTH_VIEWS[url]
            continue
        assert match.func == entry.callback, f"{url} resolved to {match.func}, not {view_name(entry)}"


def test_no_view_is_exempt_from_the_csrf_check():
    exempt = {view_name(entry) for _, entry in all_samples() if getattr(entry.callback, "csrf_exempt", False)}
    assert exempt <= CSRF_EXEMPT_VIEWS


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_a_post_without_a_csrf_token_is_refused_on_every_url(signed_in):
    client = Client(enforce_csrf_checks=True)
    if signed_in:
        client.force_login(make_user("csrf.target@example.test"))
    accepted = []
    for url, entry in all_samples():
        if view_name(entry) in CSRF_EXEMPT_VIEWS:
            continue
        response = client.post(url, {"email": "attacker@example.test", "message": "forged"})
        if response.status_code != 403 or b"CSRF" not in response.content:
            accepted.append(f"{url} ({view_name(entry)}): {response.status_code}")
    assert not accepted, "POST without a CSRF token was not refused:\n" + "\n".join(accepted)


def test_a_post_with_a_wrong_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {"login": "someone@example.test", "password": PASSWORD, "csrfmiddlewaretoken": "x" * 64},
    )
    assert response.status_code == 403


def test_the_same_post_with_the_token_from_the_form_goes_through():
    """The refusals above come from the missing token, not from the views."""
    make_user("someone@example.test")
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {"login": "someone@example.test", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
