"""Browser journeys: Playwright drives Debian's Chromium against the live test server."""

from __future__ import annotations

import hashlib
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

_axe = Axe()

# The page's skeleton: every element's tag, role, type, classes and ARIA state, with runs
# of siblings of the same shape collapsed to one (a table of 3 rows and one of 30 have
# the same skeleton). Text is left out: axe's findings depend on structure, names
# and colours, which come from the template and its state, not from the data.
_SKELETON_JS = """
() => {
  const shape = (el) => {
    const attrs = ["role", "type", "class", "aria-invalid", "aria-expanded", "disabled", "hidden"]
      .map((name) => el.getAttribute(name) || "").join("|");
    const kids = [];
    let previous = null;
    for (const child of el.children) {
      const s = shape(child);
      if (s !== previous) kids.push(s);
      previous = s;
    }
    return el.tagName + "[" + attrs + "](" + kids.join(",") + ")";
  };
  return shape(document.documentElement);
}
"""

# Skeletons already checked in this session (per worker): a page of the same template
# in the same state, at the same width, passed axe before.
_CHECKED_SKELETONS: set[tuple[int, str, str]] = set()


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
        """axe-core on this page, unless a page of the same skeleton passed already."""
        page.wait_for_load_state("load")
        self.checked.append(page.url)
        key = _skeleton_key(page)
        if key in _CHECKED_SKELETONS:
            return
        results = _axe.run(page)
        assert results.violations_count == 0, f"axe on {page.url}:\n{_report(results)}"
        _CHECKED_SKELETONS.add(key)


def _skeleton_key(page: Page) -> tuple[int, str, str]:
    """Viewport width, path with its ids generalised, and a digest of the page's skeleton."""
    width = (page.viewport_size or {}).get("width", 0)
    path = re.sub(r"/\d+", "/<id>", page.url.split("?", 1)[0].split("://", 1)[-1].split("/", 1)[-1])
    try:
        skeleton = page.evaluate(_SKELETON_JS)
    except PlaywrightError:  # a navigation replaced the page while it was read
        page.wait_for_load_state("load")
        skeleton = page.evaluate(_SKELETON_JS)
    return width, path, hashlib.sha256(skeleton.encode()).hexdigest()


@pytest.fixture
def axe() -> Accessibility:
    return Accessibility()


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "timezone_id": "America/Los_Angeles"}


@pytest.fixture(autouse=True)
def _timeouts(page: Page):
    page.set_default_timeout(10_000)
