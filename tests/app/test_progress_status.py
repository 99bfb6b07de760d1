"""``common.state.progress`` (issue 14): the status box shows a running indicator while the work runs
and the ✓ (state "complete") only once it has finished; an error turns it red."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest


def _app():
    import sys
    from pathlib import Path

    import streamlit as st

    sys.path.insert(0, str(Path.cwd() / "app"))
    from common.state import progress

    mode = st.query_params.get("mode", "finish")
    with progress("Training…", "Trained") as p:
        p.update(0.5, "Training width 128 (3/6)…")
        if mode == "stop":  # the script ends here, inside the block: the box as the visitor sees it mid-run
            st.stop()
        if mode == "fail":
            raise RuntimeError("boom")


def _status(at: AppTest):
    """(label, state icon, state) of the page's single status box."""
    boxes = at.get("status")
    assert len(boxes) == 1, boxes
    exp = boxes[0].proto
    return exp.label, exp.icon, exp.state


def _run(mode: str, monkeypatch) -> AppTest:
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    at = AppTest.from_function(_app, default_timeout=60)
    at.query_params["mode"] = mode
    return at.run()


def test_running_status_has_no_check_mark(monkeypatch):
    label, icon, state = _status(_run("stop", monkeypatch))
    assert label == "Training width 128 (3/6)…"
    assert icon == "spinner" and "check" not in icon, icon


def test_finished_status_has_the_check_mark(monkeypatch):
    at = _run("finish", monkeypatch)
    assert not at.exception
    label, icon, state = _status(at)
    assert label.startswith("Trained (") and label.endswith(" s)")
    assert icon == ":material/check:"


def test_failed_status_is_an_error(monkeypatch):
    at = _run("fail", monkeypatch)
    label, icon, state = _status(at)
    assert label == "Training… — failed" and icon == ":material/error:"
