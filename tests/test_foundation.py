"""Start-up settings, the deploy check, the health check and the site pages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "prod-like-secret-key-for-the-deploy-check-4b7e1c9a2f6d8e0b3a5c7d9f1e2a4b6c",
    "ALLOWED_HOSTS": "directory.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://directory.example.org",
}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_python(f"import sys; sys.argv = ['manage.py', *{list(args)!r}]; import manage; manage.main()", env)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("DATABASE_URL", "mysql://x@y/z"),
        ("CACHE_URL", "memcached://x"),
    ],
)
def test_a_malformed_environment_value_stops_start_up_naming_the_variable(name, value):
    result = run_manage("check", env={**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_deploy_check_is_clean_in_production_configuration():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(("proxies", "trusted"), [("0", "None"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')")])
def test_x_forwarded_proto_is_believed_only_behind_a_trusted_proxy(proxies, trusted):
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    result = run_python(code, {**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": proxies})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == trusted


def test_healthz_answers_503_when_the_database_is_unreachable():
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz', secure=True, HTTP_HOST='directory.example.org');"
        "print(r.status_code, r.content.decode())"
    )
    # Nothing listens on port 9 here: the database is unreachable.
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nothing"}
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("503")
    assert "unavailable" in result.stdout


@pytest.mark.django_db
def test_healthz_answers_200_with_a_small_json_body(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_home_page_has_the_search_form_and_the_safety_footer(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'action="/therapists/"' in html
    assert 'name="near"' in html and 'name="radius"' in html
    assert "does not give medical advice" in html
    assert "emergency" in html
    assert 'href="#main"' in html


@pytest.mark.django_db
def test_an_unknown_page_answers_404_in_the_site_style(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_the_500_page_renders_without_a_request_context():
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "Something went wrong" in html
    assert "emergency" in html


@pytest.mark.django_db
def test_every_response_carries_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_access_logs_omit_query_strings():
    import logging

    from config.logging import StripQueryStringFilter

    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /therapists/?near=10001&phase=end-of-life HTTP/1.1", "200", "512"),
        None,
    )
    StripQueryStringFilter().filter(record)
    assert "end-of-life" not in record.getMessage()
    assert "GET /therapists/ HTTP/1.1" in record.getMessage()
