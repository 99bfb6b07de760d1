"""common.warmup: a page's module-level WARMUP entries run after every page's default (and can be skipped)."""

from __future__ import annotations

from pathlib import Path

from common import warmup
from common.pages import LessonPage


def _page(tmp_path: Path, name: str, body: str) -> LessonPage:
    script = tmp_path / f"{name}.py"
    script.write_text(body)
    return LessonPage(script=script, url_path=name, title=name, default=False)


def test_extra_entries_run_after_all_defaults(tmp_path, monkeypatch):
    import builtins

    monkeypatch.setattr(builtins, "_warm_log", [], raising=False)
    a = _page(tmp_path, "a", "import builtins\nbuiltins._warm_log.append('a default')\n"
                             "WARMUP = [lambda: builtins._warm_log.append('a extra 1'),\n"
                             "          lambda: 1 / 0,\n"
                             "          lambda: builtins._warm_log.append('a extra 2')]\n")
    b = _page(tmp_path, "b", "import builtins\nbuiltins._warm_log.append('b default')\n")
    monkeypatch.setattr(warmup, "STATUS", {"state": "idle", "seconds": {}, "errors": {}, "total": None})
    seconds = warmup.warm([a, b], log=lambda msg: None)
    assert builtins._warm_log == ["a default", "b default", "a extra 1", "a extra 2"]  # an error does not stop
    assert "/a (extra)" in seconds and "ZeroDivisionError" in warmup.STATUS["errors"]["/a (extra)"]

    builtins._warm_log.clear()
    monkeypatch.setenv(warmup.EXTRA_ENV, "0")
    warmup.warm([a, b], log=lambda msg: None)
    assert builtins._warm_log == ["a default", "b default"]


def test_beyond_mlps_declares_extra_settings():
    import ast

    script = Path(__file__).resolve().parents[2] / "app" / "lessons" / "beyond_mlps.py"
    names = {t.id for node in ast.parse(script.read_text()).body if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Name)}
    assert "WARMUP" in names


SLIDER_PAGE = """import builtins
from common.state import Control, render_controls
v = render_controls("n", [Control("w", "w", "slider", 0.8, min=0.5, max=0.85, step=0.05),
                          Control("k", "k", "select_slider", 16, options=(8, 16, 32)),
                          Control("a", "a", "selectbox", "relu", options=("relu", "erf"))])
builtins._warm_log.append((v["w"], v["k"], v["a"]))
"""


def test_neighbours_one_step_from_each_default(tmp_path, monkeypatch):
    """After defaults and extras, each ordered control is run one step below and above its default
    (the others at their defaults); float steps are exact (0.8 + 0.05 is 0.85, the URL's value)."""
    import builtins
    import threading

    from common import state

    monkeypatch.setattr(builtins, "_warm_log", [], raising=False)
    monkeypatch.setattr(warmup, "STATUS", {"state": "idle", "seconds": {}, "errors": {}, "total": None})
    page = _page(tmp_path, "n", SLIDER_PAGE)
    seconds = warmup.warm([page], log=lambda msg: None)
    assert builtins._warm_log == [(0.8, 16, "relu"), (0.75, 16, "relu"), (0.85, 16, "relu"),
                                  (0.8, 8, "relu"), (0.8, 32, "relu")]
    assert "/n (neighbours)" in seconds and not warmup.STATUS["errors"]

    # the override belongs to the warm-up's thread: a page run on another thread gets the defaults
    builtins._warm_log.clear()
    with state.overridden_controls({"w": 0.5}):
        t = threading.Thread(target=warmup.run_page, args=(page,))
        t.start()
        t.join()
    assert builtins._warm_log == [(0.8, 16, "relu")]

    builtins._warm_log.clear()
    monkeypatch.setenv(warmup.NEIGHBOURS_ENV, "0")
    warmup.warm([page], log=lambda msg: None)
    assert builtins._warm_log == [(0.8, 16, "relu")]


def test_neighbours_and_canonical_values():
    from common.state import Control, canonical, neighbours

    assert neighbours(Control("d", "d", "slider", 1, min=1, max=6, step=1)) == [2]
    assert neighbours(Control("x", "x", "slider", 0.5, min=0.0, max=1.0)) == [0.49, 0.51]  # default step 0.01
    assert neighbours(Control("o", "o", "select_slider", "b", options=("a", "b"))) == ["a"]
    assert neighbours(Control("t", "t", "toggle", False)) == []
    c = Control("x", "x", "slider", 0.8, min=0.0, max=1.0, step=0.05)
    assert canonical(c, 0.8 + 0.05) == 0.85 and canonical(c, 0.31) == 0.3  # noise removed, snapped to the grid
    tiny = Control("t", "t", "slider", 1e-7, min=0.0, max=1e-6, step=1e-7)
    assert canonical(tiny, 1e-7 * 3) == 3e-7


def test_release_comes_after_the_extras_and_before_the_neighbours(tmp_path, monkeypatch):
    """warm(release=True): the extras' compiled programs are dropped, the neighbours' are kept
    (they serve the settings visitors reach first)."""
    import builtins

    monkeypatch.setattr(builtins, "_warm_log", [], raising=False)
    monkeypatch.setattr(warmup, "STATUS", {"state": "idle", "seconds": {}, "errors": {}, "total": None})
    monkeypatch.setattr(warmup, "release_compiled", lambda log: builtins._warm_log.append("release"))
    monkeypatch.setattr(warmup, "_rss_mb", lambda: 900.0)
    page = _page(tmp_path, "n", SLIDER_PAGE + "WARMUP = [lambda: builtins._warm_log.append('extra')]\n")
    warmup.warm([page], log=lambda msg: None, release=True)
    assert builtins._warm_log == [(0.8, 16, "relu"), "extra", "release", (0.75, 16, "relu"),
                                  (0.85, 16, "relu"), (0.8, 8, "relu"), (0.8, 32, "relu")]
    # the memory budget (NTK_LAB_WARMUP_KEEP_MB, default 1450 MB): with no room for a page's
    # neighbours (900 MB + RESERVE_MB > 800) they are not run; with budget 0 they run and their
    # programs are dropped
    neighbours = [(0.75, 16, "relu"), (0.85, 16, "relu"), (0.8, 8, "relu"), (0.8, 32, "relu")]
    for budget, released, ran in ((None, 1, True), ("800", 1, False), ("0", 2, True), ("lots", 1, True)):
        if budget is None:
            monkeypatch.delenv(warmup.KEEP_MB_ENV, raising=False)
        else:
            monkeypatch.setenv(warmup.KEEP_MB_ENV, budget)
        builtins._warm_log.clear()
        warmup.warm([page], log=lambda msg: None, release=True)
        assert builtins._warm_log.count("release") == released, budget
        assert all(v in builtins._warm_log for v in neighbours) == ran, budget
        assert builtins._warm_log[-1] == ("release" if released == 2 or not ran else (0.8, 32, "relu"))
    # ... and so do those of a page whose one-step settings alone add more than PAGE_KEEP_MB
    monkeypatch.delenv(warmup.KEEP_MB_ENV)
    growing = iter(range(600, 100_000, warmup.PAGE_KEEP_MB + 1))  # each reading: > PAGE_KEEP_MB more
    monkeypatch.setattr(warmup, "_rss_mb", lambda: float(next(growing)))
    builtins._warm_log.clear()
    warmup.warm([page], log=lambda msg: None, release=True)
    assert builtins._warm_log.count("release") == 2 and builtins._warm_log[-1] == "release"
    builtins._warm_log.clear()
    warmup.warm([page], log=lambda msg: None)  # the foreground warm-up (python -m app.warmup) keeps all
    assert "release" not in builtins._warm_log


def test_budget_leaves_the_last_pages_to_visitors(tmp_path, monkeypatch):
    """Neighbours run only while there is room for one more page (the largest growth kept so far):
    a page that overflowed the budget would make the warm-up drop every program kept before it."""
    import builtins

    monkeypatch.setattr(builtins, "_warm_log", [], raising=False)
    monkeypatch.setattr(warmup, "STATUS", {"state": "idle", "seconds": {}, "errors": {}, "total": None})
    monkeypatch.setattr(warmup, "release_compiled", lambda log: builtins._warm_log.append("release"))
    monkeypatch.setenv(warmup.KEEP_MB_ENV, "1400")
    pages = [_page(tmp_path, name, SLIDER_PAGE.replace('"n"', repr(name))) for name in ("p1", "p2", "p3")]
    # readings: start of p1's neighbours, after them (+150 MB, kept: the reserve becomes 150),
    # start of p2's (1150 + 150 <= 1400), after them (+140), start of p3's (1290 + 150 > 1400)
    readings = iter([1000.0, 1150.0, 1150.0, 1290.0, 1290.0] + [1290.0] * 10)
    monkeypatch.setattr(warmup, "_rss_mb", lambda: next(readings))
    logs: list[str] = []
    warmup.warm(pages, log=logs.append, release=True)
    defaults = [(0.8, 16, "relu")] * 3
    assert builtins._warm_log[:4] == defaults + ["release"]
    assert len(builtins._warm_log) == 4 + 2 * 4 and builtins._warm_log.count("release") == 1  # p1, p2 only
    assert "/p3 (neighbours)" not in warmup.STATUS["seconds"] and "/p2 (neighbours)" in warmup.STATUS["seconds"]
    assert any("1290 MB + 150 MB reserve > 1400 MB" in m and "/p3" in m for m in logs), logs


def test_warmup_keeps_within_the_process_memory_budget(tmp_path, monkeypatch):
    """NTK_LAB_MEMORY_MB caps the warm-up's keep budget (room left for visitors), and the warm-up
    applies the process budget after every page, extra and neighbour setting (as every run does)."""
    from common import memory

    monkeypatch.delenv(warmup.KEEP_MB_ENV, raising=False)
    for budget, keep in ((None, warmup.KEEP_MB), ("1000", 1000 - memory.HEADROOM_MB - memory.REGROW_MB), ("0", warmup.KEEP_MB),
                         ("100", 0.0), ("junk", warmup.KEEP_MB)):
        if budget is None:
            monkeypatch.delenv(memory.BUDGET_ENV, raising=False)
        else:
            monkeypatch.setenv(memory.BUDGET_ENV, budget)
        assert warmup._keep_mb() == keep, budget
    monkeypatch.delenv(memory.BUDGET_ENV)
    import builtins

    monkeypatch.setattr(builtins, "_warm_log", [], raising=False)
    monkeypatch.setattr(warmup, "STATUS", {"state": "idle", "seconds": {}, "errors": {}, "total": None})
    monkeypatch.setattr(warmup, "_rss_mb", lambda: 900.0)
    monkeypatch.setattr(memory, "enforce", lambda *a, **k: builtins._warm_log.append("enforce"))
    page = _page(tmp_path, "n", SLIDER_PAGE + "WARMUP = [lambda: builtins._warm_log.append('extra')]\n")
    warmup.warm([page], log=lambda msg: None)
    assert builtins._warm_log == [(0.8, 16, "relu"), "enforce", "extra", "enforce"] + [
        x for v in [(0.75, 16, "relu"), (0.85, 16, "relu"), (0.8, 8, "relu"), (0.8, 32, "relu")] for x in (v, "enforce")]
