"""Figures for the lesson "Scaling of kernel regression"."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from common import palette
from common.figures import base_layout, cached, f32, legend_below


@cached
def learning_curve(c: dict, spec: dict, fit_min_n: int) -> go.Figure:
    """Test error against n (log–log): every seed, their geometric mean, the fitted and the predicted power law."""
    ns, errs = c["ns"], c["errors"]
    fig = go.Figure()
    for s in range(errs.shape[0]):
        fig.add_trace(go.Scatter(
            x=f32(ns), y=f32(np.where(errs[s] > 0, errs[s], np.nan)), mode="markers", name="one random training set",
            legendgroup="seeds", showlegend=s == 0, marker={"color": palette.INFINITE, "size": 6, "opacity": 0.45},
            hovertemplate=f"seed {s}<br>n = %{{x}}<br>test error %{{y:.3g}}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=f32(ns), y=f32(c["geo_mean"]), mode="lines+markers", name="geometric mean over seeds",
        line={"color": palette.INFINITE, "width": 3}, marker={"size": 10},
        hovertemplate="n = %{x}<br>mean test error %{y:.3g}<extra></extra>"))
    keep = ns >= fit_min_n
    nf = np.geomspace(ns[keep].min(), ns.max(), 40)
    fig.add_trace(go.Scatter(
        x=f32(nf), y=f32(c["prefactor"] * nf ** c["slope"]), mode="lines",
        name=f"fit: n<sup>−{-c['slope']:.2f} ± {c['stderr']:.2f}</sup> (n ≥ {fit_min_n})",
        line={"color": palette.BLACK, "dash": "dash", "width": 2.5},
        hovertemplate=f"fit ∝ n^{c['slope']:.2f}<br>n = %{{x:.0f}}: %{{y:.3g}}<extra></extra>"))
    beta = spec["predicted"]
    if np.isfinite(beta):
        # anchored at the geometric mean of the fitted range, so only the slopes are compared
        anchor_n = float(np.exp(np.mean(np.log(ns[keep]))))
        anchor_e = float(np.exp(np.mean(np.log(np.maximum(c["geo_mean"][keep], 1e-300)))))
        fig.add_trace(go.Scatter(
            x=f32(nf), y=f32(anchor_e * (nf / anchor_n) ** (-beta)), mode="lines",
            name=f"predicted slope: n<sup>−{beta:.2f}</sup> = n<sup>−min(b−1, 2a)</sup>",
            line={"color": palette.VERMILLION, "dash": "dot", "width": 3},
            hovertemplate=f"predicted ∝ n^−{beta:.2f}<br>n = %{{x:.0f}}: %{{y:.3g}}<extra></extra>"))
    base_layout(fig, "Learning curve of infinite-width NTK regression", "training points n",
                "relative test error", log_x=True, log_y=True, hovermode="closest", height=520)
    fig.update_xaxes(tickvals=list(ns), ticktext=[str(int(n)) for n in ns])
    fig.update_yaxes(exponentformat="power", dtick=1)
    legend_below(fig)
    return fig


@cached
def spectrum(spec: dict, ranks: tuple[int, int]) -> go.Figure:
    """Eigenvalues λ_k and the target's tail power Σ_{j≥k} c_j² against rank k, with the fitted decays."""
    # ranks beyond half the sample size are finite-sample and rounding noise: show up to N/2
    shown = spec["eigvals"].size // 2
    lam, tail = spec["eigvals"][:shown], spec["tail"][:shown]
    k = np.arange(1, lam.size + 1)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=f32(k), y=f32(np.where(lam > 0, lam, np.nan)), mode="lines", name="NTK eigenvalues λ<sub>k</sub>",
        line={"color": palette.INFINITE, "width": 2.5},
        hovertemplate="rank %{x}<br>λ = %{y:.3g}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=f32(k), y=f32(np.where(tail > 0, tail, np.nan)), mode="lines", name="target tail power Σ<sub>j≥k</sub> c<sub>j</sub>²",
        line={"color": palette.TARGET, "width": 2.5},
        hovertemplate="rank %{x}<br>tail power %{y:.3g}<extra></extra>"))
    kf = np.geomspace(ranks[0], ranks[1], 30)
    fig.add_trace(go.Scatter(
        x=f32(kf), y=f32(spec["eig_prefactor"] * kf ** (-spec["a"])), mode="lines",
        name=f"fit λ<sub>k</sub> ∝ k<sup>−a</sup>, a = {spec['a']:.2f}", line={"color": palette.VERMILLION, "dash": "dash", "width": 3},
        hovertemplate=f"k^−{spec['a']:.2f}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=f32(kf), y=f32(spec["tail_prefactor"] * kf ** (1 - spec["b"])), mode="lines",
        name=f"fit tail ∝ k<sup>−(b−1)</sup>, b = {spec['b']:.2f}",
        line={"color": palette.ORANGE, "dash": "dash", "width": 3},
        hovertemplate=f"k^−{spec['b'] - 1:.2f}<extra></extra>"))
    floor = max(float(np.min(lam[lam > 0])), float(lam[0]) * 1e-12)
    ylo, yhi = floor / 3, 2 * max(float(lam[0]), float(tail[0]))
    fig.add_trace(go.Scatter(  # the rank range of the fits, as a shaded band
        x=f32([ranks[0], ranks[1], ranks[1], ranks[0], ranks[0]]), y=f32([ylo, ylo, yhi, yhi, ylo]),
        fill="toself", mode="lines", line={"width": 0}, fillcolor="rgba(153, 153, 153, 0.15)",
        name=f"fit range: ranks {ranks[0]}–{ranks[1]}", hoverinfo="skip"))
    base_layout(fig, "Spectrum of the NTK and the target in its eigenbasis", "rank k",
                "eigenvalue / tail power", log_x=True, log_y=True, hovermode="closest", height=520)
    fig.update_yaxes(exponentformat="power", dtick=1, range=[np.log10(ylo), np.log10(yhi)])
    fig.update_xaxes(dtick=1)
    legend_below(fig)
    return fig
