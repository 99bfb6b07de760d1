"""AppTest of "When features win" (/features): network vs its NTK over α and width, phase diagram, μP."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from apptest_util import arr, run_script, specs

PAGE = str(Path(__file__).resolve().parents[2] / "app" / "lessons" / "features.py")
TIMEOUT = 300
WIDTHS = (16, 48, 128, 384)
ALPHAS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def run_page(**params):
    return run_script(PAGE, TIMEOUT, params, "When features win")


def traces(spec: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {t["name"]: (arr(t["x"]), arr(t["y"])) for t in spec["data"] if "name" in t}


def test_default_network_beats_ntk_when_rich_and_phase_diagram():
    at = run_page()
    alpha_fig, width_fig, phase = specs(at)
    # error against α at width 128: network, linearization, infinite width (same steps, and converged)
    t = traces(alpha_fig)
    x, net = t["network (trained)"]
    np.testing.assert_allclose(x, ALPHAS, rtol=1e-6)
    _, lin = t["its linearization (Θ₀ fixed)"]
    _, inf = t["infinite-width NTK regression"]
    assert np.all(np.isfinite(net)) and net.shape == (6,)
    assert inf[0] > 0.5  # the kernel cannot learn |w*·x| from 160 points in d = 20
    assert net[0] < 0.5 * inf[0] and net[1] < 0.5 * inf[0]  # rich: features win clearly
    assert net[-1] > 0.8 * inf[0]  # lazy: no better than the kernel
    assert abs(net[-1] - lin[-1]) < 0.1 and np.ptp(lin) < 1e-6  # lazy network = its linearization (α-independent)
    assert np.all(np.diff(net[1:]) > 0)  # error grows with α from 0.1 on
    # error against width at α = 0.1: wider is lazier
    xw, netw = traces(width_fig)["network (trained)"]
    np.testing.assert_allclose(xw, WIDTHS)
    assert netw[-1] > netw[1]
    # phase diagram: log10 kernel change on the (width, α) grid, decreasing in α and in width
    heat = phase["data"][0]
    z = arr(heat["z"])
    assert z.shape == (4, 6) and np.all(np.isfinite(z))
    assert np.all(np.diff(z, axis=1) < 0)  # larger α → smaller change
    assert np.all(np.diff(z[:, 1:], axis=0) < 0)  # wider → smaller change (α ≥ 0.1)
    assert z[0, 0] > 0.5 and z[-1, -1] < -1.5  # rich corner: order-10 change; lazy corner: < 3%
    line = [tr for tr in phase["data"][1:] if tr["name"].startswith("α·√width =") and "fitted" in tr["name"]]
    assert len(line) == 1
    lx, ly = arr(line[0]["x"]), arr(line[0]["y"])
    np.testing.assert_allclose(np.diff(ly) / np.diff(lx), -2.0, rtol=1e-3)  # log w = 2 log c − 2 log α
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Best trained network"]) < 0.35
    assert float(metrics["Infinite-width NTK regression"]) > 0.5
    (fit_text,) = [m.value for m in at.markdown if "Least-squares fit over the grid" in m.value]
    ratio = float(re.search(r"\*\*([0-9.]+)×\*\*", fit_text).group(1))
    assert 0.35 < ratio < 0.75, ratio  # α·√width: 0.5


def test_alpha_and_width_controls_change_the_figures():
    base = specs(run_page())
    at = run_page(fa="10", fw="16")
    alpha_fig, width_fig, _ = specs(at)
    assert alpha_fig["layout"]["title"]["text"].endswith("(width 16)")
    assert width_fig["layout"]["title"]["text"].endswith("(α = 10)")
    _, net10 = traces(width_fig)["network (trained)"]
    _, net01 = traces(base[1])["network (trained)"]
    _, inf = traces(width_fig)["infinite-width NTK regression"]
    assert np.all(net10 > net01)  # lazier everywhere
    assert np.all(net10[1:] > 0.8 * inf[0])  # lazy: the network is no better than its kernel
    _, net16 = traces(alpha_fig)["network (trained)"]
    _, net128 = traces(base[0])["network (trained)"]
    assert not np.allclose(net16, net128)


def test_parameterizations_mup_keeps_feature_change_ntk_loses_it():
    at = run_page(part="parameterizations")
    fc, loss = specs(at)
    t = {tr["name"]: tr for tr in fc["data"] if tr.get("mode") == "markers"}
    slopes = {}
    for name, tr in t.items():
        slopes[name.split(" (slope")[0]] = (float(re.search(r"slope ([+-]\d+\.\d+)", name).group(1)),
                                            arr(tr["x"]), arr(tr["y"]))
    assert set(slopes) == {"NTK parameterization", "standard", "μP"}
    s_mup, w, h_mup = slopes["μP"]
    s_ntk, _, h_ntk = slopes["NTK parameterization"]
    s_sp, _, _ = slopes["standard"]
    np.testing.assert_allclose(w, (64, 256, 1024, 4096))
    assert h_mup[-1] > 0.5 * h_mup[0] and h_mup[-1] > 0.1  # order one at every width
    assert abs(s_mup) < 0.15
    assert -0.7 < s_ntk < -0.35 and h_ntk[-1] < 0.25 * h_ntk[0]  # ∝ width^-1/2
    assert s_sp < -0.9
    assert len(loss["data"]) == 3
    # T = 1: still the same ordering after a single step
    at2 = run_page(part="parameterizations", fsteps="1")
    fc1 = specs(at2)[0]
    names = [tr["name"] for tr in fc1["data"] if tr.get("mode") == "markers"]
    assert fc1["layout"]["title"]["text"] == "Feature change after 1 GD step"
    mup1 = float(re.search(r"slope ([+-]\d+\.\d+)", [n for n in names if n.startswith("μP")][0]).group(1))
    assert abs(mup1) < 0.15


def test_malformed_url_params_fall_back_with_warning():
    at = run_page(fa="abc", part="nope")
    text = " ".join(w.value for w in at.sidebar.warning)
    assert "fa=`'abc'` is not valid" in text and "part=`'nope'` is not valid" in text
    assert at.select_slider(key="fa").value == 0.1
    assert len(specs(at)) == 3
