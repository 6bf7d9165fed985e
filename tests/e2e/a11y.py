"""axe-core (bundled by axe-playwright-python) on every page a journey visits,
at phone and desktop widths, for the WCAG 2.2 AA rule set.

axe is injected with Playwright's page.evaluate, which the DevTools protocol
runs outside the page's Content-Security-Policy: the strict CSP stays on.
"""

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    # Off by default in axe-core; WCAG 2.2 AA (2.5.8) needs it.
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}

# (test name, page label, width) -> ["rule-id (impact)", ...], for the run's summary.
a11y_results: dict[tuple[str, str, int], list[str]] = {}

_axe = Axe()


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"      at {target}: {summary}")
            lines.append(f"         {node.get('html', '')[:200]}")
    return "\n".join(lines)


class AxeAudit:
    def __init__(self, *, test_name: str, browser_errors=None, record: bool = True):
        self.test_name = test_name
        self.record = record
        self.browser_errors = browser_errors
        self.failures: list[str] = []
        self.pages_checked: list[str] = []

    def check(self, page, label: str | None = None) -> None:
        """Run axe on the page as it is now, at both widths; record violations."""
        label = label or page.url
        original = page.viewport_size
        try:
            for width_name, viewport in WIDTHS.items():
                page.set_viewport_size(viewport)
                # Let the layout settle at the new width before measuring targets.
                page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => resolve()))")
                results = _axe.run(page, options=AXE_OPTIONS)
                violations = results.response["violations"]
                if self.record:
                    a11y_results[(self.test_name, label, viewport["width"])] = [
                        f"{violation['id']} ({violation['impact']})" for violation in violations
                    ]
                self.pages_checked.append(f"{label} @ {width_name}")
                if violations:
                    report = f"axe: {len(violations)} violation(s) on {label} ({page.url}) at {width_name} width:\n"
                    report += describe(violations)
                    print(report)
                    self.failures.append(report)
        finally:
            if original:
                page.set_viewport_size(original)
        if self.browser_errors is not None:
            self.browser_errors.assert_none()

    def assert_clean(self) -> None:
        assert not self.failures, "\n\n".join(self.failures)
        if self.browser_errors is not None:
            self.browser_errors.assert_none()
