"""URL fuzz: seeded random malformed query strings on every page (AppTest).

For every page of the navigation (``common.pages.lesson_pages``, so new pages
are fuzzed too) the page's Control specs are recorded during one default run;
then ``N_CASES`` cases in all (round robin over the pages) each put 1–3
malformed values of the page's own controls in the URL — wrong types, huge and
negative numbers, NaN/inf, unknown option names, repeated keys, unicode, empty
and very long values, markup — sometimes together with unknown parameter
names and garbage classroom-mode parameters. Every case must render without an
exception, name each malformed parameter in the visible warning, keep every
shown widget at its default and draw the same number of charts as the default
run. Values that a control would accept (``Control.parse``) are not used: they
would be new settings, not malformed ones.

    NTK_FUZZ_CASES=1000 python -m pytest tests/app/test_url_fuzz.py   # more cases

Off-grid values (issue 20): every slider and integer input of every page gets a value between its
steps, in the link (snapped, with a note) and as a widget value (what a websocket message can
send); the value is 0.3 steps from the default, so it snaps back to the default and the page's
cached default computations serve the full render.
"""

from __future__ import annotations

import json
import os
import random

import pytest
from common.state import Control
from pagecontrols import PAGES, controls_only, default_run, recording, run_page, widget_value

SEED = 20261129
N_CASES = int(os.environ.get("NTK_FUZZ_CASES", "300"))
FULL_PER_PAGE = 2  # cases per page that also render the whole page

GARBAGE = [
    "", " ", "abc", "NaN", "nan", "inf", "-inf", "Infinity", "1e309", "1e30", "-1e30",
    "999999999999999999999999999", "-1", "-256", "-4096", "0x10", "1_0", "1,5", "½", "٣", "①",
    "💥", "ümlaut", "宽度", "null", "None", "undefined", "[]", "{}", "[1, 2]", "<script>alert(1)</script>",
    "%00", "\x00", "' OR 1=1 --", "../../etc/passwd", "9" * 5000, "a" * 10000, "1e-320",
    "--5", "5-", "1e", "e5", "+-1", "0b101", "\u202e1024", "1024\u200b", "\t", "\n", "True", "FALSE", "yes",
]
UNKNOWN_NAMES = ["foo", "Width", "WIDTH", "width ", "wïdth", "x" * 200, "__proto__", "page", "embed",
                 "seed[]", "lr;", "a.b", "日本", "🙂", "%20"]
MODE_PARAMS = ("hide", "show", "present", "guide")  # common.classroom (garbage values only)


def _derived(c: Control) -> list[str]:
    """Malformed values derived from the control's own spec."""
    out: list[str] = []
    if c.kind in ("slider", "number"):
        span = float(c.max) - float(c.min)
        out += [repr(float(c.max) + max(span, 1.0) * 10), repr(float(c.min) - max(span, 1.0)),
                repr(-abs(float(c.max)) - 1), f"{c.max}{c.max}", f"{c.default}abc"]
        if c.is_int:
            out += [f"{c.default}.5", f"{(float(c.min) + float(c.max)) / 2 + 0.25}"]
    elif c.kind in ("select_slider", "selectbox"):
        opts = [c.fmt(o) for o in c.options or ()]
        out += [o + "x" for o in opts[:2]] + ["-" + o for o in opts[:2]] + [o.upper() + "Z" for o in opts[:1]]
        out += [str(len(opts)), str(len(opts) + 7), f"'{opts[0]}'", f"{opts[0]},{opts[-1]}"]
        nums = [o for o in c.options or () if isinstance(o, int | float) and not isinstance(o, bool)]
        if nums:
            out += [repr(max(nums) * 2), repr(-max(nums)), repr(min(nums) / 3)]
    else:
        out += ["2", "-1", "tru", "truee", "ON"]
    return out


def _bad_value(c: Control, rng: random.Random) -> str | list[str]:
    """A raw URL value that ``c`` rejects (a single string, or a repeated key as a list)."""
    if rng.random() < 0.12:  # repeated key: rejected whatever the values are
        return [rng.choice(GARBAGE + _derived(c)) for _ in range(rng.randint(2, 3))]
    for _ in range(100):
        raw = rng.choice(GARBAGE) if rng.random() < 0.55 else rng.choice(_derived(c))
        if not c.parse(raw)[0]:
            return raw
    raise AssertionError(f"no malformed value found for {c}")


def make_cases(controls_by_page: dict[str, tuple[Control, ...]], n: int) -> list[tuple[str, dict, set[str]]]:
    """``n`` (page url, params, keys that must be reported) triples, round robin over the pages."""
    rng = random.Random(SEED)
    urls = sorted(controls_by_page)
    cases = []
    for i in range(n):
        url = urls[i % len(urls)]
        controls = list(controls_by_page[url])
        bad = rng.sample(controls, k=min(len(controls), rng.randint(1, 3)))
        params: dict = {c.key: _bad_value(c, rng) for c in bad}
        if not controls or rng.random() < 0.3:  # pages without controls: unknown names only
            for name in rng.sample(UNKNOWN_NAMES, k=rng.randint(1, 2)):
                if name not in params and name not in {c.key for c in controls}:
                    params[name] = rng.choice(GARBAGE[:40])
        if rng.random() < 0.15:
            mode = rng.choice(MODE_PARAMS)
            params[mode] = rng.choice(["0", "", "maybe", "💥", "-1", "9" * 300, "nonexistent,???", ",,,"])
        cases.append((url, params, {c.key for c in bad}))
    return cases


@pytest.fixture(scope="module")
def defaults():
    runs = {}
    for page in PAGES:
        runs[page.url] = default_run(page)
    return runs


def check(run, params: dict, must_report: set[str], at, values: dict | None, full: bool) -> list[str]:
    """Problems of one fuzz case (empty if it passed)."""
    shown = repr({k: (v if len(str(v)) < 60 else str(v)[:57] + "…") for k, v in params.items()})
    where = f"/{run.page.url}?{shown}"
    if at.exception:
        return [f"{where}: exception {[e.message for e in at.exception]}"]
    problems = []
    notes = "\n".join(w.value for w in at.warning)
    for key in must_report:
        if f"URL parameter {key}=" not in notes:
            problems.append(f"{where}: no note for {key!r}")
    for c in run.controls:
        got = values.get(c.key, c.default) if values is not None else c.default
        if got != c.default:
            problems.append(f"{where}: render_controls returned {c.key}={got!r}, default {c.default!r}")
        try:
            shown_value = widget_value(at, c.key)
        except KeyError:  # hidden by a classroom parameter, or (controls only) not reached
            continue
        if shown_value != c.default:
            problems.append(f"{where}: widget {c.key}={shown_value!r}, default {c.default!r}")
    if full and len(at.get("plotly_chart")) != run.n_charts:
        problems.append(f"{where}: {len(at.get('plotly_chart'))} charts, {run.n_charts} with defaults")
    return problems


def test_url_fuzz_every_page(defaults):
    """The bulk: every case up to the end of the page's controls (the rest of the page is the default run)."""
    cases = make_cases({u: r.controls for u, r in defaults.items()}, N_CASES)
    by_url = {p.url: p for p in PAGES}
    failures: list[str] = []
    for url, params, must_report in cases:
        at, values = controls_only(by_url[url], params)
        failures += check(defaults[url], params, must_report, at, values, full=False)
    assert not failures, f"{len(failures)} problems in {len(cases)} cases:\n" + "\n".join(failures[:30])


def test_url_fuzz_full_render(defaults):
    """A few cases per page rendered completely: same charts as the default run, no exception."""
    cases = make_cases({u: r.controls for u, r in defaults.items()}, FULL_PER_PAGE * len(PAGES))
    by_url = {p.url: p for p in PAGES}
    failures: list[str] = []
    for url, params, must_report in cases:
        at = run_page(by_url[url], params)
        failures += check(defaults[url], params, must_report, at, None, full=True)
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:30])


@pytest.mark.skipif(N_CASES < 100, reason="coverage of kinds is only guaranteed for many cases")
def test_cases_cover_every_page_and_kind(defaults):
    cases = make_cases({u: r.controls for u, r in defaults.items()}, N_CASES)
    assert {u for u, _, _ in cases} == {p.url for p in PAGES}
    values = [v for _, p, _ in cases for v in p.values()]
    assert any(isinstance(v, list) for v in values)  # repeated keys
    assert any(isinstance(v, str) and len(v) >= 5000 for v in values)  # very long
    assert any(v == "" for v in values)  # empty
    assert any(isinstance(v, str) and any(ord(ch) > 127 for ch in v) for v in values)  # unicode


def test_default_figures_are_valid_plotly(defaults):
    """Every chart a page sends is valid Plotly. Figure builders may skip Plotly's validation for
    speed (``animated_figure``, ``figures.cached``), so check what the browser receives."""
    import plotly.graph_objects as go

    bad = []
    for url, run in defaults.items():
        for i, chart in enumerate(run.at.get("plotly_chart")):
            try:
                go.Figure(json.loads(chart.proto.spec))
            except ValueError as e:
                bad.append(f"/{url} chart {i}: {str(e).splitlines()[0]}")
    assert not bad, "\n".join(bad)


def _off_grid(c: Control) -> float | None:
    """A value 0.3 steps from the default (inside [min, max]) for a slider or integer input, else None."""
    if c.kind == "slider":
        step = float(c.grid_step)
    elif c.kind == "number" and c.is_int:
        step = 1.0
    else:
        return None
    x = float(c.default) + 0.3 * step
    return x if x <= float(c.max) else float(c.default) - 0.3 * step


def _off_grid_controls(run) -> dict[str, float]:
    return {c.key: v for c in run.controls if (v := _off_grid(c)) is not None}


def test_off_grid_url_values_snap_on_every_page(defaults):
    """Every slider/integer input of a page off its grid in one link: a note per key, the defaults
    used, the same charts as the default run (the /scaling?r=1.3 crash happened after the controls)."""
    failures = []
    for page in PAGES:
        run = defaults[page.url]
        off = _off_grid_controls(run)
        if not off:
            continue
        with recording() as calls:
            at = run_page(page, {k: repr(v) for k, v in off.items()})
        where = f"/{page.url}?{off}"
        if at.exception:
            failures.append(f"{where}: {[e.message for e in at.exception]}")
            continue
        notes = "\n".join(w.value for w in at.warning)
        got = {k: v for _, _, vals in calls for k, v in vals.items()}
        for c in run.controls:
            if c.key in off:
                if f"URL parameter {c.key}=`{repr(repr(off[c.key]))}` is between the allowed values" not in notes:
                    failures.append(f"{where}: no snap note for {c.key}: {notes[:300]}")
                if got.get(c.key) != c.default or type(got.get(c.key)) is not type(c.default):
                    failures.append(f"{where}: {c.key}={got.get(c.key)!r}, expected {c.default!r}")
        if len(at.get("plotly_chart")) != run.n_charts:
            failures.append(f"{where}: {len(at.get('plotly_chart'))} charts, {run.n_charts} with defaults")
    assert not failures, "\n".join(failures)


def test_off_grid_widget_values_snap_on_every_page(defaults):
    """Every slider of a page set between its steps as a widget value (Streamlit accepts an
    off-step value in range): render_controls returns the snapped (default) values, no exception."""
    failures = []
    for page in PAGES:
        run = defaults[page.url]
        off = {k: v for k, v in _off_grid_controls(run).items()
               if next(c for c in run.controls if c.key == k).kind == "slider"}
        if not off:
            continue
        at = run_page(page)
        sliders = [w for w in at.get("slider") if w.key in off]
        assert sliders, f"/{page.url}: no slider widget found for {sorted(off)}"
        for w in sliders:
            w.set_value(off[w.key])
        with recording() as calls:
            at.run()
        got = {k: v for _, _, vals in calls for k, v in vals.items()}
        if at.exception:
            failures.append(f"/{page.url} {off}: {[e.message for e in at.exception]}")
        failures += [f"/{page.url}: {k}={got.get(k)!r}" for k in off
                     if got.get(k) != next(c.default for c in run.controls if c.key == k)]
    assert not failures, "\n".join(failures)


def test_every_default_is_on_its_grid(defaults):
    """Snapping must never move a default (it would change every page's computation)."""
    off = [(url, c.key, c.default) for url, run in defaults.items() for c in run.controls
           if c.snap(c.default) != c.default]
    assert not off, off
