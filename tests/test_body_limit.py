"""A request body larger than any form needs is refused before anything reads it."""

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test.client import encode_multipart

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

BOUNDARY = "BoUnDaRyStRiNg"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


@pytest.fixture
def temporary_files(monkeypatch):
    """Every temporary upload file Django starts to write, by field name."""
    started = []
    original = TemporaryFileUploadHandler.new_file

    def recording(self, field_name, *args, **kwargs):
        started.append(field_name)
        return original(self, field_name, *args, **kwargs)

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", recording)
    return started


def big_multipart(megabytes: int) -> bytes:
    return encode_multipart(BOUNDARY, {"login": "a@example.test", "file": _NamedBytes(b"\0" * (megabytes << 20))})


class _NamedBytes:
    """A file-like value for encode_multipart."""

    name = "huge.bin"

    def __init__(self, content: bytes):
        self._content = content

    def read(self):
        return self._content


def test_a_fifty_megabyte_body_gets_413_and_writes_no_temporary_file(client, temporary_files):
    body = big_multipart(50)
    response = client.generic("POST", "/accounts/login/", body, content_type=MULTIPART)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert "The largest file we accept is 10.0\xa0MB" in response.content.decode()
    assert temporary_files == []


def test_a_signed_in_upload_over_the_limit_is_refused_the_same_way(client, temporary_files):
    client.force_login(make_user())
    body = big_multipart(13)
    response = client.generic("POST", "/dashboard/profile/", body, content_type=MULTIPART)
    assert response.status_code == 413
    assert temporary_files == []


def test_a_chunked_body_without_a_length_is_refused(client):
    response = client.generic(
        "POST", "/accounts/login/", b"", content_type=MULTIPART, HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH=""
    )
    assert response.status_code == 411


def test_an_upload_at_the_largest_allowed_size_still_reaches_the_form(client, temporary_files):
    client.force_login(make_user())
    body = big_multipart(10)
    response = client.generic("POST", "/dashboard/profile/", body, content_type=MULTIPART)
    # The body is read and the profile form answers, with its own errors (the test client skips CSRF).
    assert response.status_code == 400
    assert temporary_files == ["file"]


def test_ordinary_sign_in_is_untouched(client):
    make_user("someone@example.test")
    response = client.post("/accounts/login/", {"login": "someone@example.test", "password": PASSWORD})
    assert response.status_code == 302
