"""A full or read-only disk during an upload: the form back, 503, nothing saved, no partial file;
and the command that finds files no row refers to."""

import errno
import os
import time
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command

from directory.models import Credential
from directory.storage import STORAGE_FAILED, private_storage
from tests.factories import add_credential, make_profile, make_user
from tests.therapist_helpers import credential_data, pdf_upload

pytestmark = pytest.mark.django_db

ADD = "/dashboard/credentials/add/"


@pytest.fixture
def therapist(client):
    user = make_user()
    make_profile(user)
    client.force_login(user)
    return user


def files_under(root) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_gives_the_form_back_with_503_and_keeps_nothing(client, therapist):
    data = {**credential_data("licence", issuer="Typed Board Name"), "evidence": pdf_upload()}
    with mock.patch("directory.storage.os.fsync", side_effect=disk_full):
        response = client.post(ADD, data)
    assert response.status_code == 503
    html = response.content.decode()
    assert STORAGE_FAILED.replace("'", "&#x27;") in html or STORAGE_FAILED in html
    assert "Typed Board Name" in html  # the other fields are kept
    assert not Credential.objects.exists()
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == []  # not even the temporary file


def test_a_read_only_disk_while_replacing_a_document_changes_nothing(client, therapist):
    credential = add_credential(therapist.profile, Credential.Kind.LICENCE, issuer="Old Board")
    url = f"/dashboard/credentials/{credential.pk}/"
    data = {**credential_data("licence", issuer="New Board"), "evidence": pdf_upload()}
    with mock.patch("directory.storage.tempfile.mkstemp", side_effect=OSError(errno.EROFS, "Read-only")):
        response = client.post(url, data)
    assert response.status_code == 503
    credential.refresh_from_db()
    assert credential.issuer == "Old Board"


def test_an_upload_that_works_leaves_only_the_named_file(client, therapist):
    response = client.post(ADD, {**credential_data("licence"), "evidence": pdf_upload()})
    assert response.status_code == 302
    stored = files_under(settings.PRIVATE_MEDIA_ROOT)
    assert [path.relative_to(settings.PRIVATE_MEDIA_ROOT).as_posix() for path in stored] == [
        Credential.objects.get().evidence.name
    ]


def test_cleanup_lists_and_deletes_only_files_no_row_refers_to(therapist):
    credential = add_credential(therapist.profile, Credential.Kind.LICENCE)
    credential.evidence.save("kept.pdf", ContentFile(b"%PDF-1.4 kept"), save=True)
    orphan = Path(private_storage().path(private_storage().save("evidence/orphan.pdf", ContentFile(b"lost"))))
    recent = Path(private_storage().path(private_storage().save("evidence/recent.pdf", ContentFile(b"new"))))
    an_hour_ago = time.time() - 3700
    for path in (orphan, Path(credential.evidence.path)):
        os.utime(path, (an_hour_ago, an_hour_ago))

    out = StringIO()
    call_command("cleanup_orphan_files", stdout=out)
    assert f"Orphan: {orphan}" in out.getvalue() and "Found 1 file(s)" in out.getvalue()
    assert orphan.exists()

    call_command("cleanup_orphan_files", "--delete", stdout=StringIO())
    assert not orphan.exists()
    assert Path(credential.evidence.path).exists()
    assert recent.exists()  # may belong to an upload not yet committed
