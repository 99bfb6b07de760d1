"""Citations: every work the app or ntkcore cites in running text has an entry in app/references.py, and
every lesson ends with a reference list of known keys."""

from __future__ import annotations

import ast
import re

import pytest
from apptest_util import LESSONS, ROOT
from common.pages import lesson_pages

import references as R

# "Lee et al. 2019", "Yang & Hu 2021", "Spigler, Geiger & Wyart 2020", "Lewkowycz et al. (2020"
CITATION = re.compile(r"\b([A-Z][a-zA-Z\-]+)(?: et al\.| & [A-Z][a-zA-Z\-]+(?: & [A-Z][a-zA-Z\-]+)?"
                      r"|, [A-Z][a-zA-Z\-]+ & [A-Z][a-zA-Z\-]+) \(?((?:19|20)\d\d)")


def test_every_in_text_citation_has_an_entry():
    known = {(r.short.split()[0].rstrip(","), str(r.year)) for r in R.REFERENCES.values()}
    files = sorted((ROOT / "app").rglob("*.py")) + sorted((ROOT / "ntkcore").rglob("*.py"))
    missing = {}
    for f in files:
        for m in CITATION.finditer(f.read_text(encoding="utf-8")):
            if (m.group(1), m.group(2)) not in known:
                missing.setdefault(f"{m.group(1)} {m.group(2)}", f.relative_to(ROOT).as_posix())
    assert not missing, missing


def test_entries_are_complete():
    for key, ref in R.REFERENCES.items():
        assert ref.key == key
        assert ref.authors and ref.title and ref.venue and ref.relied_on, key
        assert str(ref.year) in ref.short and 1900 < ref.year < 2030, key


def _reference_keys(script) -> list[str] | None:
    """The keys passed to ``references([...])`` in a lesson script, or None if it never calls it."""
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "references"
                and node.args and isinstance(node.args[0], ast.List)):
            return [ast.literal_eval(e) for e in node.args[0].elts]
    return None


@pytest.mark.parametrize("page", [p for p in lesson_pages() if p.name != "presets"], ids=lambda p: p.name)
def test_every_lesson_ends_with_known_references(page):
    keys = _reference_keys(LESSONS / page.script.name)
    assert keys, f"{page.name} has no references([...]) list"
    assert set(keys) <= set(R.REFERENCES), set(keys) - set(R.REFERENCES)
    assert R.cite(keys[0]) == R.REFERENCES[keys[0]].short
