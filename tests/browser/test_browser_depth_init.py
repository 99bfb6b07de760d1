"""End-to-end: /depth-init in a real browser (renders, a σ_w² change re-renders, screenshot)."""

from __future__ import annotations

import pytest
from stbrowser import CHART, nudge_slider_and_wait, open_page, screenshot

pytestmark = pytest.mark.browser


def test_depth_init_page(page, base_url):
    errors = open_page(page, f"{base_url}/depth-init")
    plots = page.locator(CHART)
    plots.nth(2).wait_for(state="visible")
    assert plots.count() == 3
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.locator("[data-testid=stMetricValue]").first.inner_text().strip() == "ordered"
    # the critical line is drawn on the phase diagram
    names = plots.nth(0).evaluate("el => el.data.map(t => t.name)")
    assert "critical line χ1 = 1" in names

    # σ_w² 0.80 → 0.85 re-renders the depth profile (trace 0 = correlation of the π/4 pair)
    nudge_slider_and_wait(page, "sw2", "sw2=0.85", chart=1)
    assert page.locator("[data-testid=stException]").count() == 0
    page.set_viewport_size({"width": 1400, "height": 2800})
    page.wait_for_timeout(1500)
    screenshot(page, "depth_init")
    assert not errors, errors
