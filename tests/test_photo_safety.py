"""Profile photos: an image that declares too many pixels is refused from its
header, and a photo that is replaced or cleared leaves storage."""

import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from directory.models import Profile
from directory.uploads import reencode_photo
from tests.factories import make_user
from tests.therapist_helpers import image_bytes, profile_data, upload

pytestmark = pytest.mark.django_db

PROFILE = "/dashboard/profile/"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def palette_png_bomb(side: int = 6300) -> bytes:
    """A few kilobytes of PNG declaring side × side pixels of palette colour 0."""
    header = struct.pack(">IIBBBBB", side, side, 8, 3, 0, 0, 0)  # 8-bit palette, no interlace
    compressor = zlib.compressobj(9)
    row = b"\0" * (side + 1)  # filter byte + one byte a pixel
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"PLTE", b"\xff\xff\xff")
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


@pytest.fixture
def therapist(client):
    user = make_user()
    client.force_login(user)
    return user


def test_a_decompression_bomb_is_refused_quickly_from_its_header(client, therapist):
    bomb = palette_png_bomb()
    assert len(bomb) < 100_000
    started = time.perf_counter()
    response = client.post(PROFILE, profile_data(photo=upload("bomb.png", bomb, "image/png")))
    elapsed = time.perf_counter() - started

    assert response.status_code == 400
    assert "This photo is 6,300 × 6,300 pixels, which is too large to process." in response.content.decode()
    assert elapsed < 0.5
    assert not Profile.objects.filter(user=therapist).exists()


def test_a_decompression_bomb_is_refused_without_allocating_the_image():
    bomb = upload("bomb.png", palette_png_bomb(), "image/png")
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError, match="too large to process"):
            reencode_photo(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Decoding it would take 40 MB (one byte a pixel), and four times that once converted.
    assert peak < 4_000_000


@pytest.mark.parametrize("size", [(8193, 10), (10, 8193), (5001, 5001)])
def test_a_photo_over_either_size_limit_is_refused(client, therapist, size):
    photo = upload("wide.png", image_bytes("PNG", size=size), "image/png")
    response = client.post(PROFILE, profile_data(photo=photo))
    assert response.status_code == 400
    assert "8,192 pixels on a side and 25 million pixels in all" in response.content.decode()


def test_a_phone_sized_photo_still_passes(client, therapist):
    photo = upload("phone.jpg", image_bytes("JPEG", size=(4032, 3024)), "image/jpeg")
    assert client.post(PROFILE, profile_data(photo=photo)).status_code == 302
    assert Profile.objects.get(user=therapist).photo


def test_a_replaced_photo_is_deleted_from_storage(client, therapist, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE, profile_data(photo=upload("one.png", image_bytes("PNG"), "image/png")))
    first = Path(Profile.objects.get(user=therapist).photo.path)
    assert first.exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(PROFILE, profile_data(photo=upload("two.png", image_bytes("PNG"), "image/png")))
    second = Path(Profile.objects.get(user=therapist).photo.path)
    assert callbacks, "the old file is removed only once the new one is committed"
    assert second.exists()
    assert not first.exists()


def test_a_cleared_photo_is_deleted_from_storage(client, therapist, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE, profile_data(photo=upload("one.png", image_bytes("PNG"), "image/png")))
    profile = Profile.objects.get(user=therapist)
    stored = Path(profile.photo.path)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PROFILE, profile_data(**{"photo-clear": "on"}))
    assert response.status_code == 302
    assert not Profile.objects.get(user=therapist).photo
    assert not stored.exists()


def test_a_photo_is_kept_when_the_profile_is_saved_without_a_new_one(
    client, therapist, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE, profile_data(photo=upload("one.png", image_bytes("PNG"), "image/png")))
    stored = Path(Profile.objects.get(user=therapist).photo.path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PROFILE, profile_data(headline="Only the headline changes"))
    assert stored.exists()
