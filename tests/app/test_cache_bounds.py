"""Memory stays bounded: every st.cache_data / st.cache_resource in app/ has max_entries and a ttl.

Scans the source (all of app/, so modules added later are checked too) for
``@st.cache_data(...)`` / ``@st.cache_resource(...)`` decorators and direct calls.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
CACHES = ("cache_data", "cache_resource")


def cache_uses(path: Path) -> list[tuple[int, str, set[str]]]:
    """(line, decorator name, keyword names) for every cache decorator/call in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    decorated_calls = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in node.decorator_list:
                target = d.func if isinstance(d, ast.Call) else d
                if isinstance(target, ast.Attribute) and target.attr in CACHES:
                    kws = {k.arg for k in d.keywords} if isinstance(d, ast.Call) else set()
                    out.append((d.lineno, f"{target.attr} on {node.name}", kws))
                    if isinstance(d, ast.Call):
                        decorated_calls.add(id(d))
    for node in ast.walk(tree):  # st.cache_data(max_entries=…)(func) and similar
        if (isinstance(node, ast.Call) and id(node) not in decorated_calls
                and isinstance(node.func, ast.Attribute) and node.func.attr in CACHES):
            out.append((node.lineno, node.func.attr, {k.arg for k in node.keywords}))
    return out


def unbounded() -> list[str]:
    bad = []
    for path in sorted(APP.rglob("*.py")):
        for line, what, kws in cache_uses(path):
            missing = {"max_entries", "ttl"} - kws
            if missing:
                bad.append(f"{path.relative_to(APP.parent)}:{line} {what} lacks {', '.join(sorted(missing))}")
    return bad


def test_every_cache_has_max_entries_and_ttl():
    bad = unbounded()
    assert not bad, "unbounded caches:\n" + "\n".join(bad)


def test_scanner_finds_the_caches():
    uses = [u for p in APP.rglob("*.py") for u in cache_uses(p)]
    assert len(uses) >= 10  # the six lessons alone have more
    assert any("run_width" in what for _, what, _ in uses)


if __name__ == "__main__":
    print("\n".join(unbounded()) or "all caches bounded")
