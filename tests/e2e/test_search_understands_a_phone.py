"""A patient searching on a 390 × 844 px phone: results first, words read as filters, a misspelt
place answered with "Did you mean…", and a nearest-therapists fallback that stays honest."""

import re

from playwright.sync_api import expect

from directory.models import Location
from tests.e2e.a11y import DESKTOP, PHONE
from tests.factories import changed
from tests.search_helpers import BROOKLYN, listed


def test_a_zip_search_shows_the_first_result_heading_on_the_first_screen(new_page, axe):
    listed(display_name="Casey Lane", services=("manual-lymphatic-drainage",))
    listed(BROOKLYN, display_name="Brooke Hale")
    page = new_page("patient", viewport=PHONE)
    page.goto("/therapists/?near=10001&radius=25")
    first = page.locator("article.result h3").first
    expect(first).to_have_text("Casey Lane")
    box = first.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], f"the first result's heading ends at {box}"
    summary = page.locator(".search-change > summary")
    expect(summary).to_contain_text("Near New York, NY 10001")
    expect(summary).to_contain_text("25 miles")
    expect(page.get_by_label("Town, city or ZIP code")).to_be_hidden()
    axe.check(page, "phone results, form folded")

    summary.click()  # the whole form opens again
    expect(page.get_by_label("Town, city or ZIP code")).to_have_value("10001")
    axe.check(page, "phone results, form open")

    desktop = new_page("desktop", viewport=DESKTOP)
    desktop.goto("/therapists/?near=10001&radius=25")
    expect(desktop.get_by_label("Town, city or ZIP code")).to_be_visible()
    expect(desktop.locator(".search-change > summary")).to_be_hidden()


def test_typed_words_become_removable_filters_and_only_matching_therapists_show(new_page, axe):
    listed(display_name="Ana Ruiz", languages=("es",), services=("lymphedema-therapy",))
    listed(display_name="Beto Cruz", languages=("es",), services=("reflexology",))
    listed(display_name="Cleo Marsh", languages=("en",), services=("lymphedema-therapy",))
    page = new_page("patient", viewport=PHONE)
    page.goto("/therapists/?near=10001")
    page.locator(".search-change > summary").click()
    page.get_by_label("Name or words").fill("spanish lymphoedema")
    page.get_by_role("button", name="Search", exact=True).click()
    chips = page.get_by_role("list", name="What we understood")
    expect(chips).to_contain_text("Showing therapists who speak Spanish")
    expect(chips).to_contain_text("Showing therapists who offer lymphedema therapy")
    expect(page.locator("article.result h3")).to_have_text(["Ana Ruiz"])
    expect(page.locator(".search-change > summary")).to_contain_text("2 filters")
    axe.check(page, "words as filters")

    page.get_by_role("link", name="Remove: therapists who speak Spanish").click()
    expect(page.locator("article.result h3")).to_have_text(["Ana Ruiz", "Cleo Marsh"])
    expect(page.get_by_role("list", name="What we understood")).not_to_contain_text("Spanish")

    page.goto("/therapists/?q=lymphedma")
    expect(page.get_by_role("list", name="What we understood")).to_contain_text("Showing results for “lymphedema”")
    expect(page.locator("article.result h3")).to_have_text(["Cleo Marsh", "Ana Ruiz"])  # most recent first
    axe.check(page, "corrected word")


def test_a_misspelt_place_offers_the_place_it_probably_means(new_page, axe):
    listed(BROOKLYN, display_name="Brooke Hale")
    page = new_page("patient", viewport=PHONE)
    page.goto("/therapists/")
    page.get_by_label("Town, city or ZIP code").fill("Brookyln")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("We could not find “Brookyln”")
    page.get_by_role("link", name=re.compile(r"^Brooklyn, NY")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Therapists near Brooklyn, NY")
    expect(page.locator("article.result h3")).to_have_text(["Brooke Hale"])
    axe.check(page, "after the suggestion")


def test_the_nearest_therapists_fallback_never_shows_a_home_visitor_out_of_area(new_page, axe):
    home_only = listed(
        BROOKLYN, display_name="Hana Home", visits_practice=False, visits_home=True, services=("comfort-touch",)
    )
    Location.objects.filter(profile=home_only).update(travel_radius_miles=8)
    changed(home_only)
    listed(BROOKLYN, display_name="Pria Practice", services=("comfort-touch",))
    page = new_page("patient", viewport=PHONE)
    page.goto("/therapists/?near=19103&radius=25&service=comfort-touch")
    expect(page.locator("#results-heading")).to_contain_text("0 therapists match")
    nearest = page.locator(".no-results article.result")
    expect(nearest.locator("h3")).to_have_text(["Pria Practice"])
    expect(nearest.locator(".result-meta")).to_contain_text(re.compile(r"practice in Brooklyn, \d+ miles"))
    expect(page.get_by_text("Hana Home")).to_have_count(0)
    axe.check(page, "nearest fallback")
