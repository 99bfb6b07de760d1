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
