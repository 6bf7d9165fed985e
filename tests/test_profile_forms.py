"""Creating and editing a profile: slugs, errors that keep what was typed,
and photos re-encoded before they are stored."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from directory.models import Profile, Service, VerificationEvent
from tests.factories import make_profile, make_user
from tests.therapist_helpers import HTML_BYTES, image_bytes, profile_data, upload, vocabulary_ids

pytestmark = pytest.mark.django_db

PROFILE = "/dashboard/profile/"


@pytest.fixture
def therapist(client):
    user = make_user()
    client.force_login(user)
    return user


def test_the_profile_form_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_profile_form_shows_vocabularies_as_checkbox_groups_with_legends(client, therapist):
    page = client.get(PROFILE).content.decode()
    assert "<legend>Services you offer</legend>" in page
    assert "<legend>Treatment phases you work with</legend>" in page
    assert page.count('type="checkbox" name="services"') == Service.objects.count()
    assert "no-store" in client.get(PROFILE)["Cache-Control"]


def test_a_new_profile_gets_an_address_made_from_the_name(client, therapist):
    response = client.post(PROFILE, profile_data(display_name="Marigold Ashby-Fenn"))
    assert response.status_code == 302
    profile = Profile.objects.get(user=therapist)
    assert profile.slug == "marigold-ashby-fenn"
    assert set(profile.services.values_list("slug", flat=True)) == {"oncology-massage", "reflexology"}
    assert profile.accepting_confirmed_on is not None
    # The search text is written after the services are saved, so it includes them.
    assert "reflexology" in profile.search_text


def test_a_second_therapist_with_the_same_name_gets_a_different_address(client, therapist):
    make_profile(slug="marigold-ashby-fenn", display_name="Marigold Ashby-Fenn")
    client.post(PROFILE, profile_data(display_name="Marigold Ashby-Fenn"))
    assert Profile.objects.get(user=therapist).slug == "marigold-ashby-fenn-2"


def test_a_name_without_latin_letters_still_gets_an_address(client, therapist):
    client.post(PROFILE, profile_data(display_name="李小龍"))
    assert Profile.objects.get(user=therapist).slug == "therapist"


def test_the_address_does_not_change_when_the_name_does(client, therapist):
    client.post(PROFILE, profile_data(display_name="Marigold Ashby-Fenn"))
    client.post(PROFILE, profile_data(display_name="Marigold Fenn"))
    profile = Profile.objects.get(user=therapist)
    assert profile.display_name == "Marigold Fenn"
    assert profile.slug == "marigold-ashby-fenn"


def test_a_profile_with_errors_keeps_what_was_typed_and_lists_the_errors_at_the_top(client, therapist):
    data = profile_data(display_name="", headline="Calm hands in Queens", fee_min="150", fee_max="90")
    response = client.post(PROFILE, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert page.index("error-summary") < page.index('name="headline"')
    assert 'value="Calm hands in Queens"' in page
    assert 'href="#id_display_name"' in page
    assert 'id="id_fee_max_error"' in page
    assert "The highest fee must be at least the lowest fee." in page
    # The ticked boxes stay ticked.
    reflexology = vocabulary_ids(Service, "reflexology")[0]
    assert f'value="{reflexology}" id="id_services_' in page
    assert not Profile.objects.filter(user=therapist).exists()


def test_years_with_cancer_cannot_exceed_years_in_practice(client, therapist):
    response = client.post(PROFILE, profile_data(years_practice="3", years_oncology="9"))
    assert response.status_code == 400
    assert "cannot be more than your years in massage practice" in response.content.decode()


def test_editing_a_profile_shows_the_saved_values(client, therapist):
    make_profile(therapist, headline="Seated massage in infusion suites")
    assert "Seated massage in infusion suites" in client.get(PROFILE).content.decode()


def test_editing_other_fields_keeps_the_profile_and_its_events(client, therapist):
    profile = make_profile(therapist)
    client.post(PROFILE, profile_data(display_name=profile.display_name, headline="New headline"))
    profile.refresh_from_db()
    assert profile.headline == "New headline"
    assert not VerificationEvent.objects.filter(profile=profile).exists()


# Photos.


def _stored_photo(profile) -> Image.Image:
    return Image.open(io.BytesIO(Path(profile.photo.path).read_bytes()))


def test_a_photo_is_resized_re_encoded_as_jpeg_and_stripped_of_metadata(client, therapist):
    exif = Image.Exif()
    exif[0x010F] = "Demo Camera Maker"  # Make
    exif[0x8825] = {2: (40.0, 44.0, 54.0)}  # GPS latitude
    photo = upload("me.png", image_bytes("JPEG", size=(2000, 1000), exif=exif.tobytes()), "image/png")
    response = client.post(PROFILE, profile_data(photo=photo))
    assert response.status_code == 302
    profile = Profile.objects.get(user=therapist)
    assert profile.photo.name.startswith("photos/")
    assert profile.photo.name.endswith(".jpg")
    assert "me" not in Path(profile.photo.name).stem
    stored = _stored_photo(profile)
    assert stored.format == "JPEG"
    assert stored.size == (800, 400)
    assert not stored.getexif()
    assert b"Demo Camera Maker" not in Path(profile.photo.path).read_bytes()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_photos_are_accepted(client, therapist, fmt):
    photo = upload(f"me.{fmt.lower()}", image_bytes(fmt), f"image/{fmt.lower()}")
    assert client.post(PROFILE, profile_data(photo=photo)).status_code == 302
    assert _stored_photo(Profile.objects.get(user=therapist)).format == "JPEG"


def test_a_file_that_is_not_an_image_is_refused_as_a_photo(client, therapist):
    response = client.post(PROFILE, profile_data(photo=upload("me.jpg", HTML_BYTES, "image/jpeg")))
    assert response.status_code == 400
    assert "This file is not a JPEG, PNG or WebP image." in response.content.decode()
    assert not Profile.objects.filter(user=therapist).exists()


def test_a_gif_is_refused_as_a_photo(client, therapist):
    response = client.post(PROFILE, profile_data(photo=upload("me.gif", image_bytes("GIF"), "image/gif")))
    assert response.status_code == 400


def test_a_photo_over_the_size_limit_is_refused(client, therapist, settings):
    settings.PHOTO_MAX_BYTES = 1000
    photo = upload("big.png", image_bytes("PNG", size=(400, 400), color=(1, 2, 3)) + b"\0" * 1000, "image/png")
    response = client.post(PROFILE, profile_data(photo=photo))
    assert response.status_code == 400
    assert "The largest photo we accept is" in response.content.decode()


def test_photo_uploads_are_rate_limited_per_user(client, therapist, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "upload": "2/h/user"}
    for _ in range(2):
        photo = upload("me.png", image_bytes("PNG"), "image/png")
        assert client.post(PROFILE, profile_data(photo=photo)).status_code == 302
    photo = upload("me.png", image_bytes("PNG"), "image/png")
    response = client.post(PROFILE, profile_data(photo=photo))
    assert response.status_code == 429
    assert "Please wait a little" in response.content.decode()
    # Saving without a file is not an upload.
    assert client.post(PROFILE, profile_data()).status_code == 302


def test_the_profile_page_needs_no_upload_to_be_saved(client, therapist):
    assert client.post(reverse("profile_edit"), profile_data()).status_code == 302


def test_a_profile_needs_at_least_one_language(client, therapist):
    response = client.post(PROFILE, profile_data(languages=[], headline="Kept headline"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose at least one language you work in." in page
    assert 'value="Kept headline"' in page
    assert not Profile.objects.filter(user=therapist).exists()


def test_a_headline_too_long_is_explained_in_plain_words(client, therapist):
    response = client.post(PROFILE, profile_data(headline="h" * 500))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please keep this under 160 characters (you typed 500)." in page
    assert "Ensure this value" not in page


def test_a_website_that_is_not_an_address_is_explained_in_plain_words(client, therapist):
    response = client.post(PROFILE, profile_data(website="not a website"))
    assert "Please enter a web address, such as https://example.com." in response.content.decode()
