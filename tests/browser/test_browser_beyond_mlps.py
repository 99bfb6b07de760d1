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


def test_beyond_mlps_accuracy(page, base_url):
    errors = open_page(page, f"{base_url}/beyond-mlps?part=accuracy&size=small&steps=100", timeout_ms=300_000)
    plots = page.locator(CHART)
    plots.nth(0).wait_for(state="visible")
    wait_for_app_idle(page)
    assert plots.count() == 1
    assert page.locator("[data-testid=stException]").count() == 0
    names = plots.nth(0).evaluate("el => el.data.map(t => t.name)")
    assert len(names) == 2, names  # kernel regression and trained networks
    assert plots.nth(0).evaluate("el => el._fullLayout.xaxis.type") == "category"  # bars drawn at the names
    assert plots.nth(0).evaluate("el => el.querySelectorAll('.bars .point').length") == 6
    assert page.locator("[data-testid=stDataFrame]").count() == 1
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.wait_for_timeout(1500)
    screenshot(page, "beyond-mlps-accuracy")
    assert not errors, errors


def test_beyond_mlps_width(page, base_url):
    errors = open_page(page, f"{base_url}/beyond-mlps?part=width", timeout_ms=300_000)
    plots = page.locator(CHART)
    plots.nth(1).wait_for(state="visible")
    wait_for_app_idle(page)
    assert plots.count() == 2
    assert page.locator("[data-testid=stException]").count() == 0
    for i in range(2):  # log-log axes, MLP and CNN-GAP points with their fits
        layout = plots.nth(i).evaluate("el => [el.layout.xaxis.type, el.layout.yaxis.type]")
        assert layout == ["log", "log"], layout
        names = " ".join(plots.nth(i).evaluate("el => el.data.map(t => t.name || '')"))
        assert "MLP" in names and "CNN-GAP" in names, names
    page.set_viewport_size({"width": 1400, "height": 1900})
    page.wait_for_timeout(1500)
    screenshot(page, "beyond-mlps-width")
    assert not errors, errors
