"""Figures of "Training is kernel regression": animated functions, loss curves, gaps."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from common import palette
from compute import training as compute
from common.figures import animated_figure, base_layout, cached, f32, legend_below

NAMES = {"net": "network", "lin": "linearized network", "inf": "infinite-width NTK"}
COLORS = {"net": palette.NETWORK, "lin": palette.LINEARIZED, "inf": palette.INFINITE}
DASHES = {"net": "solid", "lin": "dash", "inf": "dot"}
WIDTHS = {"net": 3.0, "lin": 3.0, "inf": 4.0}


def _finite_xy(x: np.ndarray, y: np.ndarray, positive: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The points where y is finite (and > 0 for log axes): nothing non-finite is ever plotted."""
    x, y = np.asarray(x), np.asarray(y, np.float64)
    keep = np.isfinite(y) & ((y > 0) if positive else True)
    return f32(x[keep]), f32(y[keep])


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
            xk, yk = _finite_xy(x, r[f"f_{k}"][i])
            out.append(go.Scatter(
                x=xk, y=yk, name=NAMES[k], mode="lines",
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
        a = np.asarray(a, np.float64)
        a = np.where(np.isfinite(a), np.clip(a, -3, 3), 0.0)  # drawn only if all finite (below)
        return f32(a).reshape(side, side)

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
                visible=True if np.all(np.isfinite(r[f"f_{k}"][i])) else "legendonly",
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

    lim = float(g[-1]) + 0.5 * float(g[1] - g[0])  # whole edge cells
    fig = animated_figure(
        list(range(n)), traces, [str(int(s)) for s in r["rec_steps"]],
        "Decision surfaces during training (press ▶ Play)", "x₁", "x₂",
        slider_prefix="GD step ", frame_ms=150, redraw=True, xrange=(-lim, lim), yrange=(-lim, lim),
        hovermode="closest",
    )
    fig.update_yaxes(scaleanchor="x", scaleratio=1, constrain="domain")
    fig.update_xaxes(constrain="domain")
    fig.update_layout(height=760, legend={"orientation": "h", "yanchor": "bottom", "y": 1.0,
                                          "x": 0.0, "xanchor": "left"},
                      margin={"t": 110})
    return fig


def loss_figure(r: dict) -> go.Figure:
    """Training loss of the three models per GD step (log y)."""
    s = np.asarray(r["loss_steps"])
    fig = go.Figure()
    for k in ("net", "lin", "inf"):
        xk, yk = _finite_xy(s, r[f"loss_{k}"], positive=True)
        fig.add_trace(go.Scatter(
            x=xk, y=yk, name=NAMES[k],
            mode="lines", line={"color": COLORS[k], "dash": DASHES[k], "width": WIDTHS[k]},
            hovertemplate=NAMES[k] + " %{y:.3g}<extra></extra>",
        ))
    base_layout(fig, "Training loss L = (1/2N) Σ (f − y)²", "GD step", "loss (log scale)",
                log_y=True)
    vals = np.concatenate([r[f"loss_{k}"] for k in ("net", "lin", "inf")])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    decades = np.log10(vals.max() / vals.min()) if vals.size else 0.0
    fig.update_yaxes(dtick=1 if decades > 2.5 else "D2", exponentformat="power" if decades > 2.5 else "none")
    legend_below(fig, -0.2, 120).update_layout(height=440, margin_t=60)
    return fig


def gap_figure(r: dict) -> go.Figure:
    """‖f − f_lin‖ and ‖f − f_∞‖ (RMS over the plotted inputs) at the recorded steps."""
    s = np.asarray(r["rec_steps"])
    fig = go.Figure()
    xl, yl = _finite_xy(s, r["gap_lin"])
    xi, yi = _finite_xy(s, r["gap_inf"])
    fig.add_trace(go.Scatter(
        x=xl, y=yl, name="‖f − f<sub>lin</sub>‖ (network vs linearized)", mode="lines+markers",
        line={"color": palette.LINEARIZED, "width": 3}, marker={"size": 5},
        hovertemplate="‖f − f<sub>lin</sub>‖ %{y:.3g}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=xi, y=yi, name="‖f − f_∞‖ (network vs infinite width)", mode="lines+markers",
        line={"color": palette.INFINITE, "width": 3, "dash": "dot"}, marker={"size": 5},
        hovertemplate="‖f − f_∞‖ %{y:.3g}<extra></extra>",
    ))
    base_layout(fig, "How far the network is from the kernel models", "GD step",
                "RMS distance over the plotted inputs")
    fig.update_yaxes(rangemode="tozero")
    if xl.size <= 1 and xi.size <= 1:  # only step 0 (distance 0): both kernel models diverged before a record
        fig.add_annotation(text=f"Both kernel models diverged before step {int(s[1])},<br>the first recorded "
                                "step: no distance to show", showarrow=False, x=0.5, y=0.5,
                           xref="paper", yref="paper")
        fig.update_xaxes(range=[0, float(s[-1])])
    legend_below(fig, -0.2, 120).update_layout(height=440, margin_t=60)
    return fig


@cached
def figures(task: str, width: int, depth: int, activation: str, lr: float, steps: int,
            seed: int) -> tuple[go.Figure, go.Figure, go.Figure]:
    """The page's three figures for these settings (building the 41-frame animation takes
    ~0.5–2 s, so they are cached for every session)."""
    r = compute.run(task, width, depth, activation, lr, steps, seed)
    anim = functions_2d(r) if r["is_2d"] else functions_1d(r)
    return anim, loss_figure(r), gap_figure(r)
