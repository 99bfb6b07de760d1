"""End-to-end: /kernel-at-init in a real browser."""

from __future__ import annotations

import pytest
from stbrowser import CHART, open_page, screenshot, step_slider

pytestmark = pytest.mark.browser
# a trace's y values as a string (plotly.js keeps base64 {bdata} objects after a re-render)
Y_JS = "el => { const y = el.data[I].y; return y.bdata ? y.bdata : Array.from(y).join(','); }"


def chart_title(page, i: int) -> str:
    return page.locator(CHART).nth(i).evaluate(
        "el => el.layout.title.text")


def slice_y(page) -> list[float]:
    return page.locator(CHART).nth(1).evaluate(
        Y_JS.replace("I", "0"))


def test_kernel_at_init_page(page, base_url):
    errors = open_page(page, f"{base_url}/kernel-at-init")
    plots = page.locator(CHART)
    plots.nth(2).wait_for(state="visible")
    assert plots.count() == 3
    assert page.locator("[data-testid=stException]").count() == 0
    assert "width 256" in chart_title(page, 1)
    before = slice_y(page)
    screenshot(page, "kernel-at-init")

    # change the width with the keyboard: one step right on the select slider (256 → 1024)
    step_slider(page, "width", "width=1024")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')[1]"
        ".layout.title.text.includes('width 1024')", timeout=60_000)
    after = slice_y(page)
    assert len(after) > 100 and after != before
    assert page.locator("[data-testid=stException]").count() == 0
    page.set_viewport_size({"width": 1400, "height": 3000})  # the whole page (stMain scrolls inside)
    page.wait_for_timeout(1500)
    screenshot(page, "kernel-at-init-full")
    assert not errors, errors
