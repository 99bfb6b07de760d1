"""The list of lesson pages, read from ``app/streamlit_app.py`` (the one place pages are declared).

Scripts that need every page — the start-up warm-up (``common.warmup``), the
URL fuzz and extremes tests, the load and memory benchmarks — call
``lesson_pages()`` instead of keeping their own copy, so a page appended to the
navigation is picked up everywhere. The entrypoint is parsed, not executed
(executing it needs a running Streamlit session): every
``st.Page(LESSONS / "<file>.py", ..., url_path="...")`` call is a page, in
file order; callables (like the ``/welcome`` alias) are skipped.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

APP_DIR = Path(__file__).resolve().parents[1]
ENTRYPOINT = APP_DIR / "streamlit_app.py"
LESSONS = APP_DIR / "lessons"


@dataclass(frozen=True)
class LessonPage:
    script: Path  # absolute path of the page script
    url_path: str  # as declared ("home" for the default page)
    title: str
    default: bool  # served at "/"

    @property
    def url(self) -> str:
        """Path part of the page's URL: "" for the default page, else the url_path."""
        return "" if self.default else self.url_path

    @property
    def name(self) -> str:
        """Script stem, e.g. "kernel_at_init" (also AppTest's ``lessons/<name>.py``)."""
        return self.script.stem


def _kw(call: ast.Call, name: str):
    for k in call.keywords:
        if k.arg == name and isinstance(k.value, ast.Constant):
            return k.value.value
    return None


def lesson_pages(entrypoint: Path = ENTRYPOINT) -> list[LessonPage]:
    """Every ``st.Page(LESSONS / "x.py", …)`` of the entrypoint, default page first."""
    tree = ast.parse(entrypoint.read_text(encoding="utf-8"))
    found: list[tuple[int, LessonPage]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "Page" and node.args):
            continue
        arg = node.args[0]
        if not (isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Div)
                and isinstance(arg.right, ast.Constant) and isinstance(arg.right.value, str)):
            continue  # a callable page (alias) or something this parser does not know
        script = LESSONS / arg.right.value
        url_path = _kw(node, "url_path") or script.stem
        found.append((node.lineno, LessonPage(script, url_path, _kw(node, "title") or script.stem,
                                              bool(_kw(node, "default")))))
    # ast.walk is breadth-first: sort by line (file order), the default page first.
    return [p for _, p in sorted(found, key=lambda lp: (not lp[1].default, lp[0]))]
