"""End-to-end: /generalization in a real browser — loads, the noise slider re-renders the learning curve."""

from __future__ import annotations

import pytest
from stbrowser import CHART, open_page, screenshot, step_slider

pytestmark = pytest.mark.browser
MEASURED = 0  # trace index of the measured learning curve


def test_generalization_page(page, base_url):
    errors = open_page(page, f"{base_url}/generalization", timeout_ms=300_000)
    assert page.locator("[data-testid=stException]").count() == 0
    plots = page.locator(CHART)
    plots.nth(1).wait_for(state="visible")
    assert plots.count() == 2
    name = plots.nth(0).evaluate(f"el => el._fullData[{MEASURED}].name")
    assert name.startswith("ridgeless NTK regression")
    screenshot(page, "generalization")

    before = plots.nth(0).evaluate(f"el => Array.from(el._fullData[{MEASURED}].y).map(Number)")
    step_slider(page, "noise", "noise=1")  # σ 0.5 → 1: four times the noise variance, a higher curve
    after = plots.nth(0).evaluate(f"el => Array.from(el._fullData[{MEASURED}].y).map(Number)")
    assert len(after) == len(before) == 5 and all(a > b for a, b in zip(after, before))
    assert page.locator("[data-testid=stException]").count() == 0
    assert not errors, errors
