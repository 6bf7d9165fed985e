"""Photos and evidence in S3-compatible buckets (the settings' AWS_* variables),
tested against moto's S3 server on loopback: photos public under /media/,
evidence in a private bucket, streamed only after the evidence view's check."""

import socket

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from moto.server import ThreadedMotoServer

from directory.models import Credential, Profile, VerificationEvent
from tests.factories import add_credential, make_profile, make_user
from tests.review_helpers import signed_in_reviewer
from tests.therapist_helpers import PDF_BYTES, credential_data, image_bytes, pdf_upload, profile_data, upload

pytestmark = pytest.mark.django_db

PHOTOS, EVIDENCE = "directory-photos", "directory-evidence"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    yield endpoint
    server.stop()


@pytest.fixture
def s3(s3_endpoint):
    """A boto3 client on fresh, empty buckets."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's placeholder
        region_name="us-east-1",
    )
    for bucket in (PHOTOS, EVIDENCE):
        client.create_bucket(Bucket=bucket)
    yield client
    for bucket in (PHOTOS, EVIDENCE):
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)


@pytest.fixture
def s3_storages(settings, s3, s3_endpoint, monkeypatch):
    """The STORAGES the settings make from the AWS_* variables, pointed at the test server."""
    settings.AWS_S3_SIGNATURE_VERSION = "s3v4"
    common = {"endpoint_url": s3_endpoint, "addressing_style": "path", "file_overwrite": False, **CREDENTIALS}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "directory.storage.PublicS3Storage",
            "OPTIONS": {**common, "bucket_name": PHOTOS, "querystring_auth": False},
        },
        "private": {
            "BACKEND": "directory.storage.PrivateS3Storage",
            "OPTIONS": {
                **common,
                "bucket_name": EVIDENCE,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
            },
        },
    }
    # The evidence field resolved its storage when the models loaded; give it the new one.
    monkeypatch.setattr(Credential._meta.get_field("evidence"), "storage", storages["private"])
    return s3


def keys(s3, bucket: str) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_a_photo_goes_to_the_public_bucket_and_is_addressed_under_media(client, s3_storages):
    user = make_user()
    make_profile(user)
    client.force_login(user)
    response = client.post("/dashboard/profile/", profile_data(photo=upload("me.png", image_bytes("PNG"), "image/png")))
    assert response.status_code == 302, response.content.decode()[:500]
    photo = Profile.objects.get(user=user).photo
    assert keys(s3_storages, PHOTOS) == [photo.name]
    assert keys(s3_storages, EVIDENCE) == []
    stored = s3_storages.get_object(Bucket=PHOTOS, Key=photo.name)
    assert stored["ContentType"] == "image/jpeg"
    assert stored["Body"].read()[:3] == b"\xff\xd8\xff"
    # The site's own origin, no signature that would expire: nginx passes /media/ to the bucket.
    assert photo.url == f"/media/{photo.name}"


def test_a_photo_deleted_through_the_storage_leaves_the_bucket(s3_storages):
    name = default_storage.save("photos/old.jpg", ContentFile(image_bytes("JPEG")))
    assert default_storage.exists(name)
    default_storage.delete(name)
    assert not default_storage.exists(name)
    assert keys(s3_storages, PHOTOS) == []


def test_evidence_goes_to_the_private_bucket_and_a_reviewer_gets_it_through_the_view(client, s3_storages):
    owner = make_user()
    make_profile(owner)
    client.force_login(owner)
    response = client.post("/dashboard/credentials/add/", {**credential_data(), "evidence": pdf_upload()})
    assert response.status_code == 302, response.content.decode()[:500]
    credential = Credential.objects.get(profile__user=owner)
    assert keys(s3_storages, EVIDENCE) == [credential.evidence.name]
    assert keys(s3_storages, PHOTOS) == []
    grants = s3_storages.get_object_acl(Bucket=EVIDENCE, Key=credential.evidence.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)

    client.logout()
    reviewer = signed_in_reviewer(client)
    response = client.get(f"/dashboard/credentials/{credential.pk}/evidence/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment;")
    event = VerificationEvent.objects.get(action="evidence_opened")
    assert (event.credential, event.actor) == (credential, reviewer)


def test_an_outsider_gets_404_and_nothing_is_read_or_recorded(client, s3_storages):
    credential = add_credential(make_profile(make_user()), "licence")
    credential.evidence.save("licence.pdf", ContentFile(PDF_BYTES))
    client.force_login(make_user())
    assert client.get(f"/dashboard/credentials/{credential.pk}/evidence/").status_code == 404
    assert not VerificationEvent.objects.exists()


def test_evidence_missing_from_the_bucket_is_a_404_not_an_error(client, s3_storages):
    owner = make_user()
    credential = add_credential(make_profile(owner), "licence")
    credential.evidence.save("licence.pdf", ContentFile(PDF_BYTES))
    s3_storages.delete_object(Bucket=EVIDENCE, Key=credential.evidence.name)
    client.force_login(owner)
    assert client.get(f"/dashboard/credentials/{credential.pk}/evidence/").status_code == 404


def test_a_signed_address_for_evidence_lasts_sixty_seconds_at_most(s3_storages):
    name = storages["private"].save("evidence/doc.pdf", ContentFile(PDF_BYTES))
    address = storages["private"].url(name)
    assert "X-Amz-Expires=60" in address
    assert "X-Amz-Signature=" in address
