"""Figures for the lesson "When features win"."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from common import palette
from common.figures import base_layout, cached, f32, legend_below

PARAM_LABELS = {"ntk": "NTK parameterization", "standard": "standard", "mup": "μP"}
PARAM_COLORS = {"ntk": palette.INFINITE, "standard": palette.VERMILLION, "mup": palette.NETWORK}


def _error_lines(fig, x, net, lin, inf, inf_conv, xname):
    fig.add_trace(go.Scatter(
        x=f32(x), y=f32(net), mode="lines+markers", name="network (trained)",
        line={"color": palette.NETWORK, "width": 3}, marker={"size": 9},
        hovertemplate=f"{xname} %{{x:g}}<br>network test error %{{y:.3f}}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=f32(x), y=f32(lin), mode="lines+markers", name="its linearization (Θ₀ fixed)",
        line={"color": palette.LINEARIZED, "dash": "dash", "width": 2.5}, marker={"size": 8, "symbol": "square"},
        hovertemplate=f"{xname} %{{x:g}}<br>linearized test error %{{y:.3f}}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=f32(x), y=f32(np.full(len(x), inf)), mode="lines", name="infinite-width NTK regression",
        line={"color": palette.INFINITE, "dash": "dot", "width": 3},
        hovertemplate=f"infinite-width NTK (same steps) %{{y:.3f}}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=f32(x), y=f32(np.full(len(x), inf_conv)), mode="lines", name="… trained to convergence",
        line={"color": palette.INFINITE, "dash": "longdash", "width": 1.5},
        hovertemplate=f"infinite-width NTK (t → ∞) %{{y:.3f}}<extra></extra>"))


@cached
def error_vs_alpha(g: dict, width: int, inf: dict) -> go.Figure:
    """Relative test error against α at one width (log α axis)."""
    i = list(g["widths"]).index(width)
    fig = go.Figure()
    _error_lines(fig, g["alphas"], g["test_error"][i], np.full(len(g["alphas"]), g["test_error_lin"][i]),
                 inf["test_error"], inf["test_error_converged"], "α")
    base_layout(fig, f"Test error against output scale α (width {width})", "output scale α (log scale)",
                "relative test error ‖f − y‖²/‖y‖²", log_x=True, hovermode="closest", height=460)
    fig.update_xaxes(tickvals=list(g["alphas"]), ticktext=[f"{a:g}" for a in g["alphas"]])
    fig.update_yaxes(rangemode="tozero")
    legend_below(fig, -0.22, 120)
    return fig


@cached
def error_vs_width(g: dict, alpha: float, inf: dict) -> go.Figure:
    """Relative test error against width at one α (log width axis)."""
    j = list(g["alphas"]).index(alpha)
    fig = go.Figure()
    _error_lines(fig, g["widths"], g["test_error"][:, j], g["test_error_lin"], inf["test_error"],
                 inf["test_error_converged"], "width")
    base_layout(fig, f"Test error against width (α = {alpha:g})", "width (hidden units, log scale)",
                "relative test error ‖f − y‖²/‖y‖²", log_x=True, hovermode="closest", height=460)
    fig.update_xaxes(tickvals=list(g["widths"]), ticktext=[str(int(w)) for w in g["widths"]])
    fig.update_yaxes(rangemode="tozero")
    legend_below(fig, -0.22, 120)
    return fig


@cached
def phase_diagram(g: dict) -> go.Figure:
    """Heatmap of log10 relative kernel change over (log10 α, log10 width), with α·√width = C overlaid."""
    la, lw = np.log10(g["alphas"]), np.log10(g["widths"])
    kc = g["kernel_change"]
    z = np.log10(np.where(np.isfinite(kc) & (kc > 0), kc, np.nan))
    test = g["test_error"]
    custom = np.stack([kc, test, np.outer(np.sqrt(g["widths"]), g["alphas"])], -1)
    fig = go.Figure(go.Heatmap(
        x=f32(la), y=f32(lw), z=f32(z), customdata=f32(custom), colorscale="RdBu_r", zmid=0,
        colorbar={"title": {"text": "‖Θ<sub>T</sub> − Θ₀‖/‖Θ₀‖"}, "tickvals": [-2, -1, 0, 1],
                  "ticktext": ["0.01", "0.1", "1", "10"]},
        hovertemplate="α = 10^%{x:.2f}, width = 10^%{y:.2f}<br>α√width = %{customdata[2]:.3g}"
                      "<br>kernel change %{customdata[0]:.3g}<br>network test error %{customdata[1]:.3f}"
                      "<extra></extra>"))
    c = g["fit"]["constant"]
    xs = np.linspace(la.min() - 0.25, la.max() + 0.25, 50)
    ys = 2 * (np.log10(c) - xs)  # α√w = c  ⇔  log w = 2(log c − log α)
    keep = (ys >= lw.min() - 0.3) & (ys <= lw.max() + 0.3)
    fig.add_trace(go.Scatter(
        x=f32(xs[keep]), y=f32(ys[keep]), mode="lines", name=f"α·√width = {c:.2g} (fitted: kernel change = 1)",
        line={"color": palette.BLACK, "dash": "dash", "width": 3},
        hovertemplate="α·√width = " + f"{c:.2g}" + "<extra></extra>"))
    for k, fac in ((1, 10.0), (2, 0.1)):
        ys2 = 2 * (np.log10(c * fac) - xs)
        keep2 = (ys2 >= lw.min() - 0.3) & (ys2 <= lw.max() + 0.3)
        fig.add_trace(go.Scatter(
            x=f32(xs[keep2]), y=f32(ys2[keep2]), mode="lines", name=f"α·√width = {c / 10:.2g} and {c * 10:.2g}",
            line={"color": palette.GREY, "dash": "dot", "width": 2}, showlegend=k == 1,
            legendgroup="other", hovertemplate=f"α·√width = {c * fac:.2g}<extra></extra>"))
    base_layout(fig, "Lazy or rich? Relative kernel change after training", "output scale α",
                "width (hidden units)", hovermode="closest", height=520)
    fig.update_xaxes(tickvals=f32(la), ticktext=[f"{a:g}" for a in g["alphas"]], range=[la.min() - 0.26, la.max() + 0.26])
    fig.update_yaxes(tickvals=f32(lw), ticktext=[str(int(w)) for w in g["widths"]],
                     range=[lw.min() - 0.26, lw.max() + 0.26])
    legend_below(fig, -0.18, 120)
    return fig


@cached
def feature_change_vs_width(results: dict[str, dict], steps: int) -> go.Figure:
    """‖h_T − h_0‖/‖h_0‖ against width for each parameterization, log–log, with fitted slopes."""
    fig = go.Figure()
    for p, r in results.items():
        w, h = r["widths"], r["hidden_change"]
        color = PARAM_COLORS[p]
        fig.add_trace(go.Scatter(
            x=f32(w), y=f32(np.where(h > 0, h, np.nan)), mode="markers", legendgroup=p,
            name=f"{PARAM_LABELS[p]} (slope {r['slope']:+.2f} ± {r['slope_stderr']:.2f})",
            marker={"color": color, "size": 11, "symbol": {"ntk": "circle", "standard": "diamond", "mup": "square"}[p]},
            customdata=f32(r["lr"]),
            hovertemplate=f"{PARAM_LABELS[p]}<br>width %{{x}}<br>feature change %{{y:.3g}}<br>η = %{{customdata:.3g}}"
                          "<extra></extra>"))
        wf = np.geomspace(w.min(), w.max(), 30)
        pref = np.exp(np.mean(np.log(h) - r["slope"] * np.log(w)))
        fig.add_trace(go.Scatter(
            x=f32(wf), y=f32(pref * wf ** r["slope"]), mode="lines", legendgroup=p, showlegend=False,
            line={"color": color, "dash": "dash", "width": 2},
            hovertemplate=f"fit ∝ width^{r['slope']:.2f}<extra></extra>"))
    base_layout(fig, f"Feature change after {steps} GD step{'s' if steps > 1 else ''}",
                "width (hidden units)", "‖h<sub>T</sub> − h₀‖ / ‖h₀‖ (hidden layer)", log_x=True, log_y=True,
                hovermode="closest", height=500)
    ws = next(iter(results.values()))["widths"]
    fig.update_xaxes(tickvals=list(ws), ticktext=[str(int(w)) for w in ws])
    fig.update_yaxes(exponentformat="power", dtick=1)
    legend_below(fig, -0.22, 120)
    return fig


@cached
def loss_vs_width(results: dict[str, dict], steps: int) -> go.Figure:
    """Training loss after the steps against width for each parameterization."""
    fig = go.Figure()
    for p, r in results.items():
        fig.add_trace(go.Scatter(
            x=f32(r["widths"]), y=f32(r["train_loss"]), mode="lines+markers", name=PARAM_LABELS[p],
            line={"color": PARAM_COLORS[p], "width": 2.5}, marker={"size": 9},
            hovertemplate=f"{PARAM_LABELS[p]}<br>width %{{x}}<br>loss %{{y:.3f}}<extra></extra>"))
    base_layout(fig, f"Training loss after {steps} step{'s' if steps > 1 else ''}", "width (hidden units)",
                "loss ½·mean(f − y)²", log_x=True, hovermode="closest", height=500)
    ws = next(iter(results.values()))["widths"]
    fig.update_xaxes(tickvals=list(ws), ticktext=[str(int(w)) for w in ws])
    fig.update_yaxes(rangemode="tozero")
    legend_below(fig, -0.22, 120)
    return fig
