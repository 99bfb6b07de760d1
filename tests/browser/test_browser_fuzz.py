"""Malformed links in the real browser: the page renders with defaults, a visible note, no exception.

The bulk of the URL fuzzing runs in AppTest (tests/app/test_url_fuzz.py); here a
handful of raw, percent-encoded query strings go through the browser, the
server's URL parsing and the frontend's widget binding.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from stbrowser import CHART, open_page, screenshot

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "app"))
from common.pages import lesson_pages

PAGES = lesson_pages()
# Raw query strings (keys common to many pages; a page reports the ones it has).
QUERIES = [
    "width=-5&lr=NaN&steps=1e99&seed=abc&zz=1",
    "width=256&width=1024&depth=%F0%9F%92%A5&activation=nope&lr=",
    "steps=" + "9" * 3000 + "&seed=-1&width=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "lr=1e-400&depth=0x10&width=%EF%BC%92%EF%BC%95%EF%BC%96&task=%00&seed=1.5",
    "depth=-2&width=4096.5&lr=inf&steps=&&&=&%E5%AE%BD%E5%BA%A6=1",
]
CASES = [(PAGES[i % len(PAGES)] if i else PAGES[0], q) for i, q in enumerate(QUERIES)]


@pytest.mark.browser
@pytest.mark.parametrize("lesson, query", CASES, ids=[f"{p.url or 'home'}-{i}" for i, (p, _) in enumerate(CASES)])
def test_malformed_link_renders_defaults_with_note(page, base_url, lesson, query):
    errors = open_page(page, f"{base_url}/{lesson.url}?{query}")
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.locator("[data-testid=stMain] h1").first.inner_text().strip()
    keys = {kv.split("=", 1)[0] for kv in query.split("&") if "=" in kv}
    keys = {k for k in keys if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", k)}  # control keys are identifiers
    present = [k for k in keys if page.locator(f"[data-testid=stSidebar] .st-key-{k}").count()]
    sidebar = page.locator("[data-testid=stSidebar]").inner_text()
    for k in present:
        assert f"URL parameter {k}=" in sidebar, (k, sidebar[:500])
    search = page.evaluate("() => location.search")
    for k in present:  # invalid values were removed from the address bar; an off-grid number is snapped there
        snapped = re.search(rf"URL parameter {k}=.* is between the allowed values; using the nearest, (\S+)", sidebar)
        if snapped:
            assert f"{k}={snapped.group(1)}" in search, (k, search)
        else:
            assert f"{k}=" not in search, (k, search)
    if page.locator(CHART).count():
        page.locator(CHART).first.wait_for(state="visible")
    assert not errors, errors
    screenshot(page, f"fuzz_{lesson.name}_{QUERIES.index(query)}")
