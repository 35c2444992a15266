"""Browser journeys: Playwright drives Debian's Chromium against the live test server."""

from __future__ import annotations

import hashlib
import os
import re

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

_axe = Axe()
AXE_OPTIONS = {"resultTypes": ["violations"]}  # what Axe.run asks for by default

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

# What a phone needs of every page, read in the page: no sideways scroll of the document
# (a wide table scrolls in its own box or stacks its rows), every primary button within
# the screen's width, and no id twice (a label would name the wrong field: axe reports a
# repeated id only as "needs review").
_LAYOUT_JS = """
() => {
  const seen = new Set();
  const repeated = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    if (seen.has(el.id)) repeated.add(el.id);
    seen.add(el.id);
  }
  const width = window.innerWidth;
  const offscreen = [];
  for (const button of document.querySelectorAll(".btn-primary")) {
    const box = button.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;  // not shown (a closed <details>)
    if (box.left < 0 || box.right > width + 1) {
      offscreen.push((button.innerText || button.value || "").trim());
    }
  }
  // What sticks out, to name in the failure: the outermost elements past the right edge.
  const wide = [];
  if (document.documentElement.scrollWidth > width) {
    for (const el of document.body.querySelectorAll("*")) {
      if (wide.length >= 3 || el.getBoundingClientRect().right <= width + 1) continue;
      if (wide.some((outer) => outer.contains(el))) continue;
      wide.push(el);
    }
  }
  return {
    wide: wide.map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
      + ": " + (el.innerText || "").trim().slice(0, 60)),
    scrollWidth: document.documentElement.scrollWidth,
    width: width,
    repeated: [...repeated],
    offscreen: offscreen,
  };
}
"""

PHONE = {"width": 390, "height": 844}
# The pages are the same HTML on either database: the second width is checked on SQLite's
# run of the suite only, which keeps PostgreSQL's run of the journeys to their own width.
PHONE_RECHECK = not os.environ.get("TEST_DATABASE_URL")
# axe-core, likewise, on SQLite's run only: it judges the page's markup, names and colours,
# which come from the templates, not from the database (about 0.4 s a page, nearly half of
# a journey's time). PostgreSQL's run drives every journey, step by step, with the same
# assertions on what each page shows (the database's work), and checks the layout at the
# journey's width (check_layout: cheap, read in the page).
AXE_CHECK = not os.environ.get("TEST_DATABASE_URL")

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
    """Checks each page a journey visits, at the journey's width and at a phone's (390 px):
    the layout (check_layout) and axe-core; remembers what it checked. On PostgreSQL's run,
    the layout at the journey's width only (PHONE_RECHECK, AXE_CHECK)."""

    def __init__(self) -> None:
        self.checked: list[str] = []

    def check(self, page: Page) -> None:
        """The page at its width and at a phone's: the layout checks, then axe-core (unless a
        page of the same skeleton at that width passed already)."""
        page.wait_for_load_state("load")
        self.checked.append(page.url)
        _check_at_width(page)
        viewport = page.viewport_size
        if PHONE_RECHECK and viewport and viewport["width"] > PHONE["width"]:
            page.set_viewport_size(PHONE)
            try:
                _check_at_width(page)
            finally:
                page.set_viewport_size(viewport)


def _check_at_width(page: Page) -> None:
    check_layout(page)
    if not AXE_CHECK:
        return
    key = _skeleton_key(page)
    if key in _CHECKED_SKELETONS:
        return
    results = _run_axe(page)
    where = f"{page.url} at {(page.viewport_size or {}).get('width')} px"
    assert results.violations_count == 0, f"axe on {where}:\n{_report(results)}"
    _CHECKED_SKELETONS.add(key)


def _run_axe(page: Page) -> AxeResults:
    """axe-core on the page, violations only; its script (0.5 MB) is put in the document
    once, not again when the same document is checked at the phone's width."""
    if not _evaluate(page, "() => typeof window.axe === 'object'"):
        page.evaluate(_axe.axe_script)
    return AxeResults(page.evaluate(f"axe.run({_axe._format_script_args(options=AXE_OPTIONS)})"))


def check_layout(page: Page) -> None:
    """No sideways scroll, primary buttons on screen, no id twice: at the page's width."""
    layout = _evaluate(page, _LAYOUT_JS)
    where = f"{page.url} at {layout['width']} px"
    assert layout["repeated"] == [], f"ids used more than once on {where}: {layout['repeated']}"
    assert layout["scrollWidth"] <= layout["width"], (
        f"{where} scrolls sideways: the document is {layout['scrollWidth']} px wide; "
        f"past the edge: {layout['wide']}"
    )
    assert layout["offscreen"] == [], (
        f"primary buttons off screen on {where}: {layout['offscreen']}"
    )


def _evaluate(page: Page, script: str):
    try:
        return page.evaluate(script)
    except PlaywrightError:  # a navigation replaced the page while it was read
        page.wait_for_load_state("load")
        return page.evaluate(script)


def _skeleton_key(page: Page) -> tuple[int, str, str]:
    """Viewport width, path with its ids generalised, and a digest of the page's skeleton."""
    width = (page.viewport_size or {}).get("width", 0)
    path = re.sub(r"/\d+", "/<id>", page.url.split("?", 1)[0].split("://", 1)[-1].split("/", 1)[-1])
    skeleton = _evaluate(page, _SKELETON_JS)
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
