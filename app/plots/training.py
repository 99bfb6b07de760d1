"""Figures of "Training is kernel regression": animated functions, loss curves, gaps."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from common import palette
from common.figures import animated_figure, base_layout, f32

NAMES = {"net": "network", "lin": "linearized network", "inf": "infinite-width NTK"}
COLORS = {"net": palette.NETWORK, "lin": palette.LINEARIZED, "inf": palette.INFINITE}
DASHES = {"net": "solid", "lin": "dash", "inf": "dot"}
WIDTHS = {"net": 3.0, "lin": 3.0, "inf": 4.0}


def _finite(a: np.ndarray) -> np.ndarray:
    """float32 copy with non-finite entries as NaN (Plotly leaves gaps at NaN)."""
    a = np.asarray(a, np.float64).copy()
    a[~np.isfinite(a)] = np.nan
    return f32(a)


def functions_1d(r: dict) -> go.Figure:
    """Animated curves f_t(x) of the three models over training (1-D tasks)."""
    x = f32(r["x_eval"][:, 0])
    n = len(r["rec_steps"])

    def traces(i: int) -> list:
        out = [
            go.Scatter(x=x, y=f32(r["target"]), name="target", mode="lines",
                       line={"color": palette.TARGET, "width": 1.5},
                       hovertemplate="target %{y:.3f}<extra></extra>"),
        ]
        for k in ("inf", "lin", "net"):
            out.append(go.Scatter(
                x=x, y=_finite(r[f"f_{k}"][i]), name=NAMES[k], mode="lines",
                line={"color": COLORS[k], "dash": DASHES[k], "width": WIDTHS[k]},
                hovertemplate=NAMES[k] + " %{y:.3f}<extra></extra>",
            ))
        out.append(go.Scatter(
            x=f32(r["x_train"][:, 0]), y=f32(r["y_train"]), name="training points", mode="markers",
            marker={"color": palette.TRAIN_POINTS, "size": 9, "line": {"color": "white", "width": 1}},
            hovertemplate="x %{x:.3f}, y %{y:.3f}<extra>train</extra>",
        ))
        return out

    allf = np.concatenate([r["f_net"].ravel(), r["f_lin"].ravel(), r["f_inf"].ravel(),
                           r["y_train"], r["target"]])
    allf = allf[np.isfinite(allf)]
    lo, hi = float(np.min(allf)), float(np.max(allf))
    pad = 0.08 * (hi - lo + 1e-9)
    lo, hi = max(lo - pad, -4.0), min(hi + pad, 4.0)
    fig = animated_figure(
        list(range(n)), traces, [str(int(s)) for s in r["rec_steps"]],
        "The three models during training (press ▶ Play)", "input x", "output f(x)",
        slider_prefix="GD step ", frame_ms=120, xrange=(float(x[0]), float(x[-1])), yrange=(lo, hi),
        hovermode="x unified",
    )
    fig.update_layout(height=540, legend={"orientation": "h", "yanchor": "bottom", "y": 1.0,
                                          "x": 0.0, "xanchor": "left"},
                      margin={"t": 100})
    return fig


def functions_2d(r: dict) -> go.Figure:
    """Animated decision surfaces: the network's output as a heatmap, the three boundaries f = 0."""
    g = f32(r["grid"])
    side = len(g)
    n = len(r["rec_steps"])
    xt, yt = r["x_train"], r["y_train"]

    def grid(a: np.ndarray) -> np.ndarray:
        return _finite(np.clip(a, -3, 3)).reshape(side, side)

    def traces(i: int) -> list:
        out = [go.Heatmap(
            x=g, y=g, z=grid(r["f_net"][i]), colorscale=palette.DIVERGING, zmid=0, zmin=-1.5, zmax=1.5,
            colorbar={"title": {"text": "network<br>output"}, "len": 0.8},
            hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<br>network f = %{z:.3f}<extra></extra>",
            name="network output", showlegend=False,
        )]
        for k in ("net", "lin", "inf"):
            out.append(go.Contour(
                x=g, y=g, z=grid(r[f"f_{k}"][i]), name=f"{NAMES[k]}: f = 0", showlegend=True,
                contours={"start": 0, "end": 0, "size": 1, "coloring": "none"},
                line={"color": COLORS[k], "dash": DASHES[k], "width": WIDTHS[k]},
                showscale=False, hoverinfo="skip",
            ))
        for lab, sym, name in ((1, "circle", "class +1"), (-1, "x", "class −1")):
            m = yt == lab
            out.append(go.Scatter(
                x=f32(xt[m, 0]), y=f32(xt[m, 1]), mode="markers", name=f"training points, {name}",
                marker={"symbol": sym, "size": 8, "color": "white" if lab > 0 else palette.BLACK,
                        "line": {"color": palette.BLACK, "width": 1.5}},
                hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<extra>" + name + "</extra>",
            ))
        return out

    lim = float(g[-1])
    fig = animated_figure(
        list(range(n)), traces, [str(int(s)) for s in r["rec_steps"]],
        "Decision surfaces during training (press ▶ Play)", "x₁", "x₂",
        slider_prefix="GD step ", frame_ms=150, redraw=True, xrange=(-lim, lim), yrange=(-lim, lim),
        hovermode="closest",
    )
    fig.update_yaxes(scaleanchor="x", scaleratio=1, constrain="domain")
    fig.update_xaxes(constrain="domain")
    fig.update_layout(height=640, legend={"orientation": "h", "yanchor": "bottom", "y": 1.0,
                                          "x": 0.0, "xanchor": "left"},
                      margin={"t": 110})
    return fig


def loss_figure(r: dict, max_lr: float) -> go.Figure:
    """Training loss of the three models per GD step (log y)."""
    s = f32(r["loss_steps"])
    fig = go.Figure()
    for k in ("net", "lin", "inf"):
        fig.add_trace(go.Scatter(
            x=s, y=_finite(np.where(r[f"loss_{k}"] > 0, r[f"loss_{k}"], np.nan)), name=NAMES[k],
            mode="lines", line={"color": COLORS[k], "dash": DASHES[k], "width": WIDTHS[k]},
            hovertemplate=NAMES[k] + " %{y:.3g}<extra></extra>",
        ))
    base_layout(fig, "Training loss L = (1/2N) Σ (f − y)²", "GD step", "loss (log scale)",
                log_y=True, height=420)
    fig.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0.0},
                      margin={"t": 90})
    return fig


def gap_figure(r: dict) -> go.Figure:
    """‖f − f_lin‖ and ‖f − f_∞‖ (RMS over the plotted inputs) at the recorded steps."""
    s = f32(r["rec_steps"])
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=s, y=_finite(r["gap_lin"]), name="‖f − f_lin‖ (network vs linearized)", mode="lines+markers",
        line={"color": palette.LINEARIZED, "width": 3}, marker={"size": 5},
        hovertemplate="‖f − f_lin‖ %{y:.3g}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=s, y=_finite(r["gap_inf"]), name="‖f − f_∞‖ (network vs infinite width)", mode="lines+markers",
        line={"color": palette.INFINITE, "width": 3, "dash": "dot"}, marker={"size": 5},
        hovertemplate="‖f − f_∞‖ %{y:.3g}<extra></extra>",
    ))
    base_layout(fig, "How far the network is from the kernel models", "GD step",
                "RMS distance over the plotted inputs", height=420)
    fig.update_yaxes(rangemode="tozero")
    fig.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0.0},
                      margin={"t": 90})
    return fig
