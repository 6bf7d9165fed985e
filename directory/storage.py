"""Where uploaded files live: public photos and private evidence documents.

Both are resolved by alias from ``settings.STORAGES``: "default" for profile
photos and "private" for evidence. On one machine they are two local folders
(MEDIA_ROOT, PRIVATE_MEDIA_ROOT); with the S3 settings present they are two
buckets of an S3-compatible service, so that every replica of the app reads
what any other stored (see config/settings.py and the README).
"""

import contextlib
import os
import tempfile

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

STORAGE_FAILED = "We could not save your document; nothing was changed — please try again later."


class AllOrNothingStorage(FileSystemStorage):
    """Files appear whole or not at all.

    Django's own storage writes straight to the final name, so a full or
    read-only disk leaves a partial file behind. This one writes a hidden
    temporary file in the same folder, flushes it to disk, and only then
    links it under its name; on any error the temporary file is removed and
    the error (an ``OSError``) goes to the view, which says so
    (``STORAGE_FAILED``) while the database transaction rolls back.
    """

    def _save(self, name, content):
        directory = os.path.dirname(self.path(name))
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                if hasattr(content, "temporary_file_path") or hasattr(content, "chunks"):
                    for chunk in content.chunks():
                        file.write(chunk)
                else:
                    file.write(content.read())
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, self.file_permissions_mode or 0o644)
            while True:
                try:
                    os.link(temporary, self.path(name))
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
        return str(name).replace("\\", "/")


class PrivateStorage(AllOrNothingStorage):
    """Files under PRIVATE_MEDIA_ROOT, which no URL serves directly.

    The location is read from settings on each use, so tests (and a changed
    setting) point it elsewhere; there is no base URL, so ``url()`` fails
    instead of producing a public address.
    """

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no public address; use the evidence view.")


class PublicS3Storage(S3Storage):
    """Profile photos in a bucket, addressed under MEDIA_URL.

    The photos' addresses stay on the site's own origin (``/media/…``): nginx
    passes that path to the bucket, so the Content-Security-Policy needs no
    other origin and a photo's address does not expire like a signed one.
    """

    def url(self, name, parameters=None, expire=None, http_method=None):
        return f"{settings.MEDIA_URL}{filepath_to_uri(self._normalize_name(clean_name(name)))}"


class PrivateS3Storage(S3Storage):
    """Evidence documents in a private bucket; the evidence view streams them after its check.

    A missing object raises FileNotFoundError, like the local folder, so the
    view answers 404 rather than 500.
    """

    def _open(self, name, mode="rb"):
        try:
            return super()._open(name, mode)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                raise FileNotFoundError(name) from None
            raise


def private_storage():
    """The storage for evidence documents (the "private" alias), as a callable for the model field."""
    return storages["private"]
