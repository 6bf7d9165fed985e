"""Response headers in the production configuration: every page, including
error pages, carries the transport and browser protections."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/therapists/?near=10001",
    "/accounts/login/",
    "/accounts/signup/",
    "/guides/",
    "/dashboard/",
    "/no-such-page/",
]


@pytest.fixture(autouse=True)
def production(settings):
    """What config/settings.py turns on when DEBUG is off (its default)."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


def secure_get(client, url):
    return client.get(url, secure=True)


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("url", PAGES)
def test_the_content_security_policy_allows_only_the_sites_own_scripts_and_no_framing(client, url):
    response = secure_get(client, url)
    assert "Content-Security-Policy-Report-Only" not in response
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    for name, sources in directives.items():
        for source in sources:
            assert source not in {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"}, (name, source)
            assert "://" not in source, f"third-party origin {source} in {name}"
            assert source not in {"http:", "https:"}, (name, source)


@pytest.mark.parametrize("url", PAGES)
def test_strict_transport_security_is_a_year_with_subdomains_and_preload(client, url):
    response = secure_get(client, url)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.parametrize("url", PAGES)
def test_content_type_sniffing_is_off(client, url):
    assert secure_get(client, url)["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", PAGES)
def test_no_site_may_frame_the_pages(client, url):
    assert secure_get(client, url)["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", PAGES)
def test_the_referrer_stays_on_the_site(client, url):
    assert secure_get(client, url)["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url", PAGES)
def test_other_sites_cannot_reach_a_window_the_site_opened(client, url):
    assert secure_get(client, url)["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_plain_http_request_is_sent_to_https_permanently(client):
    response = client.get("/guides/?near=10001")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/guides/?near=10001"


def test_the_health_check_answers_over_plain_http_for_the_load_balancer(client):
    assert client.get("/healthz").status_code == 200


def test_the_proxys_x_forwarded_proto_header_counts_as_https(client, settings):
    # What config/settings.py sets when TRUSTED_PROXY_COUNT is above 0.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_x_forwarded_proto_is_ignored_without_a_trusted_proxy(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 301


def test_a_forged_x_forwarded_proto_other_than_https_is_still_redirected(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "http"})
    assert response.status_code == 301


def test_session_and_csrf_cookies_are_secure_and_hidden_from_scripts(client):
    response = secure_get(client, "/accounts/login/")
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
