"""AppTest of the lesson /depth-init (order/chaos phase diagram, kernels vs depth, trainability)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from apptest_util import arr, metric_values as metrics, run_script, specs, trace
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "app" / "lessons" / "depth_init.py")


def run_page(params: dict[str, str] | None = None) -> AppTest:
    return run_script(PAGE, 300, params, title="Depth and initialization: order, chaos and the critical line")


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return run_page()


def test_default_ordered_point(default_page):
    at = default_page
    diagram, profile, training = specs(at)
    m = metrics(at)
    assert m["Phase at (σ_w², σ_b²)"] == "ordered"
    assert 0.6 < float(m["χ1"]) < 0.9 and float(m["c*"]) == 1.0
    assert 2 < float(m["depth scale ξ_c (layers)"]) < 6
    # critical line: erf at σ_b² = 0.05 vs Schoenholz et al. (1.38), and the whole line vs the published values
    assert float(m["critical σ_w² at σ_b² = 0.05"]) == pytest.approx(1.38, rel=0.01)
    line = trace(diagram, "critical line")
    sw2, sb2 = arr(line["x"]), arr(line["y"])
    for b, published in ((0.0, 0.785), (0.1, 1.55), (0.3, 1.96)):
        assert np.interp(b, sb2, sw2) == pytest.approx(published, rel=0.01)
    heat = diagram["data"][0]
    z = arr(heat["z"])
    assert z.shape == (26, 51) and np.all(np.isfinite(z))
    # ξ is largest next to the critical line: at σ_b² = 0.05 (row 2) the peak column is near σ_w² = 1.38
    x = arr(heat["x"])
    assert abs(x[np.argmax(z[2])] - 1.38) < 0.1
    # kernels vs depth: every pair's correlation → 1 (ordered), cond(Θ∞) grows by orders of magnitude
    rho = arr(trace(profile, "inputs at angle π/2")["y"])
    rho_pi = arr(trace(profile, "inputs at angle π")["y"])
    assert rho.shape == (50,) and rho_pi[0] < 0 and rho_pi[29] > 0.999 and rho[29] > 0.999
    cond = arr(trace(profile, "cond(Θ∞)")["y"])
    assert np.nanmax(cond) > 100 * cond[4] and np.isnan(cond[-1])  # beyond float32 resolution at depth 50
    ratio = arr(trace(profile, "infinite-width GD")["y"])
    assert ratio[39] > 0.5 > ratio[1]  # depth 40 untrainable, depth 2 trains
    # a depth-40 finite network does not train here
    net = arr(trace(training, "network")["y"])
    assert net.shape == (201,) and net[0] == pytest.approx(1.0) and net[-1] > 0.5


def test_critical_point_trains(default_page):
    at = default_page
    at.slider(key="sw2").set_value(1.4).run()
    assert not at.exception
    m = metrics(at)
    assert float(m["χ1"]) == pytest.approx(1.0, abs=0.02)
    assert float(m["depth scale ξ_c (layers)"]) > 30 or m["depth scale ξ_c (layers)"] == "∞"
    _, profile, training = specs(at)
    rho_pi = arr(trace(profile, "inputs at angle π")["y"])
    assert rho_pi[39] < 0.99  # distinct inputs stay distinct at depth 40
    cond = arr(trace(profile, "cond(Θ∞)")["y"])
    assert np.nanmax(cond) < 1e4
    net = arr(trace(training, "network")["y"])
    assert net[-1] < 0.05  # the same depth-40 network now trains
    at.selectbox(key="activation").set_value("relu").run()
    assert not at.exception
    m = metrics(at)
    assert float(m["critical σ_w² at σ_b² = 0.05"]) == pytest.approx(2.0)
    assert float(m["χ1"]) == pytest.approx(0.7)  # σ_w²/2


def test_malformed_url_param_falls_back():
    at = run_page({"sw2": "abc", "activation": "foo", "depth": "0"})
    warn = " ".join(w.value for w in at.sidebar.warning)
    assert "sw2=`'abc'` is not valid" in warn and "activation=`'foo'` is not valid" in warn and "depth=`'0'`" in warn
    assert at.slider(key="sw2").value == 0.8 and at.selectbox(key="activation").value == "erf"
    assert metrics(at)["Phase at (σ_w², σ_b²)"] == "ordered"
