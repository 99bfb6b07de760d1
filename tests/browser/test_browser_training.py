"""End-to-end: "Training is kernel regression" in Chromium — animation plays, controls re-render."""

from __future__ import annotations

import pytest
from stbrowser import CHART, open_page, screenshot, wait_for_app_idle

pytestmark = pytest.mark.browser



def test_training_animates_and_rerenders(page, base_url):
    errors = open_page(page, f"{base_url}/training")
    charts = page.locator(CHART)
    charts.nth(2).wait_for(state="visible")
    assert page.locator("[data-testid=stException]").count() == 0
    assert charts.count() == 3
    anim = charts.first
    assert anim.evaluate("el => el._transitionData._frames.length") == 41
    assert anim.evaluate("el => el.layout.sliders[0].active") == 0
    y0 = anim.evaluate("el => Array.from(el._fullData.find(t => t.name === 'network').y)")
    screenshot(page, "training")

    # Play advances the frames client-side (no rerun): the network curve moves
    anim.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function("el => el.layout.sliders[0].active >= 10",
                           arg=anim.element_handle(), timeout=20_000)
    y_mid = anim.evaluate("el => Array.from(el._fullData.find(t => t.name === 'network').y)")
    assert y_mid != y0
    # let it play to the end (pausing mid-way rejects Plotly's animation promise)
    page.wait_for_function("el => el.layout.sliders[0].active === 40",
                           arg=anim.element_handle(), timeout=30_000)

    # a control change (task -> moons) re-renders the chart as a decision surface
    page.locator(".st-key-task [role=combobox]").first.click()
    page.locator("[role=option]", has_text="moons").click()
    page.wait_for_function("() => location.search.includes('task=moons')")
    wait_for_app_idle(page)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot')"
        ".data[0].type === 'heatmap'", timeout=120_000,
    )
    anim = page.locator(CHART).first
    assert anim.evaluate("el => el.data.filter(t => t.type === 'contour').length") == 3
    assert anim.evaluate("el => el._transitionData._frames.length") == 41
    # jump to the last frame with the step slider: the surface changes
    z0 = anim.evaluate("el => JSON.stringify(Array.from(el._fullData[0].z, r => Array.from(r)))")
    anim.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function("el => el.layout.sliders[0].active === 40",
                           arg=anim.element_handle(), timeout=30_000)
    assert anim.evaluate("el => JSON.stringify(Array.from(el._fullData[0].z, r => Array.from(r)))") != z0
    assert page.locator("[data-testid=stException]").count() == 0
    screenshot(page, "training-moons")
    assert not errors, errors


def test_training_divergence_and_refusal(page, base_url):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{base_url}/training?lr=1.5")
    wait_for_app_idle(page)
    # Above 2/λ_max the two kernel models diverge; the network is trained on its own and plotted
    # to the end (issue 13: it catapults at η = 1.5, width 256)
    alert = page.locator("[data-testid=stMain] [data-testid=stAlert]", has_text="Diverged:")
    alert.wait_for()
    text = alert.inner_text()
    assert "the linearized network at step" in text and "stayed finite" in text, text
    assert "try a learning rate of at most" in text
    assert page.locator(CHART).count() == 3
    assert page.locator("[data-testid=stException]").count() == 0
    screenshot(page, "training-diverged")

    # too slow live: falls back to a smaller width, with a message, and draws it (issue 14)
    page.goto(f"{base_url}/training?width=4096&depth=2")
    wait_for_app_idle(page)
    info = page.locator("[data-testid=stMain] [data-testid=stAlert]", has_text="too slow")
    info.wait_for()
    assert "Showing width 1024 instead" in info.inner_text()
    assert page.locator(CHART).count() == 3
    assert page.locator("[data-testid=stException]").count() == 0
