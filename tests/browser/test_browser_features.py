"""End-to-end: /features in a real browser — loads, α control re-renders, part 2 (parameterizations)."""

from __future__ import annotations

import pytest
from stbrowser import CHART, open_page, screenshot, step_slider

pytestmark = pytest.mark.browser


def trace_y(page, i: int, trace: int = 0) -> list[float]:
    return page.locator(CHART).nth(i).evaluate(f"el => Array.from(el._fullData[{trace}].y).map(Number)")


def test_features_page(page, base_url):
    errors = open_page(page, f"{base_url}/features", timeout_ms=240_000)
    assert page.locator("[data-testid=stException]").count() == 0
    plots = page.locator(CHART)
    plots.nth(2).wait_for(state="visible")
    assert plots.count() == 3
    # the phase diagram is a 4 × 6 heatmap
    z_rows = plots.nth(2).evaluate("el => el._fullData[0].z.length")
    assert z_rows == 4
    screenshot(page, "features")

    # α for the width plot: 0.1 → 0.3 re-renders it with higher (lazier) errors
    before = trace_y(page, 1)
    assert len(before) == 4
    step_slider(page, "fa", "fa=0.3")
    after = trace_y(page, 1)
    assert len(after) == 4 and after != before and after[-1] > before[-1]
    assert page.locator("[data-testid=stException]").count() == 0
    assert not errors, errors


def test_features_parameterizations(page, base_url):
    errors = open_page(page, f"{base_url}/features?part=parameterizations", timeout_ms=240_000)
    assert page.locator("[data-testid=stException]").count() == 0
    plots = page.locator(CHART)
    plots.nth(1).wait_for(state="visible")
    assert plots.count() == 2
    names = plots.nth(0).evaluate("el => el._fullData.map(t => t.name)")
    assert any(n.startswith("μP (slope") for n in names)
    screenshot(page, "features-parameterizations")
    assert not errors, errors
