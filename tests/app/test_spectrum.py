"""AppTest of the lesson /spectrum (spectrum, Fourier eigenvectors, mode residuals, lr bound, bad URL)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from apptest_util import arr, run_script, specs

# The page script itself, as a fresh session opened on its URL (see test_kernel_at_init.py).
PAGE = str(Path(__file__).resolve().parents[2] / "app" / "lessons" / "spectrum.py")


def run_page(params: dict[str, str] | None = None) -> AppTest:
    return run_script(PAGE, 240, params)


def metrics(at) -> dict[str, float]:
    return {m.label: float(m.value) for m in at.metric}


def traces(spec, name_start):
    return [t for t in spec["data"] if t.get("name", "").startswith(name_start)]


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return run_page()


def test_default_figures(default_page):
    at = default_page
    eig, funcs, res, anim = specs(at)
    # 1. spectrum: 64 loss-normalized eigenvalues each, decreasing, positive, pairs by frequency
    emp, inf = eig["data"]
    lam_emp, lam_inf = arr(emp["y"]), arr(inf["y"])
    assert lam_emp.shape == lam_inf.shape == (64,)
    assert np.all(np.diff(lam_inf) <= 1e-7) and lam_inf[0] == pytest.approx(0.166, abs=0.01)
    assert eig["layout"]["yaxis"]["type"] == "log"
    k_inf = arr(inf["customdata"]).reshape(64, 3)[:, 1]
    assert list(k_inf[:5]) == [0, 1, 1, 2, 2]  # then 4, 4, 3, 3: odd k ≥ 3 are weak at depth 1 (near Basri)
    assert sorted(k_inf[:9]) == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    # 2. top eigenvectors ≈ Fourier modes (the fit and the vector agree)
    vecs, fits = traces(funcs, "eigenvector"), traces(funcs, "best fit")
    assert len(vecs) == len(fits) == 6
    assert all("% Fourier" in a["text"] for a in funcs["layout"]["annotations"][:6])
    fracs = [float(a["text"].split("(")[1].split("%")[0]) for a in funcs["layout"]["annotations"][:6]]
    assert min(fracs) > 90
    # 3. residuals: one panel per frequency 0,1,2,3,4,6, three curves each; the linearized model
    # follows (1 − ηλ)^t; low frequencies decay faster than high ones (spectral bias)
    m = metrics(at)
    assert m["ηλ_max (linearized model stable below 2)"] == pytest.approx(1.0, abs=0.01)
    assert m["Stable bound 2/λ_max (linearized model)"] == pytest.approx(2 / lam_emp[0], rel=0.01)
    nets, lins, preds = traces(res, "network"), traces(res, "linearized"), traces(res, "prediction")
    assert len(nets) == len(lins) == len(preds) == 6
    steps_rec = arr(lins[0]["x"])
    assert steps_rec[-1] == 1000
    finals = []
    for lin, pred in zip(lins, preds):
        y_lin, t_pred, y_pred = arr(lin["y"]), arr(pred["x"]), arr(pred["y"])
        at_rec = np.interp(steps_rec, t_pred, y_pred)
        big = at_rec > 1e-3
        np.testing.assert_allclose(y_lin[big], at_rec[big], rtol=0.02)
        finals.append(np.interp(20, steps_rec, y_lin) / y_pred[0])  # y_pred[0] is step 1
    k_titles = [a["text"] for a in res["layout"]["annotations"][:6]]
    assert k_titles[1].startswith("k = 1") and k_titles[5].startswith("k = 6")
    assert finals[1] < 1e-2 < finals[5]  # k = 1 is learned by step 20, k = 6 is not
    # network close to the linearized model at width 1024 (lazy) on the low modes
    assert arr(nets[1]["y"])[-1] < 0.05 * arr(preds[1]["y"])[0]
    # 4. animation: frames over training, the network approaches the target
    assert len(anim["frames"]) >= 20
    last = anim["frames"][-1]["data"]
    target, net = arr(last[0]["y"]), arr(last[2]["y"])
    first_net = arr(anim["frames"][0]["data"][2]["y"])
    assert np.abs(net - target).max() < 0.5 * np.abs(first_net - target).max()


def test_lr_control_scales_rate_and_diverges_above_bound(default_page):
    at = default_page
    at.slider(key="lr").set_value(0.25).run()
    assert not at.exception
    m = metrics(at)
    assert m["ηλ_max (linearized model stable below 2)"] == pytest.approx(0.5, abs=0.01)
    at.slider(key="lr").set_value(1.2).run()
    assert not at.exception
    # above the bound the linearized model diverges and stops; the network catapults and is plotted to
    # the end (before issue 13 the page stopped the network too)
    (w,) = [w.value for w in at.warning]
    assert w.startswith("Diverged: the linearized model at step") and "The network stayed finite" in w
    res = specs(at)[2]
    for t in res["data"]:
        assert np.all(np.isfinite(arr(t["y"])))
    assert arr(traces(res, "network")[0]["x"])[-1] == 1000
    assert arr(traces(res, "linearized")[0]["x"])[-1] < 1000


def test_basri_zero_odd_modes():
    at = run_page({"b_std": "0.0"})
    inf = specs(at)[0]["data"][1]
    cd = arr(inf["customdata"]).reshape(64, 3)
    lam, k = cd[:, 0], cd[:, 1]
    odd = (k >= 3) & (k % 2 == 1)
    assert odd.sum() >= 20
    assert np.abs(lam[odd]).max() < 1e-6 * lam.max()
    assert lam[k == 2].min() > 1e-3 * lam.max()


def test_malformed_url_param_falls_back():
    at = run_page({"lr": "9", "target": "nope"})
    warn = " ".join(w.value for w in at.sidebar.warning)
    assert "lr=`'9'` is not valid" in warn and "target=`'nope'` is not valid" in warn
    assert at.slider(key="lr").value == 0.5
    assert metrics(at)["ηλ_max (linearized model stable below 2)"] == pytest.approx(1.0, abs=0.01)


def test_too_slow_setting_is_refused():
    at = run_page({"depth": "3", "width": "4096", "steps": "3000"})
    assert any("too slow" in i.value for i in at.info)
    assert "k = " in specs(at)[2]["layout"]["annotations"][0]["text"]
