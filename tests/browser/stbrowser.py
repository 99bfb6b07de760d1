"""Helpers for the browser tests (import as `from stbrowser import ...`).

Kept out of conftest.py so test modules can import them by a unique name.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
APP_IDLE_TIMEOUT_MS = 120_000
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
CHART = "[data-testid=stPlotlyChart] .js-plotly-plot"


def wait_for_app_idle(page, timeout_ms: int = APP_IDLE_TIMEOUT_MS) -> None:
    """Wait until the current script run has finished and nothing is loading."""
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=stSkeleton]').length === 0",
        timeout=timeout_ms,
    )
    # A rerun can start right after the first one finishes (e.g. a widget change
    # that was just sent); settle briefly and check again.
    page.wait_for_timeout(250)
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def open_page(page, url: str, height: int | None = 1000, timeout_ms: int = APP_IDLE_TIMEOUT_MS) -> list[str]:
    """Open ``url`` (viewport 1400×``height``; None keeps the context's) and wait for the script run.

    Returns the list that collects the page's uncaught JavaScript errors from now on.
    """
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    if height is not None:
        page.set_viewport_size({"width": 1400, "height": height})
    page.goto(url)
    wait_for_app_idle(page, timeout_ms=timeout_ms)
    return errors


def step_slider(page, key: str, url_part: str, arrow: str = "ArrowRight", times: int = 1) -> None:
    """Press ``arrow`` ``times`` on the slider with widget key ``key``, as a keyboard user does, then
    wait for ``url_part`` in the URL (the new value was applied) and for the rerun to finish."""
    page.locator(f".st-key-{key} input[type=range]").focus()
    for _ in range(times):
        page.keyboard.press(arrow)
    page.wait_for_function(f"() => location.search.includes({url_part!r})")
    wait_for_app_idle(page)


def pick_option(page, box, name: str, attempts: int = 3) -> None:
    """Choose option ``name`` in the select/multiselect whose ``input`` is the locator ``box``.

    A rerun that redraws the widget while its list is open closes the list and detaches the
    option being clicked (seen about once in eight runs), so wait for the app to be idle and
    reopen the list until the click lands.
    """
    from playwright.sync_api import TimeoutError as PWTimeout

    option = page.get_by_role("option", name=name)
    for attempt in range(attempts):
        wait_for_app_idle(page)
        box.click()
        page.keyboard.press("ArrowDown")  # open the list (a click after a hover only focuses)
        try:
            option.click(timeout=5_000)
            return
        except PWTimeout:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a PNG under test-output/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# a trace's y values as a string (plotly.js keeps base64 {bdata} objects after a re-render)
TRACE_Y_JS = "el => { const y = el.data[I].y; return y.bdata ? y.bdata : Array.from(y).join(','); }"


def nudge_slider_and_wait(page, key: str, url_part: str, chart: int, trace: int = 0, timeout_ms: int = 60_000) -> None:
    """Press → on the slider with widget key ``key``, wait for ``url_part`` in the URL, the rerun,
    and a change of trace ``trace``'s y data in chart number ``chart`` (asserts it changed)."""
    y_js = TRACE_Y_JS.replace("I", str(trace))
    get = f"document.querySelectorAll('{CHART}')[{chart}]"
    before = page.evaluate(f"() => ({y_js})({get})")
    step_slider(page, key, url_part)
    page.wait_for_function(f"b => ({y_js})({get}) !== b", arg=before, timeout=timeout_ms)
