"""Browser journeys: Playwright drives Debian's Chromium against the live test server."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_axe = Axe()


def _report(results) -> str:
    lines = []
    for violation in results.response["violations"]:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


class Accessibility:
    """Runs axe-core on each page a journey visits and remembers what it checked."""

    def __init__(self) -> None:
        self.checked: list[str] = []

    def check(self, page: Page) -> None:
        page.wait_for_load_state("load")
        results = _axe.run(page)
        self.checked.append(page.url)
        assert results.violations_count == 0, f"axe on {page.url}:\n{_report(results)}"


@pytest.fixture
def axe() -> Accessibility:
    return Accessibility()


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "timezone_id": "America/Los_Angeles"}


@pytest.fixture(autouse=True)
def _timeouts(page: Page):
    page.set_default_timeout(10_000)
