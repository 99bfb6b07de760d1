"""AppTest of the lesson /kernel-at-init (content of its figures, controls, bad URL)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from apptest_util import arr, run_script, specs

# The page script itself, as a fresh session opened on its URL (a copied link): going through
# the entrypoint would first run Welcome, whose own widgets mask URL parameters of the same name.
PAGE = str(Path(__file__).resolve().parents[2] / "app" / "lessons" / "kernel_at_init.py")
# Jacot et al. setting (ntk.md): Θ∞(x0, x(γ)) at γ = 0, π/2, π
THETA_INF_REF = {0.0: 0.28250, np.pi / 2: 0.09270, np.pi: 0.06435}


def run_page(params: dict[str, str] | None = None) -> AppTest:
    return run_script(PAGE, 240, params)


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return run_page()


def test_default_figures(default_page):
    at = default_page
    heat, sl, sweep = specs(at)
    # 1. heatmaps: empirical and infinite, 64x64, one shared colour axis
    assert [t["type"] for t in heat["data"]] == ["heatmap", "heatmap"]
    emp, inf = (arr(t["z"]).reshape(64, 64) for t in heat["data"])
    assert heat["data"][0]["coloraxis"] == heat["data"][1]["coloraxis"] == "coloraxis"
    np.testing.assert_allclose(inf, inf.T, atol=1e-6)
    for g, ref in THETA_INF_REF.items():
        assert inf[0, int(round(g / (2 * np.pi) * 64)) % 64] == pytest.approx(ref, abs=2e-4)
    rel = np.linalg.norm(emp - inf) / np.linalg.norm(inf)
    assert 0.02 < rel < 0.6  # width 256: visibly random, but close
    assert heat["layout"]["coloraxis"]["cmin"] <= min(emp.min(), inf.min()) + 1e-6
    # 2. Jacot slice: 10 networks + the limit, peak at γ = 0 (middle of [−π, π))
    nets = [t for t in sl["data"] if t.get("legendgroup") == "nets"]
    assert len(nets) == 10
    inf_tr = sl["data"][-1]
    x, y = arr(inf_tr["x"]), arr(inf_tr["y"])
    assert x.shape == (64,) and x[0] == pytest.approx(-np.pi, abs=1e-5) and x[32] == pytest.approx(0, abs=1e-6)
    assert y[32] == pytest.approx(0.28250, abs=2e-4) and y[0] == pytest.approx(0.06435, abs=2e-4)
    rows = np.stack([arr(t["y"]) for t in nets])
    assert np.all(np.abs(rows.mean(0) - y) < 0.1) and rows.std(0).max() > 1e-3
    # 3. width sweep: depth 3 → widths 16..1024, 10 seeds each, slope ≈ −1/2
    pts, rms = sweep["data"][0], sweep["data"][1]
    assert sorted(set(arr(pts["x"]).astype(int))) == [16, 64, 256, 1024]
    assert arr(pts["y"]).shape == (40,)
    r = arr(rms["y"])
    assert np.all(np.diff(r) < 0)
    fit = sweep["data"][2]
    slope = float(fit["name"].split("^")[1])
    assert -0.7 < slope < -0.35
    assert sweep["layout"]["xaxis"]["type"] == "log" and sweep["layout"]["yaxis"]["type"] == "log"
    assert "fitted slope" in sweep["layout"]["title"]["text"]


def test_width_control_shrinks_scatter(default_page):
    at = default_page
    before = specs(at)[1]
    spread0 = np.stack([arr(t["y"]) for t in before["data"][:10]]).std(0).mean()
    at.select_slider(key="width").set_value(1024).run()
    assert not at.exception
    after = specs(at)[1]
    spread1 = np.stack([arr(t["y"]) for t in after["data"][:10]]).std(0).mean()
    assert spread1 < 0.75 * spread0  # ~ 1/2 expected for 4× the width
    assert "width 1024" in after["layout"]["title"]["text"]


def test_depth_change_changes_limit_and_too_slow_width_is_refused():
    at = run_page({"width": "4096", "depth": "3"})
    assert any("too slow" in i.value for i in at.info)
    heat = specs(at)[0]
    assert "width 1024" in heat["layout"]["annotations"][0]["text"]
    at.slider(key="depth").set_value(1).run()
    assert not at.exception and not any("too slow" in i.value for i in at.info)
    heat, _, sweep = specs(at)
    assert "width 4096" in heat["layout"]["annotations"][0]["text"]
    assert 4096 in set(arr(sweep["data"][0]["x"]).astype(int))
    inf = arr(heat["data"][1]["z"]).reshape(64, 64)
    assert inf[0, 0] != pytest.approx(0.28250, abs=1e-3)  # a different architecture, a different limit


def test_malformed_url_param_falls_back():
    at = run_page({"depth": "banana", "w_std": "-3"})
    warn = " ".join(w.value for w in at.sidebar.warning)
    assert "depth=`'banana'` is not valid" in warn and "w_std=`'-3'` is not valid" in warn
    assert at.slider(key="depth").value == 3 and at.slider(key="w_std").value == 1.0
    inf = arr(specs(at)[0]["data"][1]["z"]).reshape(64, 64)
    assert inf[0, 0] == pytest.approx(0.28250, abs=2e-4)
