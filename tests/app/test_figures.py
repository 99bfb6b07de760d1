"""Unit tests of app/common/figures.py and palette.py (no Streamlit run needed)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from common import palette
from common.figures import animated_figure, base_layout, heatmap, line


def test_palette_roles_distinct_and_hex():
    roles = [palette.NETWORK, palette.LINEARIZED, palette.INFINITE, palette.TARGET,
             palette.TRAIN_POINTS, palette.TEST]
    assert len(set(roles)) == len(roles)
    assert all(c.startswith("#") and len(c) == 7 for c in roles + palette.SEQUENCE)
    assert palette.seq(len(palette.SEQUENCE)) == palette.SEQUENCE[0]
    assert palette.rgba("#0072B2", 0.5) == "rgba(0, 114, 178, 0.5)"


def test_base_layout_titles_fonts_log_axes():
    fig = base_layout(go.Figure(), "T", "x", "y", log_x=True, hovermode="closest")
    lay = fig.layout
    assert lay.title.text == "T" and lay.xaxis.title.text == "x" and lay.yaxis.title.text == "y"
    assert lay.xaxis.type == "log" and lay.yaxis.type == "linear"
    assert lay.hovermode == "closest" and lay.font.size >= 14
    assert lay.template.layout.paper_bgcolor is not None  # the lean plotly_white look is embedded


def test_line_uses_float32_and_role_colours():
    x = np.linspace(0, 1, 5)
    fig = line([("net", x, x**2), ("inf", x, x)], "L", "x", "f(x)",
               colors=[palette.NETWORK, palette.INFINITE])
    assert [t.name for t in fig.data] == ["net", "inf"]
    assert fig.data[0].line.color == palette.NETWORK
    assert fig.data[1].line.dash == "dot"
    assert fig.data[0].y.dtype == np.float32


def test_heatmap():
    m = np.arange(9.0).reshape(3, 3) - 4
    fig = heatmap(m, "K", palette.DIVERGING, zmid=0.0)
    (hm,) = fig.data
    assert hm.type == "heatmap" and hm.zmid == 0.0 and hm.z.dtype == np.float32
    assert fig.layout.yaxis.autorange == "reversed"


def test_animated_figure_frames_buttons_slider():
    data = [np.eye(3) * k for k in range(4)]
    fig = animated_figure(data, lambda m: [go.Heatmap(z=m)], [f"t={k}" for k in range(4)],
                          "anim", redraw=True)
    assert len(fig.frames) == 4
    (menu,) = fig.layout.updatemenus
    assert [b.label for b in menu.buttons] == ["▶ Play", "❚❚ Pause"]
    assert menu.buttons[0].args[1]["frame"] == {"duration": 100, "redraw": True}
    (slider,) = fig.layout.sliders
    assert [s.label for s in slider.steps] == ["t=0", "t=1", "t=2", "t=3"]
    with pytest.raises(ValueError):
        animated_figure(data, lambda m: [go.Heatmap(z=m)], ["a"], "bad")
    # the frames carry each step's data, and the whole figure (frames too) is valid Plotly
    np.testing.assert_array_equal(np.asarray(fig.frames[2].data[0].z), data[2])
    assert [f.name for f in fig.frames] == ["0", "1", "2", "3"]
    go.Figure(fig.to_dict())  # re-validates every property
    with pytest.raises(ValueError):  # a frame's traces are still validated once, when built
        animated_figure(data, lambda m: [go.Heatmap(z=m, zsmooth="nonsense")], list("abcd"), "bad")


def test_lean_template_keeps_the_plotly_white_look():
    import plotly.io as pio

    from common.figures import TEMPLATE

    white = pio.templates["plotly_white"].layout
    for prop in ("paper_bgcolor", "plot_bgcolor", "colorway", "font"):
        assert TEMPLATE.layout[prop] == white[prop]
    assert TEMPLATE.layout.xaxis == white.xaxis and TEMPLATE.layout.yaxis == white.yaxis
    assert TEMPLATE.data.heatmap == pio.templates["plotly_white"].data.heatmap
    assert len(TEMPLATE.to_plotly_json().__repr__()) < 0.5 * len(pio.templates["plotly_white"].to_plotly_json().__repr__())


def _frames(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(2, 30)) for _ in range(n)]


def _animation(data, title):
    return animated_figure(data, lambda d: [go.Scatter(x=np.arange(30), y=d[0], name="a"),
                                            go.Scatter(x=np.arange(30), y=d[1], name="b")],
                           [str(i) for i in range(len(data))], title, "x", "y")


def test_cached_figure_equals_the_built_one_and_is_a_fresh_copy():
    import json

    import plotly.io as pio

    from common.figures import cached

    calls = []

    def anim(data, title):
        calls.append(title)
        return _animation(data, title)

    def pair(title):
        return line([("a", [0, 1], [1, 2])], title, "x", "y"), heatmap(np.eye(3), title)

    cached_anim, cached_pair = cached(anim), cached(pair)
    data = _frames(5)
    direct = _animation(data, "T")
    first = cached_anim(data, "T")
    assert json.loads(pio.to_json(first)) == json.loads(pio.to_json(direct))
    assert len(first.frames) == 5
    first.update_layout(height=999)  # a caller's change (presenter mode scales fonts) stays its own
    second = cached_anim(data, "T")
    assert calls == ["T"] and second.layout.height != 999
    cached_anim(_frames(5, seed=1), "T")  # other arrays: built again
    assert calls == ["T", "T"]
    f1, f2 = cached_pair("P")
    assert isinstance(f1, go.Figure) and f2.data[0].type == "heatmap"
    assert cached_anim.uncached is anim


def test_frame_indices_spread_first_and_last():
    from common.figures import frame_indices

    np.testing.assert_array_equal(frame_indices(10, 26), np.arange(10))
    idx = frame_indices(101, 26)
    assert len(idx) == 26 and idx[0] == 0 and idx[-1] == 100 and np.all(np.diff(idx) >= 3)
