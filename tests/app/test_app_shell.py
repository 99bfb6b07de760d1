"""AppTest smoke tests of the app shell (entrypoint + navigation)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py")
PAGES = {
    "lessons/welcome.py": "Welcome",
    "lessons/kernel_at_init.py": "The kernel at initialization",
    "lessons/training.py": "Training is kernel regression",
    "lessons/drift.py": "Kernel drift: lazy vs rich",
    "lessons/spectrum.py": "Spectrum and spectral bias",
    "lessons/nngp.py": "NNGP and ensembles",
}


def test_default_page_is_welcome():
    at = AppTest.from_file(ENTRY, default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title and at.title[0].value == "Welcome"


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs(page):
    at = AppTest.from_file(ENTRY, default_timeout=120).run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, f"{page} rendered no st.title"


def _page_links(at: AppTest) -> list[tuple[str, str]]:
    """The previous/next links (the Welcome page also links to every lesson)."""
    return [(e.proto.label, e.proto.page) for e in at.get("page_link")
            if e.proto.label.startswith(("Previous: ", "Next: "))]


def test_every_lesson_links_to_the_previous_and_next_lesson():
    """The course reads in the sidebar's order: the first page links forward only, a middle page both ways."""
    from common.pages import lesson_pages

    pages = lesson_pages()
    at = AppTest.from_file(ENTRY, default_timeout=120).run()
    links = _page_links(at)
    assert [label for label, _ in links] == [f"Next: {pages[1].title}"], links
    at.switch_page("lessons/training.py").run()
    assert not at.exception
    i = [p.name for p in pages].index("training")
    assert [label for label, _ in _page_links(at)] == [f"Previous: {pages[i - 1].title}",
                                                       f"Next: {pages[i + 1].title}"]


def test_jax_env_defaults_set_before_jax():
    import os

    import common  # noqa: F401

    assert os.environ["JAX_PLATFORMS"] == "cpu"
    assert os.environ["JAX_COMPILATION_CACHE_DIR"]


def test_run_log_records_completed_runs(tmp_path, monkeypatch):
    """NTK_LAB_RUN_LOG (used by benchmarks/load_test.py): one line per completed script run."""
    from common import runlog

    log = tmp_path / "runs.log"
    monkeypatch.setenv(runlog.ENV, str(log))
    at = AppTest.from_file(ENTRY, default_timeout=120)
    at.query_params["width"] = "64"
    at.run()
    assert not at.exception
    ((t, seconds, page, query),) = runlog.read(str(log))
    assert page == "home" and 0 < seconds < 120 and t > 1.7e9
    assert "width=64" in query.split("&")  # enough to replay the run alone
    monkeypatch.delenv(runlog.ENV)
    at.run()
    assert len(runlog.read(str(log))) == 1  # off without the variable
