"""Files and form data for the therapist-side tests: small, valid documents
and images made in code, and the POST data of a complete profile."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# The smallest PDF readers open: one empty page.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def image_bytes(fmt: str = "PNG", size=(40, 30), color=(200, 120, 90), exif: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_upload(name: str = "licence.pdf") -> SimpleUploadedFile:
    return upload(name, PDF_BYTES, "application/pdf")


def vocabulary_ids(model, *slugs) -> list[str]:
    return [str(pk) for pk in model.objects.filter(slug__in=slugs).values_list("pk", flat=True)]


def profile_data(**overrides) -> dict:
    """POST data of a complete profile form."""
    from directory.models import Language, Phase, Service

    data = {
        "display_name": "Marigold Ashby-Fenn",
        "headline": "Gentle oncology massage in Chelsea",
        "bio": "I adapt every session to where you are in treatment.",
        "pronouns": "she/her",
        "gender": "woman",
        "languages": vocabulary_ids(Language, "en"),
        "years_practice": "12",
        "years_oncology": "6",
        "services": vocabulary_ids(Service, "oncology-massage", "reflexology"),
        "phases": vocabulary_ids(Phase, "active-treatment"),
        "visits_practice": "on",
        "fee_min": "80",
        "fee_max": "120",
        "fee_currency": "USD",
        "accepting_new_clients": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def credential_data(kind: str = "licence", **overrides) -> dict:
    data = {
        "kind": kind,
        "issuer": "Demo State Board of Massage Therapy" if kind == "licence" else "Demo School of Oncology Touch",
        "identifier": "DEMO-NY-9001" if kind == "licence" else "",
        "jurisdiction": "New York",
        "issued_on": "2022-03-01",
        "expires_on": "2030-03-01" if kind in ("licence", "insurance") else "",
        "training_hours": "" if kind == "licence" else "40",
        "hands_on": "" if kind == "licence" else "True",
    }
    data.update(overrides)
    return data
