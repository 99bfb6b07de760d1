"""AppTest of "NNGP and ensembles" (/nngp): prior draws vs NNGP, trained ensemble vs infinite width."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest
from apptest_util import arr, run_script, specs

# The page script itself (conftest puts app/ on sys.path); see test_drift.py.
PAGE = str(Path(__file__).resolve().parents[2] / "app" / "lessons" / "nngp.py")
TIMEOUT = 240


def run_page(**params) -> AppTest:
    return run_script(PAGE, TIMEOUT, params, "NNGP and ensembles")


def traces(spec: dict, name: str) -> list[dict]:
    return [t for t in spec["data"] if t.get("name") == name]


def one(spec: dict, name: str) -> dict:
    (t,) = traces(spec, name)
    return t


def test_default_prior_and_trained_ensemble_match_infinite_width():
    at = run_page()
    prior, ens, loss = specs(at)
    # prior: 12 networks and 12 NNGP draws on a 120-point grid, same spread as √diag K∞
    nets = traces(prior, "network f(x; θ₀)")
    gps = traces(prior, "NNGP sample")
    assert len(nets) == 12 and len(gps) == 12
    x = arr(nets[0]["x"])
    assert x.shape == (120,) and np.isclose(x[0], -np.pi, atol=1e-5) and np.isclose(x[-1], np.pi, atol=1e-5)
    f_net = np.stack([arr(t["y"]) for t in nets])
    f_gp = np.stack([arr(t["y"]) for t in gps])
    far = np.abs(x) > 1.5  # where the NNGP variance is ≈ 1 (it vanishes near x = 0: tiny bias)
    assert 0.5 < f_net[:, far].std() < 1.6 and 0.5 < f_gp[:, far].std() < 1.6
    assert f_net[:, np.abs(x) < 0.05].std() < 0.2
    # trained ensemble: 10 members, their mean near the infinite-width NTK ensemble mean
    members = traces(ens, "one trained network")
    assert len(members) == 10
    mean = arr(one(ens, "trained networks: mean")["y"])
    ntk = arr(one(ens, "infinite-width NTK ensemble: mean")["y"])
    gp = arr(one(ens, "NNGP posterior: mean")["y"])
    assert mean.shape == ntk.shape == gp.shape == (120,)
    assert np.sqrt(np.mean((mean - ntk) ** 2)) < 0.15
    assert 0.005 < np.sqrt(np.mean((gp - ntk) ** 2)) < 0.5  # differs, slightly
    # both fit the 5 noisy training points
    pts = one(ens, "training points (noisy)")
    xt, yt = arr(pts["x"]), arr(pts["y"])
    assert xt.shape == (5,)
    assert np.max(np.abs(np.interp(xt, arr(members[0]["x"]), mean) - yt)) < 0.1
    assert np.max(np.abs(np.interp(xt, arr(members[0]["x"]), ntk) - yt)) < 0.1
    # the loss curves fall
    curves = [arr(t["y"]) for t in loss["data"]]
    assert len(curves) == 10 and all(c[-1] < 0.05 * c[0] for c in curves)
    assert any("RMS gap between the ensemble mean" in m.value for m in at.markdown)


def test_controls_change_ensemble_and_prior():
    at = run_page(width="64", nets="4", steps="100")
    prior, ens, loss = specs(at)
    assert len(traces(ens, "one trained network")) == 4
    assert "4 networks of width 64" in ens["layout"]["title"]["text"]
    assert "width 64" in prior["layout"]["annotations"][0]["text"]
    # after only 100 steps neither the networks nor the infinite-width ensemble fit the points yet
    mean = arr(one(ens, "trained networks: mean")["y"])
    ntk = arr(one(ens, "infinite-width NTK ensemble: mean")["y"])
    pts = one(ens, "training points (noisy)")
    xg = arr(one(ens, "trained networks: mean")["x"])
    miss = np.abs(np.interp(arr(pts["x"]), xg, ntk) - arr(pts["y"]))
    assert miss.max() > 0.1
    assert np.sqrt(np.mean((mean - ntk) ** 2)) < 0.3
    assert all(len(arr(t["y"])) <= 200 for t in loss["data"])


def test_too_slow_setting_falls_back_with_info():
    at = run_page(nets="20", steps="10000")
    (info,) = at.info
    assert "too slow to run live" in info.value and "at most 300 steps" in info.value
    # section 2 is not left empty: it shows the longest run that fits (300 steps, all 20 networks)
    prior, ens, loss = specs(at)
    assert ens["layout"]["title"]["text"].startswith("After 300 GD steps: 20 networks of width 512")
    assert len(loss["data"]) == 20 and all(np.isfinite(arr(t["y"])).all() for t in loss["data"])


def test_malformed_url_param_falls_back_with_warning():
    at = run_page(width="999", noise="x")
    text = " ".join(w.value for w in at.sidebar.warning)
    assert "width=`'999'` is not valid" in text and "using default 512" in text
    assert "noise=`'x'` is not valid" in text
    assert at.select_slider(key="width").value == 512
    assert len(specs(at)) == 3
