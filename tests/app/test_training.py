"""AppTest of "Training is kernel regression": animated functions, losses, gaps, divergence, limits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest
from apptest_util import arr, run_script, specs

# The page script itself (conftest puts the repo root and app/ on sys.path): a
# fresh session opened on this page's URL, as a copied link would be. Going
# through the entrypoint would first run the Welcome page, whose own `width`
# widget keeps its value across AppTest's switch_page and masks the URL.
PAGE = str(Path(__file__).resolve().parents[2] / "app" / "lessons" / "training.py")
TIMEOUT = 180


def run_training(**params) -> AppTest:
    return run_script(PAGE, TIMEOUT, params, "Training is kernel regression")


def by_name(data: list[dict]) -> dict[str, dict]:
    return {t["name"]: t for t in data}


def metric(at, label: str) -> float:
    (m,) = [m for m in at.metric if m.label.startswith(label)]
    return float(m.value)


def check_losses_and_gaps(loss: dict, gap: dict) -> None:
    assert loss["layout"]["yaxis"]["type"] == "log"
    lt = by_name(loss["data"])
    assert set(lt) == {"network", "linearized network", "infinite-width NTK"}
    for t in lt.values():
        y = arr(t["y"])
        assert y.size > 10 and np.all(np.isfinite(y)) and np.all(y > 0)
    gt = gap["data"]
    assert len(gt) == 2
    for t in gt:
        y = arr(t["y"])
        assert np.all(np.isfinite(y)) and np.all(y >= 0)


def test_page_runs_in_the_app():
    entry = Path(PAGE).parents[1] / "streamlit_app.py"
    at = AppTest.from_file(str(entry), default_timeout=TIMEOUT).run()
    at.switch_page("lessons/training.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Training is kernel regression" and len(specs(at)) == 3


def test_default_1d_three_models():
    at = run_training()
    anim, loss, gap = specs(at)
    # animated curves: step 0 … 1000 in 41 frames, each with target, 3 models, training points
    frames = anim["frames"]
    assert len(frames) == 41
    assert [s["label"] for s in anim["layout"]["sliders"][0]["steps"]][:2] == ["0", "25"]
    assert anim["layout"]["sliders"][0]["steps"][-1]["label"] == "1000"
    names = [t["name"] for t in anim["data"]]
    assert names == ["target", "infinite-width NTK", "linearized network", "network", "training points"]
    first, last = (by_name(f["data"]) for f in (frames[0], frames[-1]))
    for k in ("network", "linearized network", "infinite-width NTK"):
        assert arr(first[k]["y"]).shape == (200,) and arr(last[k]["y"]).shape == (200,)
    # all three start from the same function f0
    np.testing.assert_allclose(arr(first["network"]["y"]), arr(first["infinite-width NTK"]["y"]), atol=1e-5)
    np.testing.assert_allclose(arr(first["network"]["y"]), arr(first["linearized network"]["y"]), atol=1e-5)
    # …and end close to each other and to the training targets
    net, lin, inf = (arr(last[k]["y"]) for k in ("network", "linearized network", "infinite-width NTK"))
    assert np.sqrt(np.mean((net - lin) ** 2)) < 0.15 and np.sqrt(np.mean((net - inf) ** 2)) < 0.15
    assert np.sqrt(np.mean((net - arr(last["target"]["y"])) ** 2)) < 0.3
    check_losses_and_gaps(loss, gap)
    # the network's loss falls by orders of magnitude
    y_net = arr(by_name(loss["data"])["network"]["y"])
    assert y_net[-1] < 0.05 * y_net[0]
    # stable bounds shown: 2/λ_max of Θ0 and Θ∞ (≈ 0.62 for this task)
    assert 0.4 < metric(at, "Stable bound 2/λ_max of Θ₀") < 1.0
    assert 0.6 < metric(at, "2/λ_max of Θ∞") < 0.64
    assert not at.warning


def test_wider_network_tracks_kernels_closer():
    at = run_training()
    final_gap = {}
    for width in (16, 4096):
        at.sidebar.select_slider(key="width").set_value(width).run()
        assert not at.exception, [e.message for e in at.exception]
        gap = specs(at)[2]
        y = arr(by_name(gap["data"])["‖f − f<sub>lin</sub>‖ (network vs linearized)"]["y"])
        final_gap[width] = float(y[-1])
        assert abs(metric(at, "‖f − f_lin‖ at step") - final_gap[width]) < 1e-3 * max(1, final_gap[width])
    assert final_gap[4096] < 0.5 * final_gap[16]


def test_2d_task_decision_surfaces():
    at = run_training(task="moons")
    anim, loss, gap = specs(at)
    data = anim["data"]
    assert [t["type"] for t in data] == ["heatmap", "contour", "contour", "contour", "scatter", "scatter"]
    z = arr(data[0]["z"])
    assert z.shape == (41, 41) and np.all(np.isfinite(z))
    assert len(anim["frames"]) == 41
    # after training the network separates the classes: output sign matches the labels mostly
    z_last = arr(anim["frames"][-1]["data"][0]["z"])
    assert z_last.max() > 0.5 and z_last.min() < -0.5
    assert not np.allclose(z_last, z)
    n_pts = sum(arr(t["x"]).size for t in data[4:])
    assert n_pts == 100
    check_losses_and_gaps(loss, gap)


def test_learning_rate_past_bound_kernel_models_diverge_network_catapults():
    """η = 1.5 > 2/λ_max: the linearization and Θ∞ regression diverge (the page names them and stops
    their curves); the network stays finite, is plotted to the end and converges (catapult). Before
    issue 13 the page stopped the network too and said training blew up."""
    at = run_training(lr="1.5")
    (w,) = [w.value for w in at.warning]
    assert "the linearized network at step" in w and "the infinite-width kernel regression at step" in w
    assert "the network at step" not in w and "The network stayed finite" in w
    suggested = float(w.split("at most ")[1].rstrip("."))
    assert suggested < 0.62
    step = int(w.split("the linearized network at step ")[1].split(",")[0])
    anim, loss, gap = specs(at)
    for t in loss["data"]:
        y = arr(t["y"])
        assert np.all(np.isfinite(y)) and np.all(y > 0)
    lt = by_name(loss["data"])
    assert arr(lt["linearized network"]["x"]).max() < step
    net_x, net_y = arr(lt["network"]["x"]), arr(lt["network"]["y"])
    assert net_x.max() == 999 and net_y.max() > 10 * net_y[0] and net_y[-1] < 0.1 * net_y[0]
    for f in anim["frames"]:
        for t in f["data"]:
            assert np.all(np.isfinite(arr(t["y"])))
    last = by_name(anim["frames"][-1]["data"])
    assert arr(last["network"]["y"]).shape == (200,) and arr(last["linearized network"]["y"]).size == 0


def test_learning_rate_far_past_bound_network_diverges_too():
    at = run_training(lr="2")
    (w,) = [w.value for w in at.warning]
    assert w.startswith("Diverged: the network at step") and "stayed finite" not in w
    step = int(w.split("the network at step ")[1].split(",")[0])
    loss = specs(at)[1]
    assert arr(by_name(loss["data"])["network"]["x"]).max() < step


def test_too_slow_combination_falls_back_to_the_largest_width_that_fits():
    at = run_training(width="4096", depth="2")
    (info,) = [i.value for i in at.info]
    assert "too slow to train live" in info and "depth 1" in info and "width 1024" in info
    anim, loss, gap = specs(at)  # the figures of the run shown, not an empty page
    assert len(anim["frames"]) > 1
    assert np.isfinite(arr(by_name(anim["frames"][-1]["data"])["network"]["y"])).all()
    for fig in (loss, gap):
        assert any(np.isfinite(arr(t["y"])).any() for t in fig["data"])


def test_malformed_url_params_fall_back_with_warning():
    at = run_training(width="abc", lr="99", task="mnist")
    (w,) = [w.value for w in at.sidebar.warning]
    assert "width=`'abc'` is not valid" in w and "lr=`'99'` is not valid" in w and "task=`'mnist'`" in w
    assert at.sidebar.select_slider(key="width").value == 256
    assert at.sidebar.slider(key="lr").value == 0.5
    assert len(specs(at)) == 3


def test_fallback_width_is_the_widest_option_that_fits_the_budget():
    import pytest
    from compute import training as C

    for depth in C.DEPTHS:
        for width in C.WIDTHS:
            fit = C.fallback_width(width, depth)
            assert fit <= width and C.max_steps(fit, depth) > 0
            assert all(C.max_steps(w, depth) == 0 for w in C.WIDTHS if fit < w <= width)
    assert C.fallback_width(4096, 2) == 1024
    with pytest.raises(ValueError, match="width must be ≥ 16"):
        C.fallback_width(8, 1)
