"""Every lesson page and its Control specs, discovered at test time (for the fuzz and extremes tests).

Pages come from the navigation (``common.pages.lesson_pages``); each page's
controls are recorded by wrapping ``render_controls`` during one default
AppTest run, so pages added later are covered without editing the tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import common
import common.state
from common.pages import ENTRYPOINT, LessonPage, lesson_pages
from common.state import Control
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

PAGES: list[LessonPage] = lesson_pages()
DEFAULT_TITLE = next(p.title for p in PAGES if p.default)  # a check that a switch really happened
TIMEOUT = 180


@contextmanager
def recording(stop_after: bool = False) -> Iterator[list[tuple[str, tuple[Control, ...], dict]]]:
    """Record every ``render_controls(page_key, controls)`` call made inside the block.

    Yields a list of (page_key, controls, returned values). With ``stop_after``
    the page stops right after its controls (``st.stop()``): the rest of a page
    is a function of those values, so when they are the defaults it is the
    default run, already checked once.
    """
    import streamlit as st

    calls: list[tuple[str, tuple[Control, ...], dict]] = []
    original = common.state.render_controls

    def wrapper(page_key, controls, *args, **kwargs):
        values = original(page_key, controls, *args, **kwargs)
        calls.append((page_key, tuple(controls), dict(values)))
        if stop_after:
            st.stop()
        return values

    saved = (common.state.render_controls, common.render_controls)
    common.state.render_controls = common.render_controls = wrapper
    try:
        yield calls
    finally:
        common.state.render_controls, common.render_controls = saved


@dataclass
class PageRun:
    page: LessonPage
    controls: tuple[Control, ...]
    at: AppTest  # the default run
    n_charts: int


def controls_only(page: LessonPage, params: dict) -> tuple[AppTest, dict]:
    """Run ``page`` with ``params`` up to the end of its controls; returns (AppTest, control values)."""
    with recording(stop_after=True) as calls:
        at = run_page(page, params)
    values = {k: v for _, _, vals in calls for k, v in vals.items()}
    return at, values


def run_page(page: LessonPage, params: dict | None = None, timeout: float = TIMEOUT) -> AppTest:
    """A fresh session opened on the page's URL with ``params`` (as a shared link would be).

    Every page runs through the entrypoint (pages may link to each other with
    st.page_link, which needs the navigation): ``switch_page`` before the first
    run opens the session directly on the page, with ``params`` in its URL.
    """
    at = AppTest.from_file(str(ENTRYPOINT), default_timeout=timeout)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    if not page.default:
        # switch_page() before the first run hashes the *file name*, which is not the page's
        # url_path when they differ (kernel_at_init.py vs /kernel-at-init) and then silently
        # opens the default page; st.Page hashes its url_path, so request that hash.
        at.switch_page(str(page.script.relative_to(ENTRYPOINT.parent)))
        at._page_hash = calc_hash(page.url_path)
    at.run()
    if not page.default:
        assert at.title and at.title[0].value != DEFAULT_TITLE, (
            f"/{page.url} opened the default page", [e.message for e in at.exception])
    return at


def default_run(page: LessonPage) -> PageRun:
    """Run ``page`` with defaults (asserting no exception) and return its controls."""
    with recording() as calls:
        at = run_page(page)
    assert not at.exception, [e.message for e in at.exception]
    controls = tuple(c for _, cs, _ in calls for c in cs)
    return PageRun(page, controls, at, len(at.get("plotly_chart")))


def widget_value(at: AppTest, key: str):
    """The value of the widget with ``key`` (sidebar or main), or KeyError if the page shows none."""
    for kind in ("slider", "select_slider", "selectbox", "number_input", "toggle"):
        for w in at.get(kind):
            if getattr(w, "key", None) == key:
                return w.value
    raise KeyError(key)
