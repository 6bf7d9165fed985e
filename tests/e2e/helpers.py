"""Steps the journeys share: signing in as a person would, reading mail,
making a small real PDF."""

import re
from pathlib import Path
from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, changed
from tests.review_helpers import totp_code


def tiny_pdf(path: Path, text: str = "Licence certificate") -> Path:
    """A small, valid one-page PDF (with a correct cross-reference table)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def link_in_mail(to: str, pattern: str = r"https?://\S+") -> str:
    """The path of the first matching link in the last email to ``to``.

    The message says https (production links); the live server speaks http
    on another port, so the journeys follow the path. The worker's due tasks run first."""
    from tests.mail_helpers import run_tasks

    run_tasks()
    messages = [message for message in mail.outbox if to in message.to]
    assert messages, f"no email to {to}; outbox: {[(m.to, m.subject) for m in mail.outbox]}"
    match = re.search(pattern, messages[-1].body)
    assert match, messages[-1].body
    parts = urlsplit(match.group(0))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def code_in_mail(to: str) -> str:
    """The confirmation code in the last email to ``to`` (a line like ABCD-EFGH). The worker's due tasks run first."""
    from tests.mail_helpers import run_tasks

    run_tasks()
    messages = [message for message in mail.outbox if to in message.to]
    assert messages, f"no email to {to}; outbox: {[(m.to, m.subject) for m in mail.outbox]}"
    match = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", messages[-1].body, re.MULTILINE)
    assert match, messages[-1].body
    return match.group(1)


def sign_in(page: Page, email: str, *, secret: str | None = None, password: str = PASSWORD, axe=None) -> None:
    """Through the real sign-in page and, with an authenticator, the code page."""
    page.goto("/accounts/login/")
    if axe:
        axe.check(page, "sign in")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(password)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    if secret:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        if axe:
            axe.check(page, "second factor")
        page.get_by_label(re.compile("code", re.I)).fill(totp_code(secret))
        page.get_by_role("button", name=re.compile(r"sign in", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa/authenticate)/"))


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Therapist sign in")).to_be_visible()


def therapists_around_new_york():
    """Three listed therapists: two in Manhattan with different services and
    phases, and one in Los Angeles. Returns (the lymphatic-drainage therapist,
    the reflexologist, the one far away)."""
    from directory.models import Phase
    from directory.search.words import refresh_search_text
    from tests.factories import make_listed_profile, make_user

    casey = make_listed_profile(
        make_user("casey.lane@example.test"),
        display_name="Casey Lane",
        headline="Lymphatic drainage and oncology massage in Chelsea",
        services=("manual-lymphatic-drainage", "oncology-massage"),
        accepting_new_clients=True,
    )
    riley = make_listed_profile(
        display_name="Riley Stone",
        headline="Reflexology for people after treatment",
        services=("reflexology",),
        location={"postcode": "10018", "latitude": 40.7549, "longitude": -73.9925},
    )
    far = make_listed_profile(
        display_name="Sam Coast",
        headline="Oncology massage in Los Angeles",
        services=("manual-lymphatic-drainage",),
        location={
            "city": "Los Angeles",
            "region": "CA",
            "postcode": "90012",
            "latitude": 34.0614,
            "longitude": -118.2385,
        },
    )
    casey.phases.set(Phase.objects.filter(slug="active-treatment"))
    riley.phases.set(Phase.objects.filter(slug="survivorship"))
    far.phases.set(Phase.objects.filter(slug="active-treatment"))
    for profile in (casey, riley, far):
        refresh_search_text(profile)
    changed(casey, riley, far)
    return casey, riley, far


# Keyboard journeys: where focus is, and whether a sighted keyboard user can see it.
_FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const labels = el.labels ? [...el.labels].map(label => label.innerText.trim()).join(" ") : "";
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: (el.getAttribute("aria-label") || labels || el.innerText || el.value || "").trim().replace(/\\s+/g, " "),
    checked: !!el.checked,
    focusVisible: el.matches(":focus-visible"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    onScreen: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0
      && rect.top < window.innerHeight && rect.left < window.innerWidth,
  };
}"""


def focused(page: Page) -> dict | None:
    return page.evaluate(_FOCUS_STATE)


def assert_focus_visible(page: Page) -> dict:
    state = focused(page)
    assert state is not None, f"focus was lost (on the page body) at {page.url}"
    where = f"{state['tag']}#{state['id']} “{state['name'][:60]}” on {page.url}"
    assert state["focusVisible"] and state["outline"], f"no visible focus indicator on {where}"
    assert state["onScreen"], f"the focused element is off screen: {where}"
    return state


def tab_to(page: Page, name: str | re.Pattern, *, backwards: bool = False, limit: int = 120) -> dict:
    """Press Tab (or Shift+Tab) until the focused element's name matches;
    check at every stop that focus is visible."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        state = assert_focus_visible(page)
        matches = name.search(state["name"]) if isinstance(name, re.Pattern) else state["name"] == name
        if matches:
            return state
        seen.append(state["name"][:40])
    raise AssertionError(f"{name!r} never received focus with {key}; focus went through: {seen}")
