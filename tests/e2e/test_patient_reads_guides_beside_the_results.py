"""A patient on a 390 px phone searches by ZIP code alone and finds the benefit guides beside the
results without opening the filters: a short strip after the first results, the full panel after
the list, each guide with a line saying why it is there."""

from playwright.sync_api import expect

from tests.e2e.a11y import PHONE
from tests.e2e.helpers import therapists_around_new_york

BENEFIT_GUIDES = (
    "How massage may help your body",
    "Massage and emotional support",
    "Lymphatic drainage and lymphedema",
    "Massage and quality of life",
    "Reflexology and cancer",
)


def visible_benefit_links(region) -> list[str]:
    return [title for title in BENEFIT_GUIDES if region.get_by_role("link", name=title, exact=True).is_visible()]


def test_a_zip_search_on_a_phone_shows_the_benefit_guides_without_opening_filters(new_page, axe):
    therapists_around_new_york()
    page = new_page("patient", viewport=PHONE)
    page.goto("/")
    page.get_by_label("Town, city or ZIP code").fill("10001")
    page.get_by_role("button", name="Search").first.click()
    expect(page.locator("#results-heading")).to_contain_text("2 therapists match within 25 miles")
    assert "service=" not in page.url and "phase=" not in page.url
    expect(page.locator("details.search-filters")).not_to_have_attribute("open", "")

    # The short strip right after the first results.
    strip = page.get_by_role("navigation", name="Read before you book")
    expect(strip).to_be_visible()
    last_card = page.locator("article.result").last.bounding_box()
    assert strip.bounding_box()["y"] > last_card["y"], "the strip follows the first results"
    expect(strip.get_by_role("link", name="Is massage safe for me?")).to_be_visible()
    assert len(visible_benefit_links(strip)) >= 3

    # The full panel after the list, each guide with its reason.
    panel = page.get_by_role("complementary", name="Guides to read before you book")
    panel.scroll_into_view_if_needed()
    expect(panel).to_be_visible()
    assert panel.bounding_box()["y"] > strip.bounding_box()["y"]
    assert len(visible_benefit_links(panel)) >= 3
    expect(panel).to_contain_text("For swelling after surgery or radiation")
    axe.check(page, "ZIP search with guides")

    # A guide opens from the strip, with its review date.
    strip.get_by_role("link", name="Massage and quality of life").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Massage and quality of life")
    expect(page.locator(".reviewed time")).to_have_attribute("datetime", "2026-12-05")
    axe.check(page, "guide from a ZIP search")


def test_a_lymphedema_search_puts_the_lymphatic_guide_first_with_its_reason(new_page, axe):
    therapists_around_new_york()
    page = new_page("patient", viewport=PHONE)
    page.goto("/therapists/?near=10001&service=manual-lymphatic-drainage")
    panel = page.get_by_role("complementary", name="Guides to read before you book")
    first = panel.get_by_role("listitem").first
    expect(first.get_by_role("link")).to_have_text("Lymphatic drainage and lymphedema")
    expect(first).to_contain_text("Because your search includes manual lymphatic drainage.")
    axe.check(page, "lymphatic search with guides")
