"""AppTest of "Kernel drift: lazy vs rich" (/drift): width sweep, fitted slopes, animations, α knob."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest
from apptest_util import arr, run_script, specs

from compute import drift as C

# The page script itself (conftest puts app/ on sys.path): going through the entrypoint
# would first run the welcome page, whose widgets share keys such as "width".
PAGE = str(Path(__file__).resolve().parents[2] / "app" / "lessons" / "drift.py")
TIMEOUT = 240
WIDTHS = (16, 48, 128, 384, 1024, 4096)


def run_page(**params) -> AppTest:
    return run_script(PAGE, TIMEOUT, params, "Kernel drift: lazy vs rich")


def finals(spec: dict) -> dict[str, tuple[np.ndarray, np.ndarray, float | None]]:
    """{metric label: (widths, values, fitted slope)} from the log-log figure's marker traces."""
    out = {}
    for t in spec["data"]:
        if t.get("mode") != "markers":
            continue
        m = re.search(r"\(slope ([+-]\d+\.\d+)\)", t["name"])
        label = t["name"].split("  (slope")[0]
        out[label] = (arr(t["x"]), arr(t["y"]), float(m.group(1)) if m else None)
    return out


def weight_input(f):
    (key,) = [k for k in f if k.startswith("‖ΔW₁‖")]
    return f[key]


def test_default_sweep_lazy_scaling_and_animations():
    at = run_page()
    metrics, fin, heat, particles = specs(at)
    # 1. metrics vs step: 4 panels × 6 widths, steps 1 … 19 one by one, then 25 snapshots (500 steps, one every 20)
    assert len(metrics["data"]) == 24
    names = {t["name"] for t in metrics["data"]}
    assert names == {f"width {w}" for w in WIDTHS}
    for t in metrics["data"]:
        x, y = arr(t["x"]), arr(t["y"])
        assert x.shape == (19 + 25,) and y.shape == (19 + 25,)
        assert x[0] == 1 and x[19] == 20 and x[-1] == 500 and np.all(np.diff(x) > 0)
        assert np.all(np.isfinite(y))
    assert metrics["layout"]["yaxis"]["type"] == "log" and metrics["layout"]["xaxis"]["type"] == "log"
    # the step-by-step run of the first 20 steps follows the main run (same θ₀, full-batch GD): equal at step 20
    run = C.run_width("ntk", 128, 1.0, 0.5, 500, 0)
    assert run["early"]["steps"][-1] == run["steps"][1] == 20
    for k in ("kernel_change", "kernel_distance", "alignment", "weight_change"):
        np.testing.assert_allclose(run["early"][k][-1], run[k][1], rtol=1e-3, err_msg=k)
    # 2. finals vs width: lazy scaling under NTK parameterization
    f = finals(fin)
    assert len(f) == 4
    w, wc, slope = weight_input(f)
    np.testing.assert_array_equal(w, WIDTHS)
    assert -0.7 < slope < -0.35, slope  # theory −1/2 (Lee et al. 2019)
    assert np.all(np.diff(wc) < 0) and 0.01 < wc[-1] < 0.08 and wc[0] > 0.3
    (kc_key,) = [k for k in f if k.startswith("‖Θ<sub>T</sub>")]
    _, kc, kc_slope = f[kc_key]
    assert -1.3 < kc_slope < -0.5, kc_slope  # between −1/2 and −1 (a little steeper at small width)
    assert kc[-1] < 0.03
    assert fin["layout"]["xaxis"]["type"] == "log" and fin["layout"]["yaxis"]["type"] == "log"
    assert any("Fitted slopes against width (measured here): input-layer weight change" in m.value for m in at.markdown)
    # 3. animated heatmap of Θt − Θ0 at width 128: frames over snapshots, step 0 all zeros
    frames = heat["frames"]
    assert len(frames) == 26
    assert [s["label"] for s in heat["layout"]["sliders"][0]["steps"]][-1] == "500"
    z0, zt = arr(frames[0]["data"][0]["z"]), arr(frames[-1]["data"][0]["z"])
    assert z0.shape == (20, 20) and np.all(z0 == 0)
    assert 0 < np.abs(zt).max() <= frames[-1]["data"][0]["zmax"] + 1e-6
    np.testing.assert_allclose(zt, zt.T, atol=1e-4 * np.abs(zt).max())  # a kernel difference is symmetric
    assert heat["layout"]["updatemenus"][0]["buttons"][0]["args"][1]["frame"]["redraw"] is True
    # 4. particles: all 128 neurons in every frame, they move a little (lazy-ish at width 128)
    pf = particles["frames"]
    assert len(pf) == 26
    for fr in (pf[0], pf[-1]):
        n = sum(arr(t["x"]).size for t in fr["data"] if t["name"].startswith("neuron with"))
        assert n == 128
    assert arr(pf[0]["data"][1]["x"]).shape == (20,)  # the training inputs


def test_large_alpha_is_lazier_and_small_alpha_richer():
    base = finals(specs(run_page())[1])
    lazy = finals(specs(run_page(alpha="10"))[1])
    _, wc_base, _ = weight_input(base)
    _, wc_lazy, _ = weight_input(lazy)
    # α = 10: every width's weights move about 10× less (Chizat et al.: Δθ ∝ 1/α)
    ratio = wc_lazy / wc_base
    assert np.all((ratio > 0.03) & (ratio < 0.3)), ratio
    # α = 0.3 with a small learning rate: the width-128 network's neurons travel far more
    at = run_page(alpha="0.3", lr_frac="0.1")
    rich = specs(at)
    _, wc_rich, _ = weight_input(finals(rich[1]))
    assert wc_rich[2] > 2 * wc_base[2]


def test_small_alpha_large_lr_diverges_with_warning_and_finite_plots():
    at = run_page(alpha="0.03", lr_frac="0.9")
    warnings = [w.value for w in at.warning]
    assert any("Training diverged for width" in w and "learning-rate fraction" in w for w in warnings), warnings
    metrics = specs(at)[0]
    for t in metrics["data"]:
        assert np.all(np.isfinite(arr(t["y"])))


def test_every_width_diverging_at_once_falls_back_to_the_suggested_fraction():
    """α = 0.03, fraction 0.95: every width blows up within a few steps, before its first snapshot."""
    at = run_page(alpha="0.03", lr_frac="0.95")
    (info,) = at.info
    m = re.search(r"Showing fraction \*\*([\d.]+)\*\*", info.value)
    assert "every width diverged" in info.value and m, info.value
    assert float(m.group(1)) < 0.95
    assert "η = " in " ".join(c.value for c in at.caption)  # the per-width learning rates are stated
    figs = specs(at)
    assert len(figs) == 4
    metrics, final = figs[0], figs[1]
    # something to see: a run with more than its step-0 snapshot, and a finite final value
    assert any(len(arr(t["x"])) > 1 and np.isfinite(arr(t["y"])).all() for t in metrics["data"])
    assert any(np.isfinite(arr(t["y"])).any() for t in final["data"] if t.get("mode") == "markers")


def test_malformed_url_param_falls_back_with_warning():
    at = run_page(alpha="abc", lr_frac="5")
    text = " ".join(w.value for w in at.sidebar.warning)
    assert "alpha=`'abc'` is not valid" in text and "using default 1" in text
    assert "lr_frac=`'5'` is not valid (0.05–0.95); using default 0.5" in text
    assert at.slider(key="lr_frac").value == 0.5
    assert at.select_slider(key="alpha").value == 1.0
    assert at.select_slider(key="width").value == 128
    assert len(specs(at)) == 4


def test_long_runs_animate_at_most_26_snapshots():
    """2000 steps record 101 snapshots; the animations show 26 of them, evenly spread, last included."""
    from plots import drift as P

    r, n = 101, 3
    run = {"ntk": np.random.default_rng(0).normal(size=(r, n, n)), "steps": np.arange(r) * 20,
           "neuron_w": np.ones((r, 2, n)), "neuron_a": np.ones((r, n))}
    for fig in (P.kernel_change_animation.uncached(run, np.zeros(n), 128),
                P.particles_animation.uncached(run, np.ones((n, 2)), np.ones(n), 128)):
        labels = [s.label for s in fig.layout.sliders[0].steps]
        assert len(fig.frames) == len(labels) == P.ANIMATION_FRAMES
        assert labels[0] == "0" and labels[-1] == "2000"
    np.testing.assert_allclose(np.asarray(fig.frames[-1].data[2].x), 1.0)  # the last snapshot's neurons
