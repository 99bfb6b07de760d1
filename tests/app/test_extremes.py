"""Extremes: the most expensive settings each page's controls allow finish in time, or are refused clearly.

For every page of the navigation (``common.pages.lesson_pages``) the Control
specs are recorded in a default run; then the page is opened with a URL that
puts every numeric control at its maximum and every select slider at its last
option (largest width, depth, steps, …; seeds excepted), once with learning
rates at their maximum and once at their minimum. Each run must raise no
exception, accept the URL (no "not valid" note), and either draw its charts or
explain with an st.info / st.warning why it refuses or shortens the run. The
wall time of each run is written to ``test-output/extremes.md``; the limit
asserted is generous (``LIMIT_S``, machines are noisy) — the UI's stated limit
is ~15–20 s.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from common.state import Control
from pagecontrols import PAGES, default_run, run_page, widget_value

LIMIT_S = 60.0
REPORT = Path(__file__).resolve().parents[2] / "test-output" / "extremes.md"
_rows: list[str] = []


def _is_lr(c: Control) -> bool:
    return c.key in ("lr", "eta") or c.key.startswith("lr") or "learning rate" in c.label.lower()


def _is_seed(c: Control) -> bool:
    return "seed" in c.key.lower()


def extreme_values(controls: tuple[Control, ...], lr: str) -> dict[str, object]:
    """Control values: numbers at max, select sliders at their last option, lr at ``lr`` ("max"/"min")."""
    values: dict[str, object] = {}
    for c in controls:
        if _is_seed(c) or c.kind in ("selectbox", "toggle"):
            continue
        if c.kind in ("slider", "number"):
            v = c.min if (_is_lr(c) and lr == "min") else c.max
            values[c.key] = int(v) if c.is_int else float(v)
        elif c.kind == "select_slider":
            values[c.key] = c.options[0] if (_is_lr(c) and lr == "min") else c.options[-1]
    return values


def _url_value(c: Control, v) -> str:
    return c.fmt(v) if c.kind in ("select_slider", "selectbox") else str(v)


CASES = [(p, lr) for p in PAGES for lr in ("max", "min")]


@pytest.fixture(scope="module")
def controls():
    return {p.url: default_run(p).controls for p in PAGES}


@pytest.mark.parametrize("page, lr", CASES, ids=[f"{p.url or 'home'}-lr_{lr}" for p, lr in CASES])
def test_extreme_settings_finish_or_refuse(page, lr, controls):
    specs = {c.key: c for c in controls[page.url]}
    values = extreme_values(tuple(specs.values()), lr)
    if not values:
        pytest.skip(f"/{page.url} has no numeric controls")
    if lr == "min" and not any(_is_lr(specs[k]) for k in values):
        pytest.skip(f"/{page.url} has no learning-rate control")
    params = {k: _url_value(specs[k], v) for k, v in values.items()}
    t0 = time.perf_counter()
    at = run_page(page, params, timeout=2 * LIMIT_S)
    dt = time.perf_counter() - t0
    notes = [m.value for m in list(at.info) + list(at.warning)]
    n_charts = len(at.get("plotly_chart"))
    query = "&".join(f"{k}={v}" for k, v in params.items())
    _rows.append(f"| /{page.url} | {query} | {dt:.1f} | {n_charts} | "
                 f"{' / '.join(n.splitlines()[0][:90] for n in notes) or '—'} |")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("| page | URL | seconds | charts | notes shown |\n|---|---|---|---|---|\n"
                      + "\n".join(_rows) + "\n")

    assert not at.exception, [e.message for e in at.exception]
    assert not any("is not valid" in n for n in notes), notes  # the URL itself was accepted
    for k, v in values.items():
        try:
            assert widget_value(at, k) == v, k
        except KeyError:  # a page may hide a control that does not apply
            pass
    assert n_charts > 0 or notes, f"/{page.url}?{query}: neither charts nor an explanation"
    assert dt < LIMIT_S, f"/{page.url}?{query} took {dt:.1f} s"
