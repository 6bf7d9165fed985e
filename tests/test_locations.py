"""Practice locations: placed by the offline geocoder, confirmed by the
therapist, corrected by hand when needed."""

import pytest
from django.urls import reverse

from directory.dashboard.forms import LocationForm
from directory.models import Location
from tests.factories import add_location, make_profile, make_user

pytestmark = pytest.mark.django_db

ADD = "/dashboard/locations/add/"


@pytest.fixture
def therapist(client):
    user = make_user()
    make_profile(user)
    client.force_login(user)
    return user


def address(**overrides) -> dict:
    data = {"address_line": "", "city": "", "region": "", "postcode": "", "country": "US", "action": "find"}
    data.update(overrides)
    return data


def confirm(client, url: str, response) -> dict:
    """The data the confirmation page would post back, with "Yes, save this location"."""
    form = response.context["form"]
    data = {name: value for name, value in form.data.items() if value is not None}
    data["action"] = "save"
    return data


def test_a_zip_code_is_placed_and_shown_before_it_is_saved(client, therapist):
    response = client.post(ADD, address(postcode="10001"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Is this right?" in page
    assert "New York, NY 10001, United States" in page
    assert "latitude 40.7484, longitude -73.9967" in page
    assert not Location.objects.exists()

    response = client.post(ADD, confirm(client, ADD, response))
    assert response.status_code == 302
    location = Location.objects.get(profile__user=therapist)
    assert (location.latitude, location.longitude) == (40.7484, -73.9967)
    assert (location.city, location.region, location.postcode) == ("New York", "NY", "10001")


def test_a_town_name_outside_the_us_is_placed(client, therapist):
    response = client.post(ADD, address(city="Leeds", country="gb"))
    assert "Leeds, England, United Kingdom" in response.content.decode()
    client.post(ADD, confirm(client, ADD, response))
    location = Location.objects.get(profile__user=therapist)
    assert location.country == "GB"
    assert round(location.latitude) == 54


def test_an_unknown_place_says_so_and_keeps_what_was_typed(client, therapist):
    response = client.post(ADD, address(address_line="12 Nowhere Lane", city="zzzz", travel_radius_miles="15"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "We could not find" in page
    assert "zzzz" in page
    assert 'value="12 Nowhere Lane"' in page
    assert 'value="15"' in page
    assert 'class="error-summary"' in page
    assert not Location.objects.exists()


def test_an_ambiguous_name_asks_which_place_was_meant(client, therapist):
    response = client.post(ADD, address(city="Portland"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Did you mean…" in page
    assert 'type="radio" name="place"' in page
    choices = response.context["choices"]
    labels = [place.label for _, place in choices]
    assert "Portland, OR, United States" in labels
    assert "Portland, ME, United States" in labels
    assert not Location.objects.exists()

    # The therapist picks Maine, is shown where it is, and confirms.
    maine = labels.index("Portland, ME, United States")
    data = {**response.context["form"].data.dict(), "place": str(maine), "action": "find"}
    response = client.post(ADD, data)
    assert "We placed this location at <strong>Portland, ME, United States</strong>" in response.content.decode()
    client.post(ADD, confirm(client, ADD, response))
    location = Location.objects.get(profile__user=therapist)
    assert location.region == "ME"
    assert 43 < location.latitude < 44


def test_a_pick_made_for_another_address_is_not_applied(client, therapist):
    response = client.post(ADD, address(city="Portland"))
    data = {**response.context["form"].data.dict(), "city": "Springfield", "place": "1", "action": "find"}
    response = client.post(ADD, data)
    assert "We placed this location" not in response.content.decode()


def test_latitude_and_longitude_can_be_entered_by_hand(client, therapist):
    response = client.post(ADD, address(city="Hollow Creek", manual_latitude="44.2601", manual_longitude="-72.5754"))
    page = response.content.decode()
    assert "The latitude and longitude you entered" in page
    client.post(ADD, confirm(client, ADD, response))
    location = Location.objects.get(profile__user=therapist)
    assert (location.city, location.latitude, location.longitude) == ("Hollow Creek", 44.2601, -72.5754)


def test_half_a_coordinate_pair_is_refused(client, therapist):
    response = client.post(ADD, address(city="Leeds", country="GB", manual_latitude="53.8"))
    assert response.status_code == 400
    assert "Enter both latitude and longitude, or neither." in response.content.decode()


def test_a_location_needs_a_town_or_a_postcode(client, therapist):
    response = client.post(ADD, address())
    assert response.status_code == 400
    assert "Enter a town or city, or a ZIP or postcode." in response.content.decode()


def test_saving_after_changing_the_address_places_it_again_instead(client, therapist):
    response = client.post(ADD, address(postcode="10001"))
    data = confirm(client, ADD, response)
    data.update(city="Boston", region="MA", postcode="02116")
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "Boston, MA 02116" in response.content.decode()
    assert not Location.objects.exists()


def test_a_home_visit_radius_and_street_address_choice_are_saved(client, therapist):
    response = client.post(
        ADD, address(address_line="1 Demo Row", postcode="10001", travel_radius_miles="12", show_street_address="on")
    )
    client.post(ADD, confirm(client, ADD, response))
    location = Location.objects.get(profile__user=therapist)
    assert location.travel_radius_miles == 12
    assert location.show_street_address
    assert location.address_line == "1 Demo Row"


def test_a_travel_radius_out_of_range_is_refused(client, therapist):
    response = client.post(ADD, address(postcode="10001", travel_radius_miles="900"))
    assert response.status_code == 400
    assert "between 1 and 200 miles" in response.content.decode()


def test_adding_a_location_without_a_profile_starts_the_profile(client):
    client.force_login(make_user())
    response = client.get(ADD)
    assert response.status_code == 302
    assert response["Location"] == reverse("profile_edit")


def test_editing_a_location_shows_where_it_is_and_keeps_it_when_saved_unchanged(client, therapist):
    location = add_location(therapist.profile, city="New York", postcode="10001")
    url = reverse("location_edit", args=[location.pk])
    response = client.get(url)
    assert "latitude 40.7484" in response.content.decode()
    data = {**{k: v for k, v in response.context["form"].initial.items() if v is not None}}
    data.update(
        address_line="5 Demo Street", city="New York", region="NY", postcode="10001", country="US", action="save"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    location.refresh_from_db()
    assert location.address_line == "5 Demo Street"
    assert (location.latitude, location.longitude) == (40.7484, -73.9967)


def test_a_location_is_removed_with_a_post(client, therapist):
    location = add_location(therapist.profile)
    url = reverse("location_remove", args=[location.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Location.objects.filter(pk=location.pk).exists()


def test_another_therapists_location_is_not_found(client, therapist):
    other = add_location(make_profile())
    assert client.get(reverse("location_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("location_edit", args=[other.pk]), address(postcode="10001")).status_code == 404
    assert client.post(reverse("location_remove", args=[other.pk])).status_code == 404
    assert Location.objects.filter(pk=other.pk).exists()


def test_location_pages_are_private_and_ask_anonymous_visitors_to_sign_in(client, therapist):
    assert "no-store" in client.get(ADD)["Cache-Control"]
    client.logout()
    response = client.get(ADD)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_place_found_settles_the_country(client, therapist):
    response = client.post(ADD, address(city="Leeds, UK", country="US"))
    assert "Leeds, England, United Kingdom" in response.content.decode()
    client.post(ADD, confirm(client, ADD, response))
    assert Location.objects.get(profile__user=therapist).country == "GB"


# The country narrows the search.


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ({"city": "Albany", "country": "US"}, "Albany, US"),
        ({"city": "Albany", "region": "GA", "country": "US"}, "Albany, GA, US"),
        ({"city": "Albany", "country": "AU"}, "Albany, AU"),
        ({"postcode": "10001", "country": "US"}, "10001"),
        # A place the therapist qualified themselves is asked as typed.
        ({"city": "Leeds, UK", "country": "US"}, "Leeds, UK"),
    ],
)
def test_the_geocoder_is_asked_for_the_place_in_the_country_given(typed, query):
    form = LocationForm(address(**typed))
    assert form.is_valid(), form.errors
    assert form.geocode_query() == query


def test_a_shared_name_offers_only_places_in_the_country_given(client, therapist):
    response = client.post(ADD, address(city="Albany", country="US"))
    places = [place for _, place in response.context["choices"]]
    assert "Albany, NY, United States" in [place.label for place in places]
    assert {place.country for place in places} == {"US"}
    # The footer names Australia's emergency number; the page above it offers no place there.
    assert "Australia" not in response.content.decode().split('class="site-footer"')[0]


def test_a_shared_name_in_another_country_is_placed_there(client, therapist):
    response = client.post(ADD, address(city="Albany", country="AU"))
    assert "We placed this location at <strong>Albany, WA, Australia</strong>" in response.content.decode()
    client.post(ADD, confirm(client, ADD, response))
    assert Location.objects.get(profile__user=therapist).country == "AU"


def test_choices_are_narrowed_to_the_country_when_the_name_reads_two_ways(client, therapist):
    # "London, CA" is both London, Ontario and London, California; the country field settles it.
    response = client.post(ADD, address(city="London, CA", country="CA"))
    assert "We placed this location at <strong>London, ON, Canada</strong>" in response.content.decode()


def test_use_this_place_sits_right_under_the_choices_and_places_the_pick(client, therapist):
    response = client.post(ADD, address(city="Portland"))
    page = response.content.decode()
    assert page.index("Did you mean…") < page.index("Use this place") < page.index("<legend>Address</legend>")
    assert 'name="action" value="pick"' in page
    labels = [place.label for _, place in response.context["choices"]]
    oregon = labels.index("Portland, OR, United States")
    data = {**response.context["form"].data.dict(), "place": str(oregon), "action": "pick"}
    response = client.post(ADD, data)
    assert "We placed this location at <strong>Portland, OR, United States</strong>" in response.content.decode()


def test_use_this_place_without_a_choice_asks_for_one(client, therapist):
    response = client.post(ADD, address(city="Portland"))
    data = {**response.context["form"].data.dict(), "action": "pick"}
    response = client.post(ADD, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose one of the places listed, or change the address below." in page
    assert "Did you mean…" in page
    assert not Location.objects.exists()


def test_coordinates_out_of_range_in_the_hidden_fields_are_refused_without_an_error_page(client, therapist):
    location = add_location(therapist.profile)
    response = client.post(
        reverse("location_edit", args=[location.pk]),
        {
            "city": "New York", "region": "NY", "postcode": "10001", "country": "US",
            "action": "save", "placed_for": "new york|ny|10001|us", "latitude": "1000", "longitude": "5",
        },
    )  # fmt: skip
    assert response.status_code in (200, 400)
    location.refresh_from_db()
    assert location.latitude == 40.7484


def test_a_renewal_link_with_an_odd_number_is_ignored(client, therapist):
    response = client.get(reverse("credential_add"), {"renew": "\u00b2"})
    assert response.status_code == 200
