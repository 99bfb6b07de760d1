"""AppTest of the Welcome page: the live fit, the width control, the lesson map, bad URLs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest
from apptest_util import arr, run_script, specs

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py")
TIMEOUT = 180


def run_welcome(**params) -> AppTest:
    return run_script(ENTRY, TIMEOUT, params)


def traces(spec: dict) -> dict[str, dict]:
    return {t["name"]: t for t in spec["data"]}


def find(tr: dict[str, dict], prefix: str) -> dict:
    (hit,) = [t for name, t in tr.items() if name.startswith(prefix)]
    return hit


def metric(at, label: str) -> float:
    (m,) = [m for m in at.metric if m.label.startswith(label)]
    return float(m.value.split()[0])


def test_default_fit_figure_and_lesson_map():
    at = run_welcome()
    assert at.title[0].value == "Welcome"
    (spec,) = specs(at)
    tr = traces(spec)
    net, ntk = find(tr, "network, width 256"), find(tr, "kernel regression, infinite-width NTK")
    x, f_net, f_ntk = arr(net["x"]), arr(net["y"]), arr(ntk["y"])
    assert x.shape == (200,) and f_net.shape == (200,) and f_ntk.shape == (200,)
    assert np.isclose(x.min(), -np.pi, atol=1e-3) and np.isclose(x.max(), np.pi, atol=1e-3)
    target = arr(find(tr, "target")["y"])
    np.testing.assert_allclose(target, np.sin(x), atol=1e-5)
    train_pts = find(tr, "training points")
    assert arr(train_pts["x"]).shape == (20,)
    # both curves fit sin x reasonably after 200 steps and are close to each other
    assert np.sqrt(np.mean((f_ntk - target) ** 2)) < 0.2
    gap = np.sqrt(np.mean((f_net - f_ntk) ** 2))
    assert 0.0 < gap < 0.15
    assert abs(metric(at, "Distance between the two curves") - gap) < 2e-3
    # the initial function is a different curve (training moved it)
    assert np.sqrt(np.mean((arr(find(tr, "network at initialization")["y"]) - f_net) ** 2)) > 0.3
    assert spec["layout"]["xaxis"]["title"]["text"] and spec["layout"]["yaxis"]["title"]["text"]
    # the course map: one link per page of the navigation (every lesson and the gallery), in order
    from common.pages import lesson_pages

    pages = lesson_pages()
    links = [l for l in at.get("page_link") if l.proto.label[:1].isdigit()]  # (+ the next-lesson link)
    assert [l.proto.label for l in links] == [f"{i}. {p.title}" for i, p in enumerate(pages)]
    assert len(links) >= 13
    assert not at.warning


def test_width_control_network_approaches_kernel():
    at = run_welcome()
    gaps = {}
    for width in (16, 4096):
        at.sidebar.select_slider(key="width").set_value(width).run()
        assert not at.exception, [e.message for e in at.exception]
        tr = traces(specs(at)[0])
        f_net = arr(find(tr, f"network, width {width}")["y"])
        f_ntk = arr(find(tr, "kernel regression")["y"])
        gaps[width] = float(np.sqrt(np.mean((f_net - f_ntk) ** 2)))
        assert abs(metric(at, "Distance between the two curves") - gaps[width]) < 2e-3
    # wider network = closer to the infinite-width kernel regression (measured 0.16 vs 0.025)
    assert gaps[4096] < 0.5 * gaps[16]
    assert gaps[4096] < 0.06


def test_malformed_width_falls_back_with_warning():
    at = run_welcome(width="abc")
    warnings = [w.value for w in at.sidebar.warning]
    assert any("width=`'abc'` is not valid" in w and "using default 256" in w for w in warnings)
    assert at.sidebar.select_slider(key="width").value == 256
    assert find(traces(specs(at)[0]), "network, width 256")
