"""End-to-end: /lr-phases in a real browser (renders, a learning-rate change re-renders, screenshot)."""

from __future__ import annotations

import pytest
from stbrowser import CHART, nudge_slider_and_wait, open_page, screenshot

pytestmark = pytest.mark.browser


def test_lr_phases_page(page, base_url):
    errors = open_page(page, f"{base_url}/lr-phases")
    plots = page.locator(CHART)
    plots.nth(1).wait_for(state="visible")
    assert plots.count() == 2
    assert page.locator("[data-testid=stException]").count() == 0
    assert "catapult" in page.locator("[data-testid=stMetricValue]").first.inner_text()
    titles = plots.nth(0).evaluate("el => el.layout.title.text")
    assert "phase: catapult" in titles

    # c 1.50 → 1.55 re-renders the training curves (trace 0 = the network's loss)
    nudge_slider_and_wait(page, "c", "c=1.55", chart=0)
    assert "c = 1.55" in plots.nth(0).evaluate("el => el.layout.title.text")
    assert page.locator("[data-testid=stException]").count() == 0
    page.set_viewport_size({"width": 1400, "height": 2700})  # the whole page (stMain scrolls inside)
    page.wait_for_timeout(1500)
    screenshot(page, "lr_phases")
    assert not errors, errors
