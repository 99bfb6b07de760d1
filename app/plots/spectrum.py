"""Figures for the lesson "Spectrum and spectral bias"."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from common import palette
from common.figures import FONT_SIZE, animated_figure, base_layout, cached, f32


PI_TICKS = {"tickvals": [0, np.pi / 2, np.pi, 3 * np.pi / 2, 2 * np.pi],
            "ticktext": ["0", "π/2", "π", "3π/2", "2π"]}
PREDICTION = palette.BLACK  # the (1 − ηλ)^t prediction (a formula, like a target)


@cached
def eigenvalues(sp: dict) -> go.Figure:
    """Sorted loss-normalized eigenvalues of Θ0 (network) and Θ∞, log scale."""
    lam_max = max(float(sp["eig_emp"][0]), float(sp["eig_inf"][0]))
    floor = lam_max * 1e-9
    fig = go.Figure()
    for name, lam, k, frac, color, symbol in (
        ("this network's Θ (width above)", sp["eig_emp"], sp["k_emp"], sp["frac_emp"], palette.NETWORK, "circle"),
        ("infinite width Θ∞", sp["eig_inf"], sp["k_inf"], sp["frac_inf"], palette.INFINITE, "diamond-open"),
    ):
        idx = np.arange(1, len(lam) + 1)
        fig.add_trace(go.Scatter(
            x=idx, y=f32(np.maximum(lam, floor)), mode="markers+lines", name=name,
            line={"color": color, "width": 1.5, "dash": palette.DASH.get(color, "solid")},
            marker={"color": color, "symbol": symbol, "size": 8, "line": {"width": 2, "color": color}},
            customdata=np.stack([lam, k, 100 * frac], 1).astype(np.float32),
            hovertemplate=(f"{name}<br>i = %{{x}}: λ = %{{customdata[0]:.3g}}<br>"
                           "dominant frequency k = %{customdata[1]:.0f} (%{customdata[2]:.0f}% of the energy)"
                           "<extra></extra>"),
        ))
    base_layout(fig, "NTK spectrum: loss-normalized eigenvalues λᵢ = eig(Θ)/N (largest first)",
                "eigenvalue index i", "λᵢ (log scale)", log_y=True, hovermode="closest", height=430)
    lam_min = float(min(sp["eig_emp"].min(), sp["eig_inf"].min()))
    bottom = floor if lam_min <= floor else lam_min  # no empty decades below the smallest eigenvalue
    fig.update_yaxes(range=[np.log10(bottom) - 0.3, np.log10(lam_max) + 0.5], exponentformat="power")
    fig.update_layout(legend={"x": 0.99, "xanchor": "right", "y": 0.99, "yanchor": "top"})
    return fig


@cached
def eigenfunctions(sp: dict, n_modes: int = 6) -> go.Figure:
    """The top ``n_modes`` eigenvectors of the network's Θ on the circle, each with its best Fourier fit."""
    gamma = sp["gamma"]
    fine = np.linspace(0, 2 * np.pi, 241)
    titles = [f"v{i + 1}: k = {sp['k_emp'][i]}, λ = {sp['eig_emp'][i]:.2g} "
              f"({100 * sp['frac_emp'][i]:.0f}% Fourier)" for i in range(n_modes)]
    fig = make_subplots(rows=2, cols=3, subplot_titles=titles, shared_yaxes=True,
                        horizontal_spacing=0.05, vertical_spacing=0.16)
    for i in range(n_modes):
        r, c = divmod(i, 3)
        v = sp["vec_emp"][:, i]
        k = int(sp["k_emp"][i])
        basis = np.stack([np.cos(k * gamma), np.sin(k * gamma)], 1)
        coef, *_ = np.linalg.lstsq(basis, v, rcond=None)
        fit = coef[0] * np.cos(k * fine) + coef[1] * np.sin(k * fine)
        fig.add_trace(go.Scatter(
            x=f32(gamma), y=f32(v), mode="markers", name="eigenvector of Θ (network)",
            legendgroup="vec", showlegend=i == 0, marker={"color": palette.NETWORK, "size": 6},
            hovertemplate=f"v{i + 1}(γ=%{{x:.2f}}) = %{{y:.3f}}<extra></extra>",
        ), row=r + 1, col=c + 1)
        fig.add_trace(go.Scatter(
            x=f32(fine), y=f32(fit), mode="lines", name="best fit a·cos kγ + b·sin kγ",
            legendgroup="fit", showlegend=i == 0,
            line={"color": PREDICTION, "dash": "dot", "width": 2},
            hovertemplate=f"Fourier k={k}: %{{y:.3f}}<extra></extra>",
        ), row=r + 1, col=c + 1)
        fig.update_xaxes(row=r + 1, col=c + 1, **PI_TICKS)
    base_layout(fig, "Top eigenvectors are Fourier modes of the angle γ", "", "", hovermode="closest",
                height=560)
    fig.update_xaxes(title_text="angle γ", row=2)
    fig.update_yaxes(title_text="vᵢ(γ)", col=1)
    fig.update_annotations(font_size=FONT_SIZE - 1)
    fig.update_layout(margin={"l": 70, "r": 30, "t": 150, "b": 60},
                      title={"y": 0.985, "yanchor": "top"},
                      legend={"orientation": "h", "x": 0.0, "y": 1.09, "yanchor": "bottom"})
    return fig


@cached
def mode_residuals(tr: dict) -> go.Figure:
    """Residual per frequency during training: network, linearized model and the (1 − ηλ)^t prediction."""
    groups = tr["groups"]
    freqs = list(groups)
    cols = 3
    rows = -(-len(freqs) // cols)
    titles = []
    for k in freqs:
        lam = groups[k]["lambdas"]
        titles.append(f"k = {k}: λ ≈ {lam.mean():.2g}, ηλ ≈ {tr['lr'] * lam.mean():.2g}")
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, shared_xaxes=True, shared_yaxes=True,
                        horizontal_spacing=0.05, vertical_spacing=0.14)
    steps, t_pred = tr["steps"], tr["t_pred"]
    floor = 1e-6
    # the axis reaches the largest start, or the network's catapult spike (up to 100× that)
    start = max(float(g["pred"][0]) for g in groups.values())
    top = min(max(max(float(np.nanmax(g["net"])) for g in groups.values()), start), 100 * start)
    for j, k in enumerate(freqs):
        g = groups[k]
        r, c = divmod(j, cols)
        for name, x, y, color, dash, mode in (
            ("network", steps, g["net"], palette.NETWORK, "solid", "lines+markers"),
            ("linearized model", steps, g["lin"], palette.LINEARIZED, "dash", "lines"),
            ("prediction |1 − ηλ|ᵗ × residual(0)", t_pred, g["pred"], PREDICTION, "dot", "lines"),
        ):
            keep = (x > 0) & np.isfinite(y)  # log time axis; a diverged model stops where it diverged
            fig.add_trace(go.Scatter(
                x=f32(x[keep]), y=f32(np.maximum(y[keep], floor)), mode=mode, name=name,
                legendgroup=name, showlegend=j == 0,
                line={"color": color, "dash": dash, "width": 2.5 if dash != "solid" else 2},
                marker={"size": 4, "color": color},
                hovertemplate=f"k={k} {name.split(' ')[0]}: %{{y:.3g}}<extra></extra>",
            ), row=r + 1, col=c + 1)
    base_layout(fig, "Residual along each frequency's eigenvectors during training",
                "", "", log_x=True, log_y=True, hovermode="x unified", height=330 * rows + 80)
    fig.update_xaxes(type="log", exponentformat="power")
    fig.update_yaxes(type="log", range=[np.log10(floor), np.log10(top) + 0.3], exponentformat="power")
    fig.update_xaxes(title_text="GD step t (log scale)", row=rows)
    fig.update_yaxes(title_text="‖residual‖ (log)", col=1)
    fig.update_annotations(font_size=FONT_SIZE - 1)
    fig.update_layout(margin={"l": 70, "r": 30, "t": 150, "b": 60},
                      title={"y": 0.99, "yanchor": "top"},
                      legend={"orientation": "h", "x": 0.0, "y": 1.06, "yanchor": "bottom"})
    return fig


@cached
def learning_animation(tr: dict, frames: np.ndarray) -> go.Figure:
    """f_t(γ) of the network and its linearization over training, against the target."""
    g, y = tr["gamma_eval"], tr["y_eval"]
    shown = np.concatenate([tr["pred_eval"][frames].ravel(), tr["pred_eval_lin"][frames].ravel(), y])
    shown = np.clip(shown[np.isfinite(shown)], -3.0, 3.0)  # a model past its divergence is not drawn
    lo, hi = float(shown.min()), float(shown.max())
    pad = 0.08 * (hi - lo)

    def traces(i):
        return [
            go.Scatter(x=f32(g), y=f32(y), mode="lines", name="target",
                       line={"color": palette.TARGET, "width": 2}),
            go.Scatter(x=f32(tr["gamma"]), y=f32(tr["y"]), mode="markers", name="training points",
                       marker={"color": palette.TRAIN_POINTS, "size": 6}),
            go.Scatter(x=f32(g), y=f32(tr["pred_eval"][i]), mode="lines", name="network",
                       line={"color": palette.NETWORK, "width": 3}),
            go.Scatter(x=f32(g), y=f32(tr["pred_eval_lin"][i]), mode="lines", name="linearized model",
                       line={"color": palette.LINEARIZED, "dash": "dash", "width": 2.5}),
        ]

    fig = animated_figure(
        list(frames), traces, [str(int(tr["steps"][i])) for i in frames],
        "Learning the target: low frequencies first", "angle γ", "fₜ(γ)",
        slider_prefix="step ", frame_ms=120, xrange=(0, 2 * np.pi), yrange=(lo - pad, hi + pad),
        hovermode="x unified",
    )
    fig.update_xaxes(**PI_TICKS)
    fig.update_layout(height=480, legend={"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom"},
                      margin={"t": 100})
    return fig
