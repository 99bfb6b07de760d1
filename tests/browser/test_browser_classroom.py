"""End-to-end: classroom features in Chromium — presenter mode, reduced UIs by link, the guided
tour, the copy-link box, the data export and the preset gallery."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from stbrowser import CHART, open_page, pick_option, screenshot, step_slider, wait_for_app_idle

pytestmark = pytest.mark.browser

NO_EXCEPTION = "[data-testid=stException]"


def url_params(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query, keep_blank_values=True).items()}


def test_presenter_mode(page, base_url):
    errors = open_page(page, f"{base_url}/?present=1")
    page.locator(CHART).first.wait_for(state="visible")
    assert page.locator(NO_EXCEPTION).count() == 0
    # sidebar collapsed (still openable), no explanatory text, large title, the prompt box
    assert page.locator("[data-testid=stSidebar]").get_attribute("data-collapsed") == "true"
    assert page.locator("[data-testid=stExpandSidebarButton]").count() == 1
    main = page.locator("[data-testid=stMain]")
    assert "hands-on tour" not in main.inner_text()
    h1 = float(page.locator("[data-testid=stMain] h1").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert h1 >= 48
    prompt = page.locator("[class*=st-key-ntk_prompt]")
    assert prompt.count() == 1 and "Move the width" in prompt.inner_text()
    font = page.locator(CHART).first.evaluate("el => el._fullLayout.font.size")
    assert font >= 20  # 15 px × PRESENTER_SCALE
    assert page.locator("[data-testid=stPopover]").count() == 0  # no export clutter
    page.set_viewport_size({"width": 1400, "height": 1300})
    page.wait_for_timeout(500)
    screenshot(page, "classroom-presenter-welcome")
    assert not errors, errors


def test_reduced_ui_hides_controls_and_keeps_its_params(page, base_url):
    errors = open_page(page, f"{base_url}/training?hide=depth,activation,seed,text&lr=0.3&seed=5")
    page.locator(CHART).first.wait_for(state="visible")
    sidebar = page.locator("[data-testid=stSidebar]")
    for key in ("depth", "activation", "seed"):
        assert sidebar.locator(f".st-key-{key}").count() == 0, key
    for key in ("task", "width", "lr", "steps"):
        assert sidebar.locator(f".st-key-{key}").count() == 1, key
    assert "Train three models" not in page.locator("[data-testid=stMain]").inner_text()
    screenshot(page, "classroom-reduced-training")

    # a visible control still re-renders, and the reduced-UI parameters survive in the URL
    name0 = page.locator(CHART).first.evaluate("el => el.data.map(t => t.name).join('|')")
    step_slider(page, "width", "width=1024")
    params = url_params(page)
    assert params.get("hide") == "depth,activation,seed,text" and params.get("lr") == "0.3", params
    assert params.get("seed") == "5", params  # the hidden control keeps its value in the link
    assert page.locator(NO_EXCEPTION).count() == 0
    assert page.locator(CHART).count() >= 3
    assert name0  # the chart was there before the change
    assert not errors, errors


def test_guided_step_click_through(page, base_url):
    errors = open_page(page, f"{base_url}/?guide=1")
    panel = page.locator(".st-key-_ntk_guide_welcome_panel")
    panel.wait_for()
    assert page.locator(CHART).count() == 0  # figure waits for the prediction
    # step 1 set the width control to 16
    assert page.locator(".st-key-width [data-testid=stSliderThumbValue]").inner_text().strip() == "16"
    screenshot(page, "classroom-guide-step1")
    panel.get_by_text("Close, but visibly off").click()
    wait_for_app_idle(page)
    page.locator(CHART).first.wait_for(state="visible")
    assert "Right." in panel.inner_text()
    # the prediction is locked: the options are disabled and the picked one stays checked
    radios = panel.locator("[data-testid=stRadio] input[type=radio]")
    assert radios.count() == 3 and all(radios.nth(k).is_disabled() for k in range(3))
    assert panel.get_by_role("radio", name="Close, but visibly off").is_checked()
    screenshot(page, "classroom-guide-step1-revealed")
    panel.get_by_role("button", name="Next step →").click()
    page.wait_for_function("() => location.search.includes('width=4096')")
    wait_for_app_idle(page)
    assert page.locator(CHART).count() == 0
    assert "step 2 of 2" in panel.inner_text()
    panel.get_by_text("It grows").click()
    wait_for_app_idle(page)
    page.locator(CHART).first.wait_for(state="visible")
    assert "Not quite" in panel.inner_text()
    assert page.locator(NO_EXCEPTION).count() == 0
    assert not errors, errors



def test_guided_tour_on_scaling(page, base_url):
    errors = open_page(page, f"{base_url}/scaling?guide=1")
    panel = page.locator(".st-key-_ntk_guide_scaling_panel")
    panel.wait_for()
    assert page.locator(CHART).count() == 0  # the learning curve waits for the prediction
    assert "step 1 of 3" in panel.inner_text()
    assert float(page.locator(".st-key-r [data-testid=stSliderThumbValue]").inner_text().strip()) == 1.0
    screenshot(page, "classroom-guide-scaling-step1")
    panel.get_by_text("doubling n halves the error").click()
    wait_for_app_idle(page)
    page.locator(CHART).first.wait_for(state="visible")
    assert page.locator(CHART).count() == 2
    assert "Right." in panel.inner_text()
    assert page.locator(NO_EXCEPTION).count() == 0
    page.set_viewport_size({"width": 1400, "height": 2000})  # the panel, the metrics and both figures
    page.wait_for_timeout(500)
    screenshot(page, "classroom-guide-scaling-step1-revealed")
    assert not errors, errors

def test_copy_link_and_csv_download(page, base_url):
    errors = open_page(page, f"{base_url}/?width=64")
    page.locator(CHART).first.wait_for(state="visible")
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text("Share / classroom").click()
    code = sidebar.locator("[data-testid=stCode]").first
    code.wait_for()
    link = code.inner_text().strip()
    assert link.startswith(base_url) and "width=64" in link, link
    code.hover()
    assert code.locator("button").count() >= 1  # Streamlit's copy-to-clipboard button

    # reduced-link builder: hide the width control
    pick_option(page, sidebar.locator(".st-key-_ntk_share_hide_welcome input"), "Network width")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=stSidebar] [data-testid=stCode]'))"
        ".some(e => e.textContent.includes('hide=width'))")
    wait_for_app_idle(page)
    codes = [c.inner_text().strip() for c in sidebar.locator("[data-testid=stCode]").all()]
    assert any(c.startswith(base_url) and "hide=width" in c and "width=64" in c for c in codes), codes
    screenshot(page, "classroom-share-box")

    # Download data → CSV: the file holds the chart's data and the settings
    page.keyboard.press("Escape")
    page.locator("[data-testid=stPopover] button", has_text="Download data").first.click()
    with page.expect_download() as dl:
        page.locator("[data-testid=stDownloadButton] button", has_text="CSV").first.click()
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "# width,64" in text and "# page,welcome" in text
    assert f"# url,{base_url}/?width=64" in text
    rows = list(csv.DictReader(io.StringIO("\n".join(l for l in text.splitlines() if not l.startswith("#")))))
    trace = page.locator(CHART).first.evaluate(
        "el => { const t = el._fullData.find(t => t.name.startsWith('network, width')); "
        "return {name: t.name, y: Array.from(t.y)}; }")
    got = [float(r["y"]) for r in rows if r["name"] == trace["name"]]
    assert got == pytest.approx(trace["y"], rel=1e-6)
    assert page.locator(NO_EXCEPTION).count() == 0
    assert not errors, errors


def test_gallery_card_opens_lesson_with_preset(page, base_url):
    errors = open_page(page, f"{base_url}/presets")
    cards = page.locator("[data-testid=stMain] [data-testid=stPageLink] a")
    assert cards.count() >= 5
    page.set_viewport_size({"width": 1400, "height": 1300})
    screenshot(page, "classroom-gallery")
    page.locator("[data-testid=stMain] [data-testid=stPageLink] a", has_text="Open /training").click()
    page.wait_for_url(re.compile(r"/training\?.*width=4096"))
    wait_for_app_idle(page)
    page.locator(CHART).first.wait_for(state="visible")
    assert page.locator("[data-testid=stAlert]", has_text="not valid").count() == 0
    assert page.locator(NO_EXCEPTION).count() == 0
    assert not errors, errors
