"""End-to-end: the app shell in a real browser, and URL state round trips."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from stbrowser import CHART, open_page, screenshot, step_slider, wait_for_app_idle

pytestmark = pytest.mark.browser

PAGES = {
    "welcome": "Welcome",
    "kernel-at-init": "The kernel at initialization",
    "training": "Training is kernel regression",
    "drift": "Kernel drift: lazy vs rich",
    "spectrum": "Spectrum and spectral bias",
    "nngp": "NNGP and ensembles",
}


def url_params(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query, keep_blank_values=True).items()}


@pytest.mark.parametrize("path, title", list(PAGES.items()))
def test_page_loads_by_url(page, base_url, path, title):
    errors = open_page(page, f"{base_url}/{path}", height=None)

    assert page.locator("[data-testid=stException]").count() == 0
    h1 = page.locator("[data-testid=stMain] h1").first
    h1.wait_for()
    assert h1.inner_text().strip() == title
    # the default page (welcome) is shown at "/": Streamlit rewrites /welcome to /
    assert urlparse(page.url).path in ({f"/{path}", "/"} if path == "welcome" else {f"/{path}"})

    links = page.locator("[data-testid=stSidebar] [data-testid=stSidebarNavLink]")
    # the six core lessons come first; later sections (other architectures, classroom…) follow
    assert links.count() >= 6
    hrefs = [urlparse(links.nth(i).get_attribute("href")).path for i in range(6)]
    assert hrefs[1:] == [f"/{p}" for p in list(PAGES)[1:]], hrefs
    assert hrefs[0] in ("/", "/welcome"), hrefs
    texts = [links.nth(i).inner_text() for i in range(6)]
    assert all(t in txt for t, txt in zip(PAGES.values(), texts)), texts

    shot = screenshot(page, f"page-{path}")
    assert shot.stat().st_size > 10_000
    assert not errors, errors


def test_root_url_opens_welcome_and_nav_click_switches_page(page, base_url):
    page.goto(base_url)
    wait_for_app_idle(page)
    assert page.locator("[data-testid=stMain] h1").first.inner_text().strip() == "Welcome"
    page.locator("[data-testid=stSidebarNavLink]", has_text="NNGP and ensembles").click()
    page.wait_for_url(re.compile(r"/nngp$"))
    wait_for_app_idle(page)
    page.locator("[data-testid=stMain] h1", has_text="NNGP and ensembles").wait_for()
    assert page.locator("[data-testid=stException]").count() == 0


# --- URL <-> widget state (state.py), on tests/app/state_demo_app.py -----------
# No lesson has controls yet, so the round trip is tested on the demo app,
# which is served by its own streamlit server.


def values_line(page) -> str:
    loc = page.locator("[data-testid=stMarkdownContainer] p", has_text="VALUES ")
    return loc.first.inner_text()


def slider_value(page, key: str) -> str:
    # Streamlit 1.67 sliders are react-aria: a visually hidden <input type=range>
    return page.locator(f".st-key-{key} input[type=range]").input_value()


def test_url_state_round_trip(page, state_demo_url):
    # 1. valid URL params seed the widgets
    page.goto(f"{state_demo_url}/?width=512&activation=erf")
    wait_for_app_idle(page)
    assert "width=512" in values_line(page) and "activation='erf'" in values_line(page)
    assert slider_value(page, "width") == "512"
    assert page.locator("[data-testid=stSidebar] [data-testid=stAlert]").count() == 0

    # 2. changing a widget writes the URL (slider via keyboard: +1 step of 16)
    step_slider(page, "width", "width=528")
    assert "width=528" in values_line(page)

    page.locator(".st-key-activation [role=combobox]").first.click()
    page.locator("[role=option]", has_text="tanh").click()
    page.wait_for_function("() => location.search.includes('activation=tanh')")
    wait_for_app_idle(page)
    assert "activation='tanh'" in values_line(page)
    assert url_params(page) == {"width": "528", "activation": "tanh"}
    screenshot(page, "state-demo-changed")

    # 3. a copied link reproduces the state in a fresh page
    copied = page.url
    other = page.context.new_page()
    other.goto(copied)
    wait_for_app_idle(other)
    assert "width=528" in values_line(other) and "activation='tanh'" in values_line(other)
    other.close()

    # 4. Reset to defaults: widgets back to defaults, URL params cleared
    # a button with help= renders a hidden twin (layout measuring): click the visible one
    page.locator(".st-key-_ntk_reset_demo button:visible").click()
    page.wait_for_function("() => location.search === ''")
    wait_for_app_idle(page)
    line = values_line(page)
    assert "width=256" in line and "activation='relu'" in line
    assert slider_value(page, "width") == "256"
    assert url_params(page) == {}


@pytest.mark.parametrize(
    "query, expected_fragments",
    [
        ("width=abc", ["width='abc' is not valid (16–4096); using default 256"]),
        ("width=-5", ["width='-5' is not valid"]),
        ("width=1e9", ["width='1e9' is not valid"]),
        ("activation=foo&depth=3",
         ["activation='foo' is not valid (one of relu, erf, tanh); using default relu"]),
    ],
)
def test_malformed_url_param_warns_and_falls_back(page, state_demo_url, query, expected_fragments):
    page.goto(f"{state_demo_url}/?{query}")
    wait_for_app_idle(page)
    alert = page.locator("[data-testid=stSidebar] [data-testid=stAlert]")
    assert alert.count() == 1
    text = alert.inner_text()
    for frag in expected_fragments:
        assert frag in text
    line = values_line(page)
    assert "width=256" in line and "activation='relu'" in line
    params = url_params(page)
    assert "width" not in params and "activation" not in params  # dropped from URL
    if "depth=3" in query:
        assert "depth=3" in line and params.get("depth") == "3"  # valid one kept
    screenshot(page, f"state-demo-malformed-{query}")


def test_figure_helpers_render_and_animate(page, state_demo_url):
    page.goto(state_demo_url)
    wait_for_app_idle(page)
    plots = page.locator(CHART)
    plots.nth(1).wait_for(state="visible")
    assert plots.count() == 2
    n_frames = plots.nth(1).evaluate("el => el._transitionData._frames.length")
    assert n_frames == 5
    anim = plots.nth(1)
    assert anim.evaluate("el => el.layout.sliders[0].active") == 0
    anim.locator(".updatemenu-button", has_text="Play").click()
    # frames play client-side; the step slider follows them to the last frame
    page.wait_for_function(
        "el => el.layout.sliders[0].active === 4", arg=anim.element_handle(), timeout=15_000
    )
    assert page.locator("[data-testid=stException]").count() == 0
    screenshot(page, "state-demo-figures")
