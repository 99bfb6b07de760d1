"""Figure of the Welcome page: the network's fit next to Θ∞ kernel regression."""

from __future__ import annotations

import plotly.graph_objects as go

from common import palette
from common.figures import base_layout, cached, f32


@cached
def fit_figure(r: dict, width: int, steps: int) -> go.Figure:
    """Target, training points, the common start f0, the network and Θ∞ kernel regression."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=f32(r["x"]), y=f32(r["target"]), name="target sin x", mode="lines",
        line={"color": palette.TARGET, "width": 1.5},
        hovertemplate="target %{y:.3f}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=f32(r["x"]), y=f32(r["f0"]), name="network at initialization (step 0)", mode="lines",
        line={"color": palette.TEST, "width": 1.5, "dash": "dot"},
        hovertemplate="f0 %{y:.3f}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=f32(r["x"]), y=f32(r["f_ntk"]), name=f"kernel regression, infinite-width NTK (step {steps})",
        mode="lines", line={"color": palette.INFINITE, "width": 5},
        hovertemplate="NTK %{y:.3f}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=f32(r["x"]), y=f32(r["f_net"]), name=f"network, width {width} (step {steps})", mode="lines",
        line={"color": palette.NETWORK, "width": 2.5},
        hovertemplate="network %{y:.3f}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=f32(r["x_train"]), y=f32(r["y_train"]), name="training points", mode="markers",
        marker={"color": palette.TRAIN_POINTS, "size": 9, "line": {"color": "white", "width": 1}},
        hovertemplate="x %{x:.3f}, y %{y:.3f}<extra>train</extra>",
    ))
    base_layout(fig, f"Width {width}: the network and its infinite-width NTK after {steps} GD steps",
                "input x", "output f(x)", hovermode="x unified", height=460)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.16, "x": 0.0},
                      margin={"b": 110})
    fig.update_yaxes(range=[-2.6, 2.6])
    return fig
