"""URL values are option keys (issue 14): every select control of every page takes its short key in
the URL (``/drift?param=mup``), its display label too (older links, any case), and every link the app
writes (the Share box, presets, guided-tour settings) uses keys.

Pages and controls are discovered at test time (``pagecontrols``): one run per page and option index
sets every select control of the page to its i-th option at once, written as key, as label and as
upper-case label.
"""

from __future__ import annotations

import pytest
from common import classroom
from common.state import Control
from pagecontrols import PAGES, controls_only, default_run, widget_value

SELECTS = ("select_slider", "selectbox")


@pytest.fixture(scope="module")
def page_controls():
    return {p.url: (p, default_run(p).controls) for p in PAGES}


def _selects(controls) -> list[Control]:
    return [c for c in controls if c.kind in SELECTS]


@pytest.mark.parametrize("form", ["key", "label", "LABEL"])
def test_every_option_round_trips_by_key_and_label(page_controls, form):
    problems = []
    for url, (page, controls) in page_controls.items():
        selects = _selects(controls)
        for i in range(max((len(c.options) for c in selects), default=0)):
            chosen = {c.key: c.options[i % len(c.options)] for c in selects}
            specs = {c.key: c for c in selects}
            text = {"key": lambda c, v: c.key_text(v), "label": lambda c, v: c.fmt(v),
                    "LABEL": lambda c, v: c.fmt(v).upper()}[form]
            todo = dict(chosen)
            while todo:  # a control another one switches off (a section's own) gets a run of its own
                params = {k: text(specs[k], v) for k, v in todo.items()}
                at, values = controls_only(page, params)
                notes = [w.value for w in at.warning if "URL parameter" in w.value]
                if at.exception or notes:
                    problems.append(f"/{url}?{params}: {[e.message for e in at.exception]} {notes}")
                    break
                problems += _check(url, specs, todo, params, at, values)
                missing = set(todo) - set(values)
                if missing == set(todo):
                    problems.append(f"/{url}?{params}: none of {sorted(missing)} is on the page")
                todo = {k: v for k, v in todo.items() if k in missing} if missing != set(todo) else {}
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:30])


def _check(url, specs, chosen, params, at, values) -> list[str]:
    """Problems of one run: a control on the page that did not get its chosen option, in the
    returned value, the widget or the URL (which must hold the key, or nothing at the default)."""
    problems = []
    for k, v in chosen.items():
        if k not in values:  # not on the page in this run (another control switched it off)
            continue
        where = f"/{url}?{k}={params[k]!r}"
        if values[k] != v:
            problems.append(f"{where}: got {values[k]!r}, want {v!r}")
        try:
            if widget_value(at, k) != v:
                problems.append(f"{where}: widget shows {widget_value(at, k)!r}")
        except KeyError:
            pass
        url_now = at.query_params.get(k)
        url_now = url_now[-1] if isinstance(url_now, list) else url_now
        want = None if v == specs[k].default else specs[k].key_text(v)
        if url_now is not None and url_now != want:
            problems.append(f"{where}: the URL keeps {url_now!r}, want {want!r}")
    return problems


def test_drift_takes_mup_and_shares_keys(page_controls):
    page, controls = page_controls["drift"]
    at, values = controls_only(page, {"param": "mup"})
    assert not at.exception and not [w for w in at.warning if "URL parameter" in w.value]
    assert values["param"] == "mup" and widget_value(at, "param") == "mup"
    at2, values2 = controls_only(page, {"param": "NTK (Jacot)", "alpha": "0.1"})
    assert values2["param"] == "ntk" and values2["alpha"] == 0.1
    at3, values3 = controls_only(page, {"param": "nope"})  # the note lists what a URL takes: the keys
    assert values3["param"] == "ntk"
    assert any("param=`'nope'` is not valid (one of ntk, standard, mup)" in w.value for w in at3.warning)
    link = classroom.link(controls, {c.key: c.default for c in controls} | {"param": "mup", "alpha": 0.1})
    assert "param=mup" in link and "alpha=0.1" in link and "%CE%BC" not in link


def test_links_the_app_writes_use_keys(page_controls):
    """Presets' parameters and guided-tour settings, written as the app writes them, are option keys."""
    import presets
    from guides import GUIDES

    by_page = {url: {c.key: c for c in controls} for url, (_, controls) in page_controls.items()}
    bad = []
    for p in presets.PRESETS:
        specs = by_page.get(p.page, {})
        for k, raw in p.params.items():
            c = specs.get(k)
            if c is None or c.kind not in SELECTS:
                continue
            ok, value = c.parse(raw)
            if not ok or raw != c.key_text(value):
                bad.append(f"preset {p.name!r}: {k}={raw!r} is not a key ({c.key_text(value) if ok else '?'})")
    for name, steps in GUIDES.items():
        specs = next((by_page[url] for url, (page, _) in page_controls.items() if page.script.stem == name), {})
        assert specs, name
        for step in steps:
            for k, v in step.settings.items():
                c = specs.get(k)
                if c is not None and c.kind in SELECTS and v not in c.options:
                    bad.append(f"guide {name} {step.title!r}: {k}={v!r} is not an option key")
    assert not bad, "\n".join(bad)


def test_labels_are_display_only():
    c = Control("p", "P", "selectbox", "a", options=("a", "b"), labels={"a": "Alpha (A)", "b": "Beta"})
    assert c.keyed and c.fmt("a") == "Alpha (A)" and c.key_text("a") == "a"
    assert c.read("b") == ("ok", "b") and c.read("beta") == ("ok", "b") and c.read("ALPHA (A)") == ("ok", "a")
    assert c.read("c") == ("invalid", None)
    with pytest.raises(ValueError, match="labels"):
        Control("p", "P", "selectbox", "a", options=("a", "b"), labels={"a": "A"})
    n = Control("n", "N", "select_slider", 1.0, options=(0.1, 1.0, 10.0), format_func=lambda x: f"{x:g}")
    assert not n.keyed and n.read("1.0") == ("ok", 1.0) and n.key_text(1.0) == "1"
