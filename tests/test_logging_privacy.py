"""Nothing a patient tells us reaches the logs: not the text of an enquiry,
not their email address, not what they searched for (search filters travel
in the query string and can name a cancer or a treatment).

The requests go through a real development-server request handler, which
writes an access-log line per request to the "django.server" logger, and
everything is logged at DEBUG. Two views are checked: every record as
created (caplog, plus the django.server and django.request loggers, which
do not propagate), and the text the configured handlers actually write.
"""

import http.cookiejar
import io
import logging
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import WSGIRequestHandler
from django.db import connections
from django.test.testcases import LiveServerThread
from django.urls import reverse

from directory.models import CancerType, Enquiry, Phase
from directory.search.words import refresh_search_text
from tests.factories import changed, make_listed_profile
from tests.mail_helpers import run_tasks

MESSAGE = "After my mastectomy I have lymphedema in my right arm and I start radiotherapy on Monday."
PATIENT_EMAIL = "very.private.patient@example.test"
PATIENT_PHONE = "+1 212 555 0187"
SEARCH = {
    "near": "10001",
    "q": "lymphedema mastectomy",
    "service": "manual-lymphatic-drainage",
    "phase": "active-treatment",
    "cancer_type": "breast",
}
# Words that only the patient's message or search contain.
SECRETS = [MESSAGE, "mastectomy", "radiotherapy", PATIENT_EMAIL, "very.private.patient", "555 0187"]
QUERY_SECRETS = ["near=", "10001", "lymphedema", "manual-lymphatic-drainage", "active-treatment", "cancer_type"]
LOGGERS = ["django.server", "django.request", "django.security.csrf", "django.security", "directory", "allauth"]


class AccessLoggingServerThread(LiveServerThread):
    """A live server with the development server's request handler, which logs each request."""

    def _create_server(self, connections_override=None):
        return self.server_class(
            (self.host, self.port),
            WSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@pytest.fixture
def server_url(transactional_db, settings):
    # The development server speaks plain http: let the cookie jar send the CSRF cookie back.
    settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_COOKIE_SECURE = False
    overrides = {}
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():
            conn.inc_thread_sharing()
            overrides[conn.alias] = conn
    thread = AccessLoggingServerThread("localhost", StaticFilesHandler, connections_override=overrides)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()
    for conn in overrides.values():
        conn.dec_thread_sharing()


@pytest.fixture
def written_logs(settings):
    """What the site's configured log handlers write, captured at DEBUG."""
    buffer = io.StringIO()
    swapped = []
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in LOGGERS)]
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        for handler in logger.handlers:
            # The site's console handlers (plain StreamHandlers), not pytest's capture handlers.
            if type(handler) is logging.StreamHandler:
                swapped.append((handler, handler.setStream(buffer), handler.level))
                handler.setLevel(logging.DEBUG)
    assert swapped, "no configured stream handler found"
    yield buffer
    for handler, stream, level in swapped:
        handler.setStream(stream)
        handler.setLevel(level)
    for logger, level in levels:
        logger.setLevel(level)


@pytest.fixture
def all_records(caplog):
    """Every record, as created, from the root logger and the non-propagating ones."""
    caplog.set_level(logging.DEBUG)
    extra = [logging.getLogger(name) for name in ("django.server", "django.request")]
    for logger in extra:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in extra:
        logger.removeHandler(caplog.handler)


def listed_therapist():
    profile = make_listed_profile(
        display_name="Quinn Harbor",
        bio="I treat lymphedema, including after a mastectomy.",
        services=("manual-lymphatic-drainage", "oncology-massage", "lymphedema-therapy"),
    )
    # "lymphedema mastectomy" reads as a service and a phase (directory/search/understand.py).
    profile.phases.set(Phase.objects.filter(slug__in=("active-treatment", "after-surgery")))
    profile.cancer_types.set(CancerType.objects.filter(slug="breast"))
    refresh_search_text(profile)
    changed(profile)
    return profile


def browser_session():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def fetch(opener, url, data=None):
    try:
        with opener.open(url, data=data, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def send_enquiry_through_the_server(server_url, profile, *, email=PATIENT_EMAIL, message=MESSAGE):
    opener, jar = browser_session()
    status, html = fetch(opener, server_url + profile.get_absolute_url())
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = {
        "csrfmiddlewaretoken": token,
        "name": "Very Private Patient",
        "email": email,
        "phone": PATIENT_PHONE,
        "message": message,
        "consent": "on",
        "website": "",
    }
    url = server_url + reverse("therapist_enquiry", kwargs={"slug": profile.slug})
    data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})  # noqa: S310 - the test server
    return fetch(opener, request)


def assert_private(records_text: str, written: str):
    for secret in SECRETS + QUERY_SECRETS:
        assert secret not in records_text, f"{secret!r} is in a log record"
        assert secret not in written, f"{secret!r} is in the written log"


def records_text(caplog) -> str:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(getattr(record, "request", "")))
        if record.exc_text:
            lines.append(record.exc_text)
    return "\n".join(lines)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_enquiry_leaves_no_message_or_email_in_the_logs(server_url, written_logs, all_records):
    profile = listed_therapist()
    status, html = send_enquiry_through_the_server(server_url, profile)
    assert status == 200 and "Thank you" in html
    assert Enquiry.objects.filter(email=PATIENT_EMAIL, message=MESSAGE).exists()

    written = written_logs.getvalue()
    assert '"POST /therapists/' in written, "the access log was not captured"
    assert_private(records_text(all_records), written)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_enquiry_with_mistakes_or_a_failed_notification_leaves_nothing_private_in_the_logs(
    server_url, written_logs, all_records, settings
):
    profile = listed_therapist()
    status, html = send_enquiry_through_the_server(server_url, profile, email="not an email " + PATIENT_EMAIL)
    assert status == 200 and "has not been sent yet" in html

    settings.EMAIL_BACKEND = "tests.test_logging_privacy.FailingEmailBackend"
    status, html = send_enquiry_through_the_server(server_url, profile)
    assert status == 200 and "Thank you" in html
    run_tasks()  # the worker's try fails, and is logged without anything private
    assert any("enquiry email not sent" in record.getMessage() for record in all_records.records)

    assert_private(records_text(all_records), written_logs.getvalue())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_search_with_health_filters_leaves_no_query_string_in_the_logs(server_url, written_logs, all_records):
    listed_therapist()
    opener, _ = browser_session()
    status, html = fetch(opener, server_url + "/therapists/?" + urllib.parse.urlencode(SEARCH))
    assert status == 200 and "Quinn Harbor" in html
    status, _ = fetch(opener, server_url + "/therapists/no-such-therapist/?" + urllib.parse.urlencode(SEARCH))
    assert status == 404
    status, _ = fetch(opener, server_url + "/therapists/?radius=lots&" + urllib.parse.urlencode(SEARCH))
    assert status == 200

    written = written_logs.getvalue()
    assert '"GET /therapists/ HTTP/1.1" 200' in written, written
    assert "Not Found: /therapists/no-such-therapist/" in written
    assert_private(records_text(all_records), written)


class FailingEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
