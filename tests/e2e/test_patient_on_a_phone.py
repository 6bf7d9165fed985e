"""A patient on a 390 px phone: compact result cards, tick boxes that keep their size, the way back to
the same search from a profile and from the thank-you page, and a failed message whose error summary
takes the focus."""

import re

from playwright.sync_api import expect

from directory.models import Language
from tests.e2e.a11y import PHONE
from tests.e2e.helpers import therapists_around_new_york
from tests.factories import changed

# A card must not fill more than about half a phone screen.
MAX_CARD_HEIGHT = 470
MIN_TICK_BOX = 24


def test_result_cards_are_compact_and_tick_boxes_keep_their_size_on_a_phone(new_page, axe):
    casey, riley, _far = therapists_around_new_york()
    for profile in (casey, riley):  # a fuller card: fees, languages, pronouns
        profile.fee_min, profile.fee_max, profile.sliding_scale, profile.pronouns = 90, 140, True, "she/her"
        profile.save()
        profile.languages.set(Language.objects.filter(code__in=("en", "es")))
        changed(profile)
    page = new_page("patient", viewport=PHONE)
    page.goto("/therapists/?near=10001&radius=25")
    cards = page.locator("article.result")
    expect(cards).to_have_count(2)
    heights = [card.bounding_box()["height"] for card in cards.all()]
    assert max(heights) <= MAX_CARD_HEIGHT, heights
    pill = cards.first.get_by_text("Accepting new clients", exact=True)
    assert pill.bounding_box()["height"] < 30, "the pill wraps onto two lines"
    expect(page.get_by_role("navigation", name="Read before you book")).to_be_visible()
    axe.check(page, "phone results")

    page.locator(".search-change > summary").click()  # on a phone the search is folded after searching
    page.get_by_text("More filters").click()
    boxes = page.locator(".search-filters input[type=checkbox]")
    for box in boxes.all():
        size = box.bounding_box()
        assert size["width"] >= MIN_TICK_BOX and size["height"] >= MIN_TICK_BOX, (box.get_attribute("id"), size)

    casey_link = cards.get_by_role("link", name="Casey Lane")
    casey_link.click()
    consent = page.get_by_label("I agree that the directory passes my message to this therapist.")
    size = consent.bounding_box()
    assert size["width"] >= MIN_TICK_BOX and size["height"] >= MIN_TICK_BOX, size


def test_the_way_back_from_a_profile_and_a_sent_message_returns_to_the_same_search(new_page, axe):
    therapists_around_new_york()
    page = new_page("patient", viewport=PHONE)
    page.goto("/therapists/?near=10001&radius=50&service=manual-lymphatic-drainage")
    search_url = page.url
    page.locator("article.result").get_by_role("link", name="Casey Lane").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Casey Lane")
    back = page.get_by_role("link", name="Back to your search")
    expect(back).to_have_attribute("href", "/therapists/?near=10001&radius=50&service=manual-lymphatic-drainage")

    # A first try without consent fails: the error summary takes the focus and is announced.
    page.get_by_label("Your name").fill("Pat Patient")
    page.get_by_label("Your email address").fill("pat.patient@example.test")
    page.get_by_label("Your message").fill("Are Tuesday mornings possible?")
    page.get_by_role("button", name="Send message").click()
    summary = page.get_by_role("alert").filter(has_text="Your message has not been sent yet")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    axe.check(page, "message not sent")

    page.get_by_label("I agree that the directory passes my message to this therapist.").check()
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your message is on its way")
    assert "Pat" not in page.url and "pat.patient" not in page.url and "Tuesday" not in page.url
    axe.check(page, "message sent")
    page.get_by_role("link", name="Back to your search").click()
    expect(page).to_have_url(search_url)
    expect(page.locator("#results-heading")).to_contain_text("1 therapist matches within 50 miles")


def test_a_guide_read_from_the_results_keeps_the_place_for_its_search_link(new_page, axe):
    therapists_around_new_york()
    page = new_page("patient", viewport=PHONE)
    page.goto("/therapists/?near=10001&radius=50&service=manual-lymphatic-drainage")
    page.get_by_role("navigation", name="Read before you book").get_by_role(
        "link", name="Lymphatic drainage and lymphedema"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lymphatic drainage and lymphedema")
    axe.check(page, "guide from the search")
    page.locator(".guide-cta a").click()
    expect(page).to_have_url(re.compile(r"/therapists/\?near=10001&radius=50&service=manual-lymphatic-drainage"))
    expect(page.locator("#results-heading")).to_contain_text("within 50 miles")
    axe.assert_clean()
