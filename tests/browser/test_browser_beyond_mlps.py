"""End-to-end: /beyond-mlps in a real browser (default section, a shift change, the sequence section)."""

from __future__ import annotations

import pytest
from stbrowser import CHART, nudge_slider_and_wait, open_page, screenshot, wait_for_app_idle

pytestmark = pytest.mark.browser


def test_beyond_mlps_digits(page, base_url):
    errors = open_page(page, f"{base_url}/beyond-mlps", timeout_ms=300_000)
    plots = page.locator(CHART)
    plots.nth(2).wait_for(state="visible")
    assert plots.count() == 3
    assert page.locator("[data-testid=stException]").count() == 0
    assert "depth 2" in plots.nth(0).evaluate("el => el.layout.title.text")
    screenshot(page, "beyond-mlps")
    # shift right 1 → 2 pixels: the similarity chart's dashed lines (shifted copy) move
    nudge_slider_and_wait(page, "dx", "dx=2", chart=2, trace=2)
    assert page.locator("[data-testid=stException]").count() == 0
    page.set_viewport_size({"width": 1400, "height": 3400})
    page.wait_for_timeout(1500)
    screenshot(page, "beyond-mlps-full")
    assert not errors, errors


def test_beyond_mlps_sequences(page, base_url):
    errors = open_page(page, f"{base_url}/beyond-mlps?part=sequences", timeout_ms=300_000)
    plots = page.locator(CHART)
    plots.nth(1).wait_for(state="visible")
    assert plots.count() == 2
    assert page.locator("[data-testid=stException]").count() == 0
    page.set_viewport_size({"width": 1400, "height": 2200})
    page.wait_for_timeout(1500)
    wait_for_app_idle(page)
    screenshot(page, "beyond-mlps-sequences")
    assert not errors, errors
