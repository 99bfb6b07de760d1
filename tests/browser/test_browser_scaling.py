"""End-to-end: /scaling in a real browser — loads, the smoothness slider re-renders the learning curve."""

from __future__ import annotations

import pytest
from stbrowser import CHART, open_page, screenshot, step_slider, wait_for_app_idle

pytestmark = pytest.mark.browser
GEO_MEAN = 10  # trace index: 10 seeds first, then the geometric mean


def test_scaling_page(page, base_url):
    errors = open_page(page, f"{base_url}/scaling", timeout_ms=240_000)
    assert page.locator("[data-testid=stException]").count() == 0
    plots = page.locator(CHART)
    plots.nth(1).wait_for(state="visible")
    assert plots.count() == 2
    name = plots.nth(0).evaluate(f"el => el._fullData[{GEO_MEAN}].name")
    assert name == "geometric mean over seeds"
    screenshot(page, "scaling")

    before = plots.nth(0).evaluate(f"el => Array.from(el._fullData[{GEO_MEAN}].y).map(Number)")
    step_slider(page, "r", "r=1.25", arrow="ArrowLeft")  # r 1.5 → 1.25: a rougher target learns slower
    after = plots.nth(0).evaluate(f"el => Array.from(el._fullData[{GEO_MEAN}].y).map(Number)")
    assert len(after) == len(before) == 6 and after[-1] > before[-1]
    assert page.locator("[data-testid=stException]").count() == 0

    page.goto(f"{base_url}/scaling?data=digits")
    wait_for_app_idle(page, timeout_ms=240_000)
    page.locator(CHART).nth(1).wait_for(state="visible")
    assert page.locator("[data-testid=stException]").count() == 0
    screenshot(page, "scaling-digits")
    assert not errors, errors
