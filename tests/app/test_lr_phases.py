"""AppTest of the lesson /lr-phases (lazy / catapult / divergent, the c sweep and its measured boundaries)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from apptest_util import arr, metric_values as metrics, run_script, specs, trace
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "app" / "lessons" / "lr_phases.py")


def run_page(params: dict[str, str] | None = None) -> AppTest:
    return run_script(PAGE, 300, params, title="Learning-rate phases: lazy, catapult, divergent")


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return run_page()


def test_default_catapult_and_sweep(default_page):
    at = default_page
    curves, sweep = specs(at)
    m = metrics(at)
    assert m["Phase"] == "catapult"
    lam0, lr = float(m["λ0 (top eig of Θ0/N)"]), float(m["η = c·2/λ0"])
    assert lr * lam0 == pytest.approx(3.0, rel=1e-3)  # c = 1.5: η = 3/λ0
    assert float(m["η·λ_final (stable below 2)"]) < 2
    assert float(m["peak loss / initial"]) > 3
    # training curves (steps 1..299 on a log axis): loss spikes above L(0) early, then falls far below; λ_max ends below 2/η
    loss = arr(trace(curves, "network loss")["y"])
    l0 = arr(trace(curves, "initial loss")["y"])[0]
    assert loss.shape == (299,) and np.all(np.isfinite(loss))
    assert loss[:60].max() > 3 * l0 and loss[-1] < 1e-3 * l0
    lam = arr(trace(curves, "λ<sub>max</sub>(t)")["y"])
    two_over_eta = arr(trace(curves, "2/η")["y"])[0]
    assert lam[0] == pytest.approx(lam0, rel=0.02) and lam[0] > two_over_eta > lam[-1]
    assert curves["layout"]["yaxis"]["type"] == "log"
    # sweep: the measured catapult → divergence boundary lies between 2/λ0 and 8/λ0 (1 < c < 4)
    c_div = float(m["measured catapult → divergent"].split("≈")[1])
    c_cat = float(m["measured lazy → catapult"].split("≈")[1])
    assert 1.0 < c_div < 4.0 and 0.9 < c_cat < 1.25
    assert float(m["η_max · λ0"]) == pytest.approx(2 * c_div, abs=0.01)
    lazy_x, lazy_y = arr(trace(sweep, "lazy")["x"]), arr(trace(sweep, "lazy")["y"])
    np.testing.assert_allclose(lazy_y, 2 * lazy_x, rtol=0.03)  # lazy: λ hardly moves, ηλ_final ≈ 2c
    cat = trace(sweep, "catapult")
    assert np.all(arr(cat["y"]) < 2) and arr(cat["x"]).min() > 1.0  # catapult ends below ηλ = 2
    div = trace(sweep, "divergent")
    assert arr(div["x"]).min() > c_cat and np.all(arr(div["x"]) > 1.0)
    assert all("diverged at step" in s for s in div["customdata"])


def test_lazy_and_divergent_settings(default_page):
    at = default_page
    at.slider(key="c").set_value(0.5).run()
    assert not at.exception
    m = metrics(at)
    assert m["Phase"] == "lazy"
    assert float(m["η·λ_final (stable below 2)"]) == pytest.approx(1.0, abs=0.03)
    curves = specs(at)[0]
    loss = arr(trace(curves, "network loss")["y"])
    assert np.all(np.diff(loss) <= 1e-6 * loss[0])  # monotone
    lam = arr(trace(curves, "λ<sub>max</sub>(t)")["y"])
    assert lam.max() / lam.min() < 1.03  # λ constant
    at.slider(key="c").set_value(3.0).run()
    assert not at.exception
    assert metrics(at)["Phase"] == "divergent"
    warn = " ".join(w.value for w in at.warning)
    assert "Divergent phase" in warn and "at step" in warn
    curves = specs(at)[0]
    for t in curves["data"]:
        assert np.all(np.isfinite(arr(t["y"])))
    assert len(arr(trace(curves, "network loss")["y"])) < 50
    assert "diverged at step" in curves["layout"]["title"]["text"]
    # the step axis of the few steps before divergence has integer ticks only (not 1.5, 2.5), up to the last step
    steps = np.concatenate([arr(t["x"]) for t in curves["data"]])  # every step drawn, loss and λ_max
    for axis in ("xaxis", "xaxis2"):
        ticks = curves["layout"][axis]["tickvals"]
        assert ticks == [int(t) for t in ticks] and ticks[0] == 1 and ticks[-1] >= steps.max(), ticks
        assert curves["layout"][axis]["ticktext"] == [str(t) for t in ticks]


def test_malformed_url_param_falls_back():
    at = run_page({"c": "abc", "param": "nope"})
    warn = " ".join(w.value for w in at.sidebar.warning)
    assert "c=`'abc'` is not valid" in warn and "param=`'nope'` is not valid" in warn
    assert at.slider(key="c").value == 1.5
    assert metrics(at)["Phase"] == "catapult"
