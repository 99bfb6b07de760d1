"""Figures for the lesson "Interpolation and generalization" (single-panel figures: phone and projector)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from common import palette
from common.figures import base_layout, cached, f32, legend_below


def _measured(fig, x, mean, sem, name, color, symbol="circle", hover="test error"):
    fig.add_trace(go.Scatter(
        x=f32(x), y=f32(mean), mode="lines+markers", name=name,
        error_y={"type": "data", "array": f32(2 * sem), "visible": True, "thickness": 1.5},
        line={"color": color, "width": 3}, marker={"size": 9, "symbol": symbol},
        hovertemplate=f"%{{x:.3g}}<br>{hover} %{{y:.4g}}<extra></extra>"))


def _bayes(fig, x0, x1, noise):
    if noise > 0:
        fig.add_trace(go.Scatter(
            x=f32([x0, x1]), y=f32([noise ** 2] * 2), mode="lines", name=f"Bayes error σ² = {noise ** 2:g}",
            line={"color": palette.GREY, "dash": "dash", "width": 2.5}, hoverinfo="skip"))


@cached
def learning_curve(c: dict, noise: float) -> go.Figure:
    """Test error (noisy test labels) of ridgeless Θ∞ regression against n: measured ± 2 sem, theory, σ²."""
    fig = go.Figure()
    _measured(fig, c["ns"], c["mean"], c["sem"], "ridgeless NTK regression (measured, ±2 s.e.m.)",
              palette.INFINITE)
    fig.add_trace(go.Scatter(
        x=f32(c["n_dense"]), y=f32(c["pred"]), mode="lines", name="theory: bias + σ²γ/(1−γ) + σ²",
        line={"color": palette.VERMILLION, "dash": "dot", "width": 3},
        hovertemplate="n = %{x:.0f}<br>predicted %{y:.4g}<extra></extra>"))
    _bayes(fig, c["ns"][0], c["ns"][-1], noise)
    base_layout(fig, "Interpolating noise: test error vs n", "training points n",
                "test error (noisy test labels)", log_x=True, log_y=True, hovermode="closest", height=480)
    fig.update_xaxes(tickvals=list(c["ns"]), ticktext=[str(int(n)) for n in c["ns"]])
    fig.update_yaxes(nticks=6)
    legend_below(fig, -0.22, 140)
    return fig


@cached
def noise_factor(c: dict) -> go.Figure:
    """V(n) = mean‖a(x)‖²: the share of the label noise that reaches the test error, measured vs theory."""
    fig = go.Figure()
    _measured(fig, c["ns"], c["V"], c["V_sem"], "measured V(n), ±2 s.e.m.", palette.INFINITE,
              hover="V")
    fig.add_trace(go.Scatter(
        x=f32(c["ns"]), y=f32(c["V_pred"]), mode="lines+markers", name="theory: γ/(1−γ)",
        line={"color": palette.VERMILLION, "dash": "dot", "width": 3}, marker={"size": 7, "symbol": "diamond"},
        hovertemplate="n = %{x:.0f}<br>γ/(1−γ) = %{y:.3f}<extra></extra>"))
    base_layout(fig, "Noise reaching the test error", "training points n",
                "noise factor V", log_x=True, hovermode="closest", height=480)
    fig.update_xaxes(tickvals=list(c["ns"]), ticktext=[str(int(n)) for n in c["ns"]])
    fig.update_yaxes(rangemode="tozero")
    legend_below(fig, -0.22, 140)
    return fig


@cached
def double_descent(c: dict, noise: float, n: int) -> go.Figure:
    """Test error of Jacobian-feature regression against P/n, with the infinite-width kernel's error."""
    fig = go.Figure()
    _measured(fig, c["ratio"], c["mean"], c["sem"], "linearized network (measured, ±2 s.e.m.)",
              palette.LINEARIZED)
    x0, x1 = float(c["ratio"][0]), float(c["ratio"][-1])
    fig.add_trace(go.Scatter(
        x=f32([x0, x1]), y=f32([c["infinite"]] * 2), mode="lines", name="infinite width: Θ∞ regression",
        line={"color": palette.INFINITE, "dash": "dot", "width": 3}, hoverinfo="skip"))
    _bayes(fig, x0, x1, noise)
    ymax = float(np.max(c["mean"] + 2 * c["sem"]))
    fig.add_trace(go.Scatter(
        x=f32([1, 1]), y=f32([min(float(c["mean"].min()), noise ** 2 if noise > 0 else 1.0) / 1.5, ymax * 1.5]),
        mode="lines", name=f"interpolation threshold P = n = {n}", line={"color": palette.BLACK, "width": 1.5},
        hoverinfo="skip"))
    base_layout(fig, "Double descent of the linearized network", "P/n  (P = 4·width + 1 features)",
                "test error (noisy test labels)", log_x=True, log_y=True, hovermode="closest", height=480)
    fig.update_xaxes(dtick=1)  # one tick per decade: readable at presenter font sizes
    span = np.log10(float(np.max(c["mean"])) / max(float(np.min(c["mean"])), 1e-300))
    fig.update_yaxes(**({"dtick": 1} if span > 2 else {"nticks": 6}))  # decades when the peak spans several
    legend_below(fig, -0.22, 140)
    return fig


@cached
def early_stopping(c: dict, noise: float) -> go.Figure:
    """Test error of GD on Θ∞ against t, and of ridge ρ = 1/(ηt) at the same t, measured and predicted."""
    fig = go.Figure()
    _measured(fig, c["t"], c["gd"], c["gd_sem"], "GD for t steps (measured, ±2 s.e.m.)", palette.NETWORK)
    _measured(fig, c["t"], c["ridge"], c["ridge_sem"], "ridge ρ = 1/(ηt) (measured, ±2 s.e.m.)",
              palette.ORANGE, symbol="diamond")
    fig.add_trace(go.Scatter(
        x=f32(c["t"]), y=f32(c["theory"]), mode="lines", name="ridge: theory",
        line={"color": palette.VERMILLION, "dash": "dot", "width": 3},
        hovertemplate="t = %{x:.3g}<br>predicted %{y:.4g}<extra></extra>"))
    _bayes(fig, c["t"][0], c["t"][-1], noise)
    fig.add_trace(go.Scatter(
        x=f32([c["t_best"]]), y=f32([c["gd_best"]]), mode="markers", name=f"best stopping time t* = {c['t_best']:.3g}",
        marker={"color": palette.BLACK, "size": 16, "symbol": "star"}, hoverinfo="skip"))
    base_layout(fig, "Early stopping is (almost) a ridge", "steps t  (ridge at t = 1/(ηρ))",
                "test error (noisy test labels)", log_x=True, log_y=True, hovermode="closest", height=480)
    fig.update_xaxes(dtick=1)  # one tick per decade: readable at presenter font sizes
    fig.update_yaxes(nticks=6)
    legend_below(fig, -0.22, 140)
    return fig


@cached
def filters(eigvals: np.ndarray, gd: np.ndarray, ridge: np.ndarray, t: float, rho: float) -> go.Figure:
    """Spectral filters at the best stopping time: 1 − (1 − ηλ)^t and λ/(λ + ρ) with ρ = 1/(ηt)."""
    lam = np.asarray(eigvals)
    keep = lam > lam[0] * 1e-12
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=f32(lam[keep]), y=f32(gd[keep]), mode="lines+markers", name=f"GD: 1 − (1 − ηλ)<sup>t</sup>, t = {t:.3g}",
        line={"color": palette.NETWORK, "width": 3}, marker={"size": 6},
        hovertemplate="λ = %{x:.3g}<br>learned %{y:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=f32(lam[keep]), y=f32(ridge[keep]), mode="lines+markers", name=f"ridge: λ/(λ + ρ), ρ = 1/(ηt) = {rho:.3g}",
        line={"color": palette.ORANGE, "width": 3, "dash": "dash"}, marker={"size": 6, "symbol": "diamond"},
        hovertemplate="λ = %{x:.3g}<br>learned %{y:.3f}<extra></extra>"))
    base_layout(fig, "Eigenmodes learned (training set 1)", "eigenvalue λ of Θ∞/n",
                "fraction of the mode learned", log_x=True, hovermode="closest", height=480)
    fig.update_yaxes(range=[-0.05, 1.05])
    fig.update_xaxes(dtick=1)  # one tick per decade: readable at presenter font sizes
    legend_below(fig, -0.22, 140)
    return fig
