"""A live server on a free port and Debian's Chromium driven by Playwright (QUALITY R19).

The browser tests need /usr/bin/chromium, the playwright package and axe-core (built into
build/npm by `make assets`). Without them they skip, except under CI, where they must run.
"""

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

REPO = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO / "build" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing_requirement() -> str | None:
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed (apt-get install chromium)"
    if not AXE_SCRIPT.exists():
        return "axe-core is not built (make assets)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="session")
def browser():
    missing = _missing_requirement()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"Browser tests must run in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


# WCAG 2.2's reflow criterion (1.4.10): content reflows at 320 CSS pixels wide, with no
# sideways scrolling of the page (a data table may scroll inside its own box).
PHONE_WIDTH = 320


def new_page(browser, *, javascript: bool = True, width: int = PHONE_WIDTH, height: int = 812):
    """A fresh browser context (a new device) and page; CSP is bypassed only so that the
    axe-core script can be injected."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        java_script_enabled=javascript,
        bypass_csp=True,
    )
    return context.new_page()


def screenshot(page, name: str) -> None:
    """Keep a full-page screenshot as a test artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _scriptable_copy(page):
    """The page's exact HTML in a JavaScript-enabled page on the same origin (axe-core is a
    script, so a page browsed without JavaScript is audited from a copy)."""
    context = page.context.browser.new_context(
        viewport=page.viewport_size, java_script_enabled=True, bypass_csp=True
    )
    copy = context.new_page()
    origin = page.url.split("/", 3)[:3]
    copy.goto("/".join(origin) + "/healthz")
    copy.set_content(page.content())
    return copy


def axe_violations(page, javascript: bool = True) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now."""
    if not javascript:
        copy = _scriptable_copy(page)
        try:
            return axe_violations(copy)
        finally:
            copy.context.close()
    page.add_script_tag(content=AXE_SCRIPT.read_text("utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def overflowing_elements(page) -> list[str]:
    """The elements that stick out past the right edge of the screen, outside any box of
    their own that scrolls (what makes a page scroll sideways)."""
    return page.evaluate(
        """() => {
          const edge = document.documentElement.clientWidth;
          const out = [];
          for (const el of document.querySelectorAll("body *")) {
            if (el.getBoundingClientRect().right <= edge + 1) continue;
            let box = el.parentElement, scrolls = false;
            while (box && box !== document.body && !scrolls) {
              scrolls = getComputedStyle(box).overflowX !== "visible";
              box = box.parentElement;
            }
            if (!scrolls) out.push(el.tagName.toLowerCase() + "." + el.className);
          }
          return out.slice(0, 5);
        }"""
    )


def assert_reflows(page) -> None:
    """Fail if the page is wider than a phone's screen (WCAG 2.2, 1.4.10 reflow)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    screen = page.evaluate("document.documentElement.clientWidth")
    assert width <= screen, (
        f"{page.url}: {width} px wide on a {screen} px screen; {overflowing_elements(page)}"
    )


def assert_accessible(page, javascript: bool = True) -> None:
    """Fail with axe-core's findings if the page has any WCAG 2.2 AA violation, or if on a
    phone-sized screen it scrolls sideways."""
    violations = axe_violations(page, javascript)
    assert violations == [], f"{page.url}: {violations}"
    if page.viewport_size["width"] <= PHONE_WIDTH:
        assert_reflows(page)
