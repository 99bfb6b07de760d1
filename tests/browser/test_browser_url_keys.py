"""URL keys in a real browser (issue 14): a select control that displays labels keeps its short key
in the address bar — read from a pasted link (key or old label link), written back after a change —
and a change of another (Streamlit-bound) control keeps it there."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from stbrowser import open_page, pick_option, step_slider, wait_for_app_idle

pytestmark = pytest.mark.browser


def _query(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def _select_text(page, key: str) -> str:
    return page.locator(f".st-key-{key} input[role=combobox]").input_value()


def test_drift_param_key_in_the_address_bar(page, base_url):
    errors = open_page(page, f"{base_url}/drift?param=mup", timeout_ms=180_000)
    assert page.locator("[data-testid=stException]").count() == 0
    assert "μP (maximal update)" in _select_text(page, "param")
    assert _query(page).get("param") == "mup"
    assert "URL parameter" not in page.locator("[data-testid=stSidebar]").inner_text()

    # a change of the labelled control writes its key
    pick_option(page, page.locator(".st-key-param input"), "standard")
    page.wait_for_function("() => new URLSearchParams(location.search).get('param') === 'standard'")
    wait_for_app_idle(page, timeout_ms=180_000)
    # a change of a bound control keeps it
    step_slider(page, "alpha", "alpha=", times=1)
    assert _query(page).get("param") == "standard"
    assert "standard" in _select_text(page, "param")

    # an old link with the label opens the same view and the address bar shows the key
    open_page(page, f"{base_url}/drift?param=%CE%BCP%20(maximal%20update)", timeout_ms=180_000)
    assert "μP (maximal update)" in _select_text(page, "param")
    page.wait_for_function("() => new URLSearchParams(location.search).get('param') === 'mup'")
    assert not errors, errors
