"""A progress callback passed into an st.cache_data function must not break the next session's cache hit."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest


def _app():
    import sys
    from pathlib import Path

    import streamlit as st

    sys.path.insert(0, str(Path.cwd() / "app"))
    from common.state import progress

    @st.cache_data(max_entries=4, ttl=60, show_spinner=False)
    def slow_sum(n: int, _progress=None) -> int:
        total = 0
        for i in range(n):
            total += i
            if _progress is not None:
                _progress((i + 1) / n)
        return total

    with progress("Summing…", "Summed") as p:
        st.write(f"SUM {slow_sum(5, _progress=lambda f: p.update(f))}")


def test_cached_progress_callback_replays_in_a_new_session(monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    for _ in range(2):  # the second session is a cache hit: Streamlit replays what the first recorded
        at = AppTest.from_function(_app, default_timeout=60).run()
        assert not at.exception, [e.message for e in at.exception]
        assert [m.value for m in at.markdown if m.value.startswith("SUM")] == ["SUM 10"]
