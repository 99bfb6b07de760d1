"""End-to-end: /spectrum in a real browser (control change, animation)."""

from __future__ import annotations

import pytest
from stbrowser import CHART, open_page, screenshot, step_slider

pytestmark = pytest.mark.browser
# a trace's y values as a string (plotly.js keeps base64 {bdata} objects after a re-render)
Y_JS = "el => { const y = el.data[I].y; return y.bdata ? y.bdata : Array.from(y).join(','); }"


def test_spectrum_page(page, base_url):
    errors = open_page(page, f"{base_url}/spectrum")
    plots = page.locator(CHART)
    plots.nth(3).wait_for(state="visible")
    assert plots.count() == 4
    assert page.locator("[data-testid=stException]").count() == 0

    # the animation has frames and Play advances them
    anim = plots.nth(3)
    n_frames = anim.evaluate("el => el._transitionData._frames.length")
    assert n_frames >= 20
    assert anim.evaluate("el => el.layout.sliders[0].active") == 0
    anim.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function("el => el.layout.sliders[0].active >= 5", arg=anim.element_handle(),
                           timeout=20_000)
    screenshot(page, "spectrum")

    # a control change re-renders the residual chart: learning rate 0.5 → 0.55 (× 2/λ_max);
    # trace 16 = linearized model, k = 6 (slow: its curve differs visibly between the two rates)
    res_before = plots.nth(2).evaluate(Y_JS.replace("I", "16"))
    step_slider(page, "lr", "lr=0.55")
    page.wait_for_function(
        "b => { const el = document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')[2];"
        " return (" + Y_JS.replace("I", "16") + ")(el) !== b; }", arg=res_before, timeout=60_000)
    res_after = plots.nth(2).evaluate(Y_JS.replace("I", "16"))
    assert res_after != res_before
    assert page.locator("[data-testid=stException]").count() == 0
    page.set_viewport_size({"width": 1400, "height": 4200})  # the whole page (stMain scrolls inside)
    page.wait_for_timeout(1500)
    screenshot(page, "spectrum-full")
    assert not errors, errors
