"""End-to-end: /nngp in a real browser — loads, a control change re-renders the ensemble chart."""

from __future__ import annotations

import pytest
from stbrowser import CHART, open_page, screenshot, step_slider

pytestmark = pytest.mark.browser



def member_count(page) -> int:
    return page.locator(CHART).nth(1).evaluate(
        "el => el.data.filter(t => t.name === 'one trained network').length")


def test_nngp_page(page, base_url):
    errors = open_page(page, f"{base_url}/nngp", height=2400, timeout_ms=180_000)
    assert page.locator("[data-testid=stException]").count() == 0
    page.locator(CHART).nth(1).wait_for(state="visible")
    assert member_count(page) == 10
    screenshot(page, "nngp")

    # ensemble size 10 → 8 (keyboard on the slider): the chart re-renders with 8 members
    step_slider(page, "nets", "nets=8", arrow="ArrowLeft", times=2)
    page.wait_for_function(
        "() => { const el = document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')[1];"
        " return el && el.data.filter(t => t.name === 'one trained network').length === 8; }",
        timeout=30_000)
    assert page.locator("[data-testid=stException]").count() == 0
    assert not errors, errors
