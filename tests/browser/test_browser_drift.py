"""End-to-end: /drift in a real browser — loads, re-renders on a control change, animations play."""

from __future__ import annotations

import pytest
from stbrowser import CHART, open_page, screenshot, step_slider, wait_for_app_idle

pytestmark = pytest.mark.browser



def trace_y(page, i: int, trace: int = 0) -> list[float]:
    """y values of one trace as the browser's Plotly holds them (after decoding base64 data)."""
    return page.locator(CHART).nth(i).evaluate(
        f"el => Array.from(el._fullData[{trace}].y).map(Number)")


def test_drift_page(page, base_url):
    errors = open_page(page, f"{base_url}/drift", timeout_ms=180_000)
    assert page.locator("[data-testid=stException]").count() == 0
    plots = page.locator(CHART)
    plots.nth(3).wait_for(state="visible")
    assert plots.count() == 4

    # the two animations have one frame per snapshot and Play advances them (the kernel-change
    # heatmap opens on its last snapshot, step 0 being all zeros; Play runs it from the start)
    for i in (2, 3):
        anim = plots.nth(i)
        assert anim.evaluate("el => el._transitionData._frames.length") == 26
        anim.scroll_into_view_if_needed()
        assert anim.evaluate("el => el.layout.sliders[0].active") == (25 if i == 2 else 0)
        anim.locator(".updatemenu-button", has_text="Play").click()
        if i == 2:
            page.wait_for_function("el => el.layout.sliders[0].active < 25",
                                   arg=anim.element_handle(), timeout=90_000)
        page.wait_for_function("el => el.layout.sliders[0].active === 25",
                               arg=anim.element_handle(), timeout=90_000)
    screenshot(page, "drift")
    tall = page.context.new_page()
    tall.set_viewport_size({"width": 1400, "height": 3800})
    tall.goto(page.url)
    wait_for_app_idle(tall, timeout_ms=180_000)
    tall.locator(CHART).nth(3).wait_for(state="visible")
    screenshot(tall, "drift-full")
    tall.close()

    # a control change re-renders the charts: α = 10 shrinks the weight change 10×
    before = trace_y(page, 0, 2)  # weight-change panel (third panel) of width 16 (first width)
    assert len(before) == 19 + 25  # steps 1 … 19, then the snapshots at 20, 40, … 500
    step_slider(page, "alpha", "alpha=10", times=2)
    after = trace_y(page, 0, 2)
    assert len(after) == len(before) and after[-1] < 0.3 * before[-1]
    assert page.locator("[data-testid=stException]").count() == 0
    assert not errors, errors


def test_drift_after_navigation_from_welcome(page, base_url):
    """Widget keys shared with other pages (width, seed …) must not leak into /drift."""
    page.goto(base_url)
    wait_for_app_idle(page)
    page.locator("[data-testid=stSidebarNavLink]", has_text="Kernel drift").click()
    page.wait_for_url("**/drift")
    wait_for_app_idle(page, timeout_ms=180_000)
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.locator(CHART).count() == 4
