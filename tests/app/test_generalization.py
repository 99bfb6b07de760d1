"""AppTest of "Interpolation and generalization" (/generalization): the theory's curve against the measured
one, the measured verdict, double descent and its ridge, early stopping vs ridge — and the page's prose."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from apptest_util import arr, run_script, specs

PAGE = str(Path(__file__).resolve().parents[2] / "app" / "lessons" / "generalization.py")
TIMEOUT = 600


def run_page(**params):
    return run_script(PAGE, TIMEOUT, params, "Interpolation and generalization")


def metric(at, label: str) -> str:
    (m,) = [m.value for m in at.metric if m.label.startswith(label)]
    return m


def named(spec, prefix):
    (t,) = [t for t in spec["data"] if t.get("name", "").startswith(prefix)]
    return t


def text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_interpolating_noise_theory_matches_measured_and_verdict_is_tempered():
    at = run_page()
    curve, factor = specs(at)
    measured = named(curve, "ridgeless NTK regression")
    y, err = arr(measured["y"]), arr(measured["error_y"]["array"])
    np.testing.assert_allclose(arr(measured["x"]), [16, 32, 64, 128, 256])
    theory = named(curve, "theory")
    pred = np.interp(np.log(arr(measured["x"])), np.log(arr(theory["x"])), arr(theory["y"]))
    # stated error bar: the theory within 10 % of the mean over 10 training sets at every n (measured ≈ 3–7 %)
    assert np.all(np.abs(pred - y) < 0.10 * y), (pred, y)
    assert np.all(err < 0.1 * y)
    assert float(metric(at, "Training error")) < 1e-20
    ratio = float(metric(at, "Test error / Bayes"))
    assert 1.2 < ratio < 1.8 and abs(y[-1] / 0.25 - ratio) < 0.01
    assert metric(at, "Verdict") == "tempered"
    v = arr(named(factor, "measured V(n)")["y"])
    assert 0.3 < v[-1] < 0.6 and abs(v[-1] / v[-3] - 1) < 0.25  # levels off: the excess stays finite
    page = text(at)
    assert "**tempered** overfitting" in page and "Training error is zero" in page
    # the trained network beside the kernel: a small training error, test error near the kernel's
    rows = {line.split("|")[1].strip(): line.split("|")[2:4] for line in page.splitlines() if line.startswith("| ")}
    net = float(next(v for k, v in rows.items() if k.startswith("network, width"))[1])
    ntk = float(rows["Θ∞ ridgeless (t → ∞)"][1])
    assert abs(net - ntk) < 0.25 * ntk and float(rows["Θ∞ ridgeless (t → ∞)"][0]) < 1e-20


def test_no_noise_has_no_verdict_and_a_falling_curve():
    at = run_page(noise="0")
    y = arr(named(specs(at)[0], "ridgeless NTK regression")["y"])
    assert np.all(np.diff(y) < 0) and y[-1] < 0.01
    assert metric(at, "Verdict") == "no noise" and "Bayes error" not in " ".join(
        t.get("name", "") for t in specs(at)[0]["data"])


def test_double_descent_peak_at_threshold_and_ridge_removes_it():
    at = run_page(part="double descent")
    (fig,) = specs(at)
    tr = named(fig, "linearized network")
    ratio, y = arr(tr["x"]), arr(tr["y"])
    peak = int(np.argmax(y))
    assert 0.9 <= ratio[peak] <= 1.1  # P = 4w + 1 = 65 for n = 64
    inf = float(metric(at, "Infinite width"))
    assert y[peak] > 100 * inf
    assert y[-1] < 1.25 * inf  # second descent toward Θ∞ at width 512
    assert "peaks at P = 65" in text(at)
    smooth = run_page(part="double descent", ridge="0.01")
    y2 = arr(named(specs(smooth)[0], "linearized network")["y"])
    assert y2.max() < 1.0 and "No peak is left" in text(smooth)
    mid = run_page(part="double descent", ridge="0.0001")  # the 'Try this' sequence: the peak shrinks
    assert 1.0 < float(metric(mid, "Largest error near")) < y[peak]


def test_early_stopping_beats_convergence_and_matches_a_ridge():
    at = run_page(part="early stopping")
    curve, filt = specs(at)
    gd, ridge = arr(named(curve, "GD for t steps")["y"]), arr(named(curve, "ridge ρ = 1/(ηt)")["y"])
    t_best = float(metric(at, "Best stopping time"))
    assert 1 < t_best < 1e3 and gd.min() < gd[-1] - 0.03
    t = arr(named(curve, "GD for t steps")["x"])
    assert abs(gd.min() - ridge.min()) < 0.01                # the best stopping time ≈ the best ridge
    assert np.max(np.abs(gd - ridge)[t >= 10]) < 0.03        # 'almost on top of it beyond the first steps'
    assert "differ by at most" in text(at)
    theory = arr(named(curve, "ridge: theory")["y"])
    assert np.max(np.abs(theory - ridge) / ridge) < 0.1
    g, r = arr(named(filt, "GD:")["y"]), arr(named(filt, "ridge:")["y"])
    assert np.all((g >= -1e-9) & (g <= 1 + 1e-9)) and np.max(np.abs(g - r)) < 0.5
    quiet = run_page(part="early stopping", noise="0")  # 'Try this': no gain without noise
    assert "Stopping early gains nothing measurable" in text(quiet)
    loud = run_page(part="early stopping", noise="1")    # t* earlier, larger gain
    assert float(metric(loud, "Best stopping time")) < t_best


def test_malformed_url_params_fall_back_with_warning():
    at = run_page(part="nonsense", noise="7")
    warn = " ".join(w.value for w in at.sidebar.warning)
    assert "nonsense" in warn and "using default interpolating noise" in warn and "using default 0.5" in warn
    assert len(specs(at)) == 2


def test_reproduce_snippet_prints_the_page_number():
    import contextlib
    import io

    import snippets

    page_key, defaults = "generalization", {"part": "interpolating noise", "noise": 0.5, "ridge": 0.0}  # the page's
    code = snippets.render(page_key, defaults)
    assert "import ntkcore as nc" in code and "streamlit" not in code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<snippet generalization>", "exec"), {})  # noqa: S102
    lines = out.getvalue().strip().splitlines()
    assert float(lines[-1].rsplit("=", 1)[1]) == pytest.approx(snippets.expected(page_key, defaults), rel=1e-6)
    assert "verdict: tempered" in lines


def test_guide_and_preset_numbers_are_the_pages():
    """The numbers quoted in app/guides.py's generalization steps, from the compute functions."""
    from compute import generalization as C

    c1 = C.interpolation([C.interpolation_seed(s) for s in C.SEEDS], 0.5)
    assert f"{c1['mean'][-1]:.2f}" == "0.36" and f"{c1['ratio']:.2f}" == "1.44" and f"{c1['V'][-1]:.2f}" == "0.42"
    dd = [C.double_descent_seed(s) for s in C.INIT_SEEDS]
    c2 = C.double_descent(dd, 0.0, 0.5)
    assert c2["peak_P"] == 65 and f"{c2['peak']:.1e}" == "1.8e+04"
    assert f"{c2['last']:.2f}" == "0.45" and f"{c2['infinite']:.2f}" == "0.39"
    c3 = C.double_descent(dd, 0.01, 0.5)
    assert f"{c3['peak']:.2f}" == "0.46" and f"{c3['last']:.2f}" == "0.39" and c3["peak"] < 1.5 * c3["last"]
    c4 = C.early_stopping([C.early_stopping_seed(s) for s in C.SEEDS], 0.5)
    assert c4["t_best"] == 13 and f"{c4['gd_best']:.3f}" == "0.338" and f"{c4['gd_end']:.3f}" == "0.400"
    assert f"{c4['ridge_best']:.3f}" == "0.336"


def test_no_noise_keeps_the_ridgeless_peak_and_a_ridge_removes_it():
    """'Try this': at σ = 0 the ridgeless peak stays; with a ridge the window's largest error is not a peak."""
    from compute import generalization as C

    dd = [C.double_descent_seed(s) for s in C.INIT_SEEDS]
    clean = C.double_descent(dd, 0.0, 0.0)
    assert clean["has_peak"] and clean["peak_P"] == 65 and clean["peak"] > 100 * clean["last"]
    assert not C.double_descent(dd, 0.1, 0.0)["has_peak"]
    assert not C.double_descent(dd, 0.01, 0.5)["has_peak"] and C.double_descent(dd, 0.001, 0.5)["has_peak"]
