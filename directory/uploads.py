"""Checks for files people upload.

A file is judged by its first bytes, never by its name or the type the
browser declared. Evidence documents are stored as they came (they are
private and only ever downloaded as attachments); profile photos are public,
so they are decoded and re-encoded, which drops any metadata and anything
hidden after the image data.
"""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

# First bytes of each evidence type we accept, and the type we store and serve it as.
EVIDENCE_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EVIDENCE_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_MAX_SIDE = 800
# Refuse images that would take a lot of memory to decode, whatever their file
# size, from the size their header declares: a few kilobytes of PNG can
# declare 40 million pixels. Phone cameras stay well inside both limits
# (a 12 MP photo is 4,032 × 3,024).
PHOTO_MAX_DIMENSION = 8_192
PHOTO_MAX_PIXELS = 25_000_000


def sniff_evidence_type(uploaded) -> str | None:
    """The content type the file's first bytes show, or None if it is none we accept."""
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    for signature, content_type in EVIDENCE_SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def check_evidence(uploaded) -> str:
    """Validate an evidence document; return the content type to store with it."""
    limit = settings.EVIDENCE_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            f"This file is {filesizeformat(uploaded.size)}. The largest file we accept is {filesizeformat(limit)}. "
            "Try a scan at a lower resolution, or a photo of the document.",
            code="too_large",
        )
    if uploaded.size == 0:
        raise ValidationError("This file is empty. Choose the document again.", code="empty")
    content_type = sniff_evidence_type(uploaded)
    if content_type is None:
        raise ValidationError(
            "This file is not a PDF, JPEG or PNG document, whatever its name says. "
            "Save or scan the document as a PDF, JPEG or PNG and upload that.",
            code="wrong_type",
        )
    return content_type


def check_photo_dimensions(width: int, height: int) -> None:
    """Refuse a photo by the size in its header, before anything is decoded."""
    if max(width, height) > PHOTO_MAX_DIMENSION or width * height > PHOTO_MAX_PIXELS:
        raise ValidationError(
            f"This photo is {width:,} × {height:,} pixels, which is too large to process. "
            f"The largest we accept is {PHOTO_MAX_DIMENSION:,} pixels on a side and "
            f"{PHOTO_MAX_PIXELS // 1_000_000} million pixels in all. "
            "Choose a smaller photo, or save a smaller copy of this one.",
            code="too_many_pixels",
        )


def reencode_photo(uploaded) -> ContentFile:
    """Check a profile photo and return a clean JPEG copy, at most 800 pixels on its longest side."""
    limit = settings.PHOTO_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            f"This photo is {filesizeformat(uploaded.size)}. The largest photo we accept is {filesizeformat(limit)}.",
            code="too_large",
        )
    not_a_photo = ValidationError(
        "This file is not a JPEG, PNG or WebP image. Choose a photo in one of those formats.", code="wrong_type"
    )
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(uploaded) as probe:
                if probe.format not in PHOTO_FORMATS:
                    raise not_a_photo
                check_photo_dimensions(probe.width, probe.height)
                probe.verify()
            uploaded.seek(0)
            with Image.open(uploaded) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                if image.mode in ("RGBA", "LA", "P"):
                    image = image.convert("RGBA")
                    background = Image.new("RGB", image.size, (255, 255, 255))
                    background.paste(image, mask=image.split()[-1])
                    image = background
                else:
                    image = image.convert("RGB")
                image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
                buffer = io.BytesIO()
                # A new image carries no EXIF, ICC or text chunks unless asked to.
                image.save(buffer, format="JPEG", quality=85, optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        raise not_a_photo from None
    finally:
        uploaded.seek(0)
    return ContentFile(buffer.getvalue(), name="photo.jpg")
