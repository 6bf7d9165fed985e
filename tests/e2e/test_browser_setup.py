"""The browser set-up itself: the real CSP is on, the stylesheet loads, and
the accessibility check can fail."""

from tests.e2e.a11y import AxeAudit


def test_pages_arrive_with_the_real_content_security_policy_and_their_stylesheet(page):
    response = page.goto("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    # The stylesheet was served and applied: its rules are visible to the page.
    rule_count = page.evaluate(
        "() => [...document.styleSheets].filter(s => s.href && s.href.includes('/static/css/site.css'))"
        ".reduce((n, s) => n + s.cssRules.length, 0)"
    )
    assert rule_count > 20
    assert page.evaluate("() => getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"


def test_the_content_security_policy_refuses_an_inline_script(page, browser_errors):
    page.goto("/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.inlineRan = true';"
        " document.head.appendChild(s); }"
    )
    assert page.evaluate("() => window.inlineRan === true") is False
    assert any("Content Security Policy" in message for message in browser_errors.messages)
    browser_errors.messages.clear()


def test_the_accessibility_check_reports_a_broken_page(page):
    page.goto("/")
    page.evaluate(
        "() => { const input = document.createElement('input'); input.type = 'text';"
        " document.querySelector('main').appendChild(input); }"
    )
    audit = AxeAudit(test_name="broken page", record=False)
    audit.check(page, "home with an unlabelled input")
    assert len(audit.failures) == 2  # phone and desktop
    assert "label" in audit.failures[0]
