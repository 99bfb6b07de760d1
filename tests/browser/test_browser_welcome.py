"""End-to-end: the Welcome page in Chromium — live fit, width control, lesson links."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from stbrowser import CHART, open_page, screenshot, step_slider, wait_for_app_idle

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "app"))
from common.pages import lesson_pages  # noqa: E402

pytestmark = pytest.mark.browser



def network_trace_name(page) -> str:
    return page.locator(CHART).first.evaluate(
        "el => el.data.map(t => t.name).find(n => n.startsWith('network, width'))"
    )


def test_welcome_loads_changes_width_and_links(page, base_url):
    errors = open_page(page, base_url)
    page.locator(CHART).first.wait_for(state="visible")
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.locator(CHART).count() == 1
    assert network_trace_name(page) == "network, width 256 (step 200)"
    y_before = page.locator(CHART).first.evaluate(
        "el => Array.from(el._fullData.find(t => t.name.startsWith('network, width')).y)"
    )
    gap_before = page.locator("[data-testid=stMetric]").first.inner_text()
    screenshot(page, "welcome")

    # one step right on the width slider: 256 -> 1024, the chart is recomputed
    step_slider(page, "width", "width=1024")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot')"
        ".data.some(t => t.name === 'network, width 1024 (step 200)')"
    )
    y_after = page.locator(CHART).first.evaluate(
        "el => Array.from(el._fullData.find(t => t.name.startsWith('network, width')).y)"
    )
    assert len(y_after) == len(y_before) == 200 and y_after != y_before
    assert page.locator("[data-testid=stMetric]").first.inner_text() != gap_before
    assert page.locator("[data-testid=stException]").count() == 0
    screenshot(page, "welcome-width-1024")

    # the course map links to every page of the navigation (plus the "Next:" lesson link at the end)
    links = page.locator("[data-testid=stMain] [data-testid=stPageLink] a", has_text=re.compile(r"\d+\. "))
    assert links.count() == len(lesson_pages())
    assert page.locator("[data-testid=stMain] [data-testid=stPageLink] a", has_text="Next: ").count() == 1
    page.locator("[data-testid=stMain] [data-testid=stPageLink] a",
                 has_text="Training is kernel regression").click()
    page.wait_for_url(re.compile(r"/training(\?.*)?$"))
    wait_for_app_idle(page)
    assert page.locator("[data-testid=stMain] h1").first.inner_text().strip() == \
        "Training is kernel regression"
    assert not errors, errors
