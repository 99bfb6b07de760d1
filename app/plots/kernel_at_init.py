"""Figures for the lesson "The kernel at initialization"."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from common import palette
from common.figures import FONT_SIZE, base_layout, cached, f32


PI_TICKS = {"tickvals": [0, np.pi / 2, np.pi, 3 * np.pi / 2, 2 * np.pi],
            "ticktext": ["0", "π/2", "π", "3π/2", "2π"]}
PM_PI_TICKS = {"tickvals": [-np.pi, -np.pi / 2, 0, np.pi / 2, np.pi],
               "ticktext": ["−π", "−π/2", "0", "π/2", "π"]}


@cached
def kernel_heatmaps(theta_emp: np.ndarray, theta_inf: np.ndarray, gamma: np.ndarray,
                    width: int, seed: int) -> go.Figure:
    """Empirical Θ (one network) beside Θ∞ on one shared colour scale."""
    zmin = float(min(theta_emp.min(), theta_inf.min()))
    zmax = float(max(theta_emp.max(), theta_inf.max()))
    fig = make_subplots(
        rows=1, cols=2, horizontal_spacing=0.08,
        subplot_titles=(f"Empirical Θ — width {width}, seed {seed}", "Infinite width Θ∞"),
    )
    for col, (name, z) in enumerate((("empirical Θ", theta_emp), ("Θ∞", theta_inf)), start=1):
        fig.add_trace(
            go.Heatmap(
                z=f32(z), x=f32(gamma), y=f32(gamma), coloraxis="coloraxis", name=name,
                hovertemplate=(f"{name}<br>γ = %{{y:.2f}}, γ′ = %{{x:.2f}}"
                               "<br>Θ = %{z:.4f}<extra></extra>"),
            ),
            row=1, col=col,
        )
    base_layout(fig, "The NTK on 64 points of the unit circle (ordered by angle)", "", "",
                hovermode="closest", height=470)
    fig.update_layout(
        coloraxis={"colorscale": palette.SEQUENTIAL, "cmin": zmin, "cmax": zmax,
                   "colorbar": {"title": {"text": "Θ(x, x′)"}}},
        margin={"l": 70, "r": 30, "t": 90, "b": 60},
    )
    fig.update_annotations(font_size=FONT_SIZE)
    for col in (1, 2):
        fig.update_xaxes(title_text="angle γ′ of x′", row=1, col=col, **PI_TICKS)
        fig.update_yaxes(title_text="angle γ of x" if col == 1 else "", row=1, col=col,
                         autorange="reversed", scaleanchor="x" if col == 1 else "x2",
                         constrain="domain", **PI_TICKS)
        fig.update_xaxes(constrain="domain", row=1, col=col)
    return fig


@cached
def jacot_slice(gamma: np.ndarray, rows: np.ndarray, inf_row: np.ndarray, width: int,
                seed: int) -> go.Figure:
    """Θ(x0, x(γ)) for every sampled network (thin) and Θ∞ (thick, dotted)."""
    fig = go.Figure()
    for s, row in enumerate(rows):
        fig.add_trace(go.Scatter(
            x=f32(gamma), y=f32(row), mode="lines", name=f"{len(rows)} networks (seeds {seed}–{seed + len(rows) - 1})",
            legendgroup="nets", showlegend=s == 0,
            line={"color": palette.rgba(palette.NETWORK, 0.55), "width": 1.5},
            hovertemplate=f"seed {seed + s}: Θ = %{{y:.4f}}<extra></extra>",
        ))
    fig.add_trace(go.Scatter(
        x=f32(gamma), y=f32(inf_row), mode="lines", name="infinite width Θ∞",
        line={"color": palette.INFINITE, "dash": palette.DASH[palette.INFINITE], "width": 4},
        hovertemplate="Θ∞ = %{y:.4f}<extra></extra>",
    ))
    base_layout(fig, f"Θ(x₀, x(γ)) at width {width}: 10 random networks vs the limit",
                "angle γ between x₀ = (1, 0) and x = (cos γ, sin γ)", "Θ(x₀, x)",
                hovermode="x unified", height=430)
    fig.update_xaxes(**PM_PI_TICKS)
    fig.update_layout(legend={"x": 0.99, "xanchor": "right", "y": 0.99, "yanchor": "top"})
    return fig


@cached
def width_sweep(sw, width: int) -> go.Figure:
    """Relative distance to Θ∞ against width (log-log) with the fitted power law."""
    fig = go.Figure()
    n_seeds = sw.errors.shape[1]
    xs = np.repeat(sw.widths, n_seeds)
    fig.add_trace(go.Scatter(
        x=f32(xs), y=f32(sw.errors.ravel()), mode="markers", name=f"one network ({n_seeds} seeds per width)",
        marker={"color": palette.rgba(palette.NETWORK, 0.45), "size": 7},
        hovertemplate="width %{x}<br>‖Θ − Θ∞‖/‖Θ∞‖ = %{y:.4f}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=f32(sw.widths), y=f32(sw.rms), mode="markers+lines", name="root mean square over seeds",
        line={"color": palette.NETWORK, "width": 2.5}, marker={"size": 10, "color": palette.NETWORK},
        hovertemplate="width %{x}<br>rms = %{y:.4f}<extra></extra>",
    ))
    if np.isfinite(sw.slope):
        wf = np.geomspace(sw.widths.min(), sw.widths.max(), 50)
        fig.add_trace(go.Scatter(
            x=f32(wf), y=f32(10 ** (sw.intercept + sw.slope * np.log10(wf))), mode="lines",
            name=f"fit: ∝ width^{sw.slope:.2f}",
            line={"color": palette.VERMILLION, "dash": "dash", "width": 2.5},
            hovertemplate="fit %{y:.4f}<extra></extra>",
        ))
        # reference slope −1/2 through the first rms point
        fig.add_trace(go.Scatter(
            x=f32(wf), y=f32(sw.rms[0] * (wf / sw.widths[0]) ** -0.5), mode="lines",
            name="reference ∝ width^−0.5",
            line={"color": palette.GREY, "dash": "dot", "width": 2},
            hovertemplate="width^−½ %{y:.4f}<extra></extra>",
        ))
    base_layout(fig, f"Distance to the limit shrinks with width (fitted slope {sw.slope:.2f})",
                "width (log scale)", "‖Θ<sub>width</sub> − Θ∞‖<sub>F</sub> / ‖Θ∞‖<sub>F</sub> (log scale)",
                log_x=True, log_y=True, hovermode="closest", height=430)
    fig.update_xaxes(tickvals=list(sw.widths), ticktext=[str(int(w)) for w in sw.widths])
    fig.update_yaxes(dtick="D2")
    fig.update_layout(legend={"x": 0.99, "xanchor": "right", "y": 0.99, "yanchor": "top"})
    return fig
