"""The patient's search with the keyboard alone: Tab, Shift+Tab, Enter and
Space (and typing into fields). At every stop the focused element must show
a visible focus indicator and be on screen; the skip link must skip the
header."""

import re

import pytest
from playwright.sync_api import expect

from directory.models import Enquiry
from tests.e2e.a11y import DESKTOP, PHONE
from tests.e2e.helpers import assert_focus_visible, focused, tab_to, therapists_around_new_york

MESSAGE = "I am between chemotherapy cycles and would like a gentle session. Are evenings possible?"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_patient_searches_filters_reads_a_guide_and_writes_with_the_keyboard_alone(new_page, axe, viewport):
    casey, riley, far = therapists_around_new_york()
    page = new_page("patient", viewport=viewport)
    keyboard = page.keyboard

    page.goto("/")
    axe.check(page, "home")

    # The first Tab reaches the skip link, which is then visible; Enter skips the header.
    keyboard.press("Tab")
    state = assert_focus_visible(page)
    assert state["name"] == "Skip to main content"
    keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    keyboard.press("Tab")
    state = assert_focus_visible(page)
    assert state["name"] == "Town, city or ZIP code", "after the skip link, focus should start in the main content"

    keyboard.type("10001")
    tab_to(page, "Search")
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/therapists/\?near=10001"))
    expect(page.locator("#results-heading")).to_contain_text("2 therapists match")
    page.wait_for_load_state("load")  # search.js may open the filters on a wide screen
    axe.check(page, "search results")

    # On a phone the search is folded to one line after searching: open it first.
    if page.locator(".search-change > summary").is_visible():
        tab_to(page, re.compile(r"Change search$"))
        keyboard.press("Enter")
    # Filters: open them if they are folded, tick a service and a phase with Space;
    # Shift+Tab goes back and finds the tick kept.
    tab_to(page, re.compile(r"^More filters"))
    if page.locator("details.search-filters").get_attribute("open") is None:
        keyboard.press("Enter")
    expect(page.locator("details.search-filters")).to_have_attribute("open", "")
    tab_to(page, "Manual lymphatic drainage")
    keyboard.press("Space")
    assert focused(page)["checked"] is True
    tab_to(page, "In active treatment")
    keyboard.press("Space")
    assert focused(page)["checked"] is True
    state = tab_to(page, "Manual lymphatic drainage", backwards=True)
    assert state["checked"] is True
    tab_to(page, "Show therapists")
    keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("1 therapist matches")
    axe.check(page, "filtered search results")
    filtered_url = page.url

    # The guide in the panel beside the results.
    tab_to(page, "Lymphatic drainage and lymphedema")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lymphatic drainage and lymphedema")
    axe.check(page, "guide")
    # Back is the browser's own control (Alt+Left), outside the page.
    page.go_back()
    expect(page).to_have_url(filtered_url)

    # Open the profile and write.
    tab_to(page, "Casey Lane")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Casey Lane")
    axe.check(page, "therapist profile")
    tab_to(page, "Your name")
    keyboard.type("Robin Patient")
    tab_to(page, "Your email address")
    keyboard.type("robin.patient@example.test")
    tab_to(page, "Your message")
    keyboard.type(MESSAGE)
    tab_to(page, re.compile(r"^I agree that the directory passes my message"))
    keyboard.press("Space")
    assert focused(page)["checked"] is True
    tab_to(page, "Send message")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your message is on its way")
    axe.check(page, "message sent")

    enquiry = Enquiry.objects.get(profile=casey)
    assert (enquiry.name, enquiry.email, enquiry.message) == ("Robin Patient", "robin.patient@example.test", MESSAGE)
    axe.assert_clean()
