"""Figures for the lesson "Depth and initialization" (/depth-init)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from common import palette
from common.figures import FONT_SIZE, base_layout, cached, f32


XI_RANGE = (-0.5, 2.5)  # colour range of log10 ξ_c (ξ from 0.3 to 300 layers)
CRITICAL = palette.VERMILLION  # the critical line χ1 = 1
PAIR_COLORS = (palette.BLUE, palette.ORANGE, palette.REDDISH_PURPLE)  # not INFINITE's green


@cached
def phase_diagram(d: dict, sw2: float, sb2: float) -> go.Figure:
    """log10 ξ_c over (σ_w², σ_b²) with the critical line and the chosen point."""
    xi = np.asarray(d["depth_scale"], np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.clip(np.log10(np.where(np.isinf(xi), 10 ** XI_RANGE[1], xi)), *XI_RANGE)
    z = np.where(np.isnan(xi), np.nan, z)
    custom = np.stack([xi, d["chi1"], d["c_star"], d["q_star"]], -1).astype(np.float32)
    fig = go.Figure(go.Heatmap(
        x=f32(d["sigma_w2"]), y=f32(d["sigma_b2"]), z=f32(z), zmin=XI_RANGE[0], zmax=XI_RANGE[1],
        colorscale=palette.SEQUENTIAL, customdata=custom, name="depth scale",
        colorbar={"title": {"text": "ξ<sub>c</sub> (layers)"}, "tickvals": [-0.5, 0, 0.5, 1, 1.5, 2, 2.5],
                  "ticktext": ["0.3", "1", "3", "10", "30", "100", "≥300"]},
        hovertemplate=("σ<sub>w</sub>² = %{x:.3f}, σ<sub>b</sub>² = %{y:.3f}<br>ξ<sub>c</sub> = %{customdata[0]:.3g} layers<br>"
                       "χ1 = %{customdata[1]:.3f}<br>c* = %{customdata[2]:.3f}<br>q* = %{customdata[3]:.3g}"
                       "<extra></extra>"),
    ))
    line_ok = np.isfinite(d["line_sw2"]) & (d["line_sw2"] <= d["sigma_w2"][-1])
    fig.add_trace(go.Scatter(
        x=f32(d["line_sw2"][line_ok]), y=f32(d["line_sb2"][line_ok]), mode="lines+markers" if line_ok.sum() < 3 else "lines",
        name="critical line χ1 = 1", line={"color": CRITICAL, "width": 4}, marker={"size": 10, "color": CRITICAL},
        hovertemplate="critical: σ<sub>w</sub>² = %{x:.3f} at σ<sub>b</sub>² = %{y:.3f}<extra></extra>"))
    pub = [(s, b) for s, b in zip(d["published_sw2"], d["published_sb2"]) if s is not None]
    if pub:
        fig.add_trace(go.Scatter(
            x=[p[0] for p in pub], y=[p[1] for p in pub], mode="markers", name="reference (independent quadrature)",
            marker={"symbol": "circle-open", "size": 14, "color": palette.BLACK, "line": {"width": 2.5}},
            hovertemplate="reference critical σ<sub>w</sub>² = %{x} at σ<sub>b</sub>² = %{y}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=[sw2], y=[sb2], mode="markers", name="chosen point",
        marker={"symbol": "x", "size": 16, "color": palette.SKY_BLUE, "line": {"width": 2, "color": palette.BLACK}},
        hovertemplate="chosen: σ<sub>w</sub>² = %{x}, σ<sub>b</sub>² = %{y}<extra></extra>"))
    base_layout(fig, f"{d['activation']}: order/chaos phase diagram, colour = depth scale ξ<sub>c</sub> = −1/ln χ<sub>c</sub>",
                "weight variance σ<sub>w</sub>²", "bias variance σ<sub>b</sub>²", hovermode="closest", height=520)
    fig.update_xaxes(range=[d["sigma_w2"][0], d["sigma_w2"][-1]])
    fig.update_yaxes(range=[d["sigma_b2"][0] - 0.01, d["sigma_b2"][-1] + 0.01])
    left = float(d["sigma_w2"][0]) + 0.05
    fig.add_annotation(x=left, y=0.46, text="<b>ordered</b> (χ1 < 1):<br>inputs → same output", showarrow=False,
                       xanchor="left", font={"size": FONT_SIZE - 1, "color": "white"})
    fig.add_annotation(x=float(d["sigma_w2"][-1]) - 0.05, y=0.46,
                       text=("<b>variance explodes</b><br>(q* = ∞, grey)" if d["activation"] == "relu"
                             else "<b>chaotic</b> (χ1 > 1):<br>nearby inputs decorrelate"),
                       showarrow=False, xanchor="right", font={"size": FONT_SIZE - 1, "color": palette.BLACK},
                       bgcolor="rgba(255,255,255,0.7)")
    fig.update_layout(plot_bgcolor="#DDDDDD",
                      legend={"orientation": "h", "x": 0.0, "y": 1.02, "yanchor": "bottom"},
                      margin={"l": 70, "r": 30, "t": 110, "b": 60}, title={"y": 0.98, "yanchor": "top"})
    return fig


@cached
def depth_profile(p: dict, pt: dict, depth: int) -> go.Figure:
    """Input correlations, cond(Θ∞) and infinite-width trainability against depth."""
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.08, subplot_titles=(
        "correlation ρₗ of two inputs (NNGP)", "condition number of Θ∞ (log)",
        "infinite-width loss after GD, L<sub>T</sub>/L₀ (log)"))
    fig.update_annotations(font_size=FONT_SIZE - 1)
    L = p["depths"]
    for (label, rho), color in zip(p["corr"].items(), PAIR_COLORS):
        fig.add_trace(go.Scatter(x=L, y=f32(rho), mode="lines", name=f"inputs at angle {label}",
                                 line={"color": color, "width": 2.5},
                                 hovertemplate=f"depth %{{x}}: ρ({label}) = %{{y:.4f}}<extra></extra>"), row=1, col=1)
    if np.isfinite(pt["c_star"]):
        fig.add_trace(go.Scatter(x=[L[0], L[-1]], y=[pt["c_star"]] * 2, mode="lines", name=f"c* = {pt['c_star']:.3f}",
                                 line={"color": palette.BLACK, "dash": "dot", "width": 2},
                                 hovertemplate="fixed point c* = %{y:.4f}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=L, y=f32(p["cond"]), mode="lines+markers", name="cond(Θ∞) = λ<sub>max</sub>/λ<sub>min</sub> (≤ 10⁷)",
                             line={"color": palette.INFINITE, "width": 2.5, "dash": "dot"}, marker={"size": 4},
                             hovertemplate="depth %{x}: cond = %{y:.3g}<extra></extra>"), row=1, col=2)
    fig.add_trace(go.Scatter(x=L, y=f32(np.maximum(p["loss_ratio"], 1e-12)), mode="lines+markers",
                             name="infinite-width GD loss ratio", line={"color": palette.INFINITE, "width": 2.5},
                             marker={"size": 4},
                             hovertemplate="depth %{x}: L<sub>T</sub>/L₀ = %{y:.3g}<extra></extra>"), row=1, col=3)
    for col in (1, 2, 3):
        fig.add_vline(x=depth, line={"color": palette.GREY, "dash": "dash", "width": 1.5}, row=1, col=col)
    base_layout(fig, "How the infinite-width kernels degenerate with depth at the chosen (σ<sub>w</sub>², σ<sub>b</sub>²)", "", "",
                hovermode="x unified", height=440)
    fig.update_xaxes(title_text="depth L (hidden layers)")
    fig.update_yaxes(title_text="ρₗ", row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=2)
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=3)
    fig.update_layout(legend={"orientation": "h", "x": 0.0, "y": 1.12, "yanchor": "bottom"},
                      margin={"l": 70, "r": 30, "t": 130, "b": 60}, title={"y": 0.98, "yanchor": "top"})
    return fig


@cached
def training_curve(t: dict) -> go.Figure:
    """Loss of the finite network over GD steps against the infinite-width prediction (both relative)."""
    fig = go.Figure()
    loss = t["loss"]
    keep = np.isfinite(loss)
    if t["first_bad"] is not None:
        keep[t["first_bad"]:] = False
    fig.add_trace(go.Scatter(x=t["steps"][keep], y=f32(loss[keep] / loss[0]), mode="lines",
                             name=f"network (width {t['width']})", line={"color": palette.NETWORK, "width": 2.5},
                             hovertemplate="step %{x}: L/L0 = %{y:.3g}<extra></extra>"))
    if t["pred"] is not None:
        pred = t["pred"]
        fig.add_trace(go.Scatter(x=t["steps"], y=f32(np.maximum(pred / pred[0], 1e-12)), mode="lines",
                                 name="infinite-width NTK prediction", line={"color": palette.INFINITE, "width": 2.5,
                                                                              "dash": "dot"},
                                 hovertemplate="step %{x}: L/L0 = %{y:.3g}<extra></extra>"))
    cond = "> 10⁷ (λ<sub>min</sub> at rounding level)" if not np.isfinite(t["cond"]) or t["cond"] > 1e7 else f"= {t['cond']:.3g}"
    base_layout(fig, f"Training at depth {t['depth']}: GD with η = {t['lr_c']:g} · 2/λ<sub>max</sub> (cond Θ₀ {cond})",
                "GD step t", "L(t) / L(0) (log scale)", log_y=True, hovermode="x unified", height=420)
    shown = [loss[keep] / loss[0]] + ([t["pred"] / t["pred"][0]] if t["pred"] is not None else [])
    low = min(float(np.min(np.maximum(v, 1e-12))) for v in shown)
    high = max(float(np.max(v)) for v in shown)
    # at least three decades: a loss that stays near L(0) must look flat, not fill the axis
    fig.update_yaxes(exponentformat="power", range=[min(np.log10(low) - 0.2, -3.0), max(np.log10(high), 0.0) + 0.2])
    fig.update_layout(legend={"orientation": "h", "x": 0.0, "y": 1.02, "yanchor": "bottom"},
                      margin={"l": 70, "r": 30, "t": 100, "b": 60}, title={"y": 0.97, "yanchor": "top"})
    return fig
