"""Figures for the lesson "Learning-rate phases" (/lr-phases)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from common import palette
from common.figures import FONT_SIZE, base_layout, cached, f32


PHASE_COLOR = {"lazy": palette.BLUE, "catapult": palette.ORANGE, "divergent": palette.VERMILLION,
               "unsettled": palette.GREY}
PHASE_SYMBOL = {"lazy": "circle", "catapult": "diamond", "divergent": "x", "unsettled": "square"}
THRESHOLD = palette.BLACK  # the stability line ηλ = 2 (a formula, like a target)


def step_ticks(x_end: int) -> list[int]:
    """Tick values 1, 2, 5, 10, 20, 50, … up to ``x_end`` for a log axis of GD steps (1, 2, …, x_end if ≤ 6).

    Steps are integers, so no tick may fall between them (plotly's own log ticks
    on a short range such as 1…3 are 1.5, 2, 2.5); ``x_end`` is always a tick, and
    a round tick too close to it for both labels to fit is dropped.
    """
    if x_end <= 6:
        return list(range(1, max(x_end, 1) + 1))
    ticks = [m * 10**e for e in range(len(str(x_end))) for m in (1, 2, 5) if m * 10**e < x_end]
    if len(ticks) > 1 and x_end < 1.4 * ticks[-1]:
        ticks.pop()
    return ticks + [x_end] if x_end > 1 else [1]


@cached
def training_curves(r: dict) -> go.Figure:
    """Loss (log) and λ_max of the empirical NTK over training, one run."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        subplot_titles=("training loss L(t) (log scale)",
                                        "top NTK eigenvalue λ<sub>max</sub>(t) = max eig(Θₜ)/N"))
    color = PHASE_COLOR[r["phase"]]
    t = r["steps"][1:]
    loss = r["loss"][1:]
    fig.add_trace(go.Scatter(x=f32(t), y=f32(loss), mode="lines", name="network loss",
                             line={"color": palette.NETWORK, "width": 2.5},
                             hovertemplate="step %{x}: L = %{y:.3g}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[1, max(int(r["steps"][-1]), 2)], y=f32([r["loss"][0]] * 2), mode="lines",
                             name="initial loss L(0)", line={"color": palette.GREY, "dash": "dot", "width": 2},
                             hovertemplate="L(0) = %{y:.3g}<extra></extra>"), row=1, col=1)
    keep = r["record_steps"] > 0
    fig.add_trace(go.Scatter(x=f32(r["record_steps"][keep]), y=f32(r["lambda_max"][keep]), mode="lines",
                             name="λ<sub>max</sub>(t) of the network's NTK", line={"color": color, "width": 2.5},
                             hovertemplate="step %{x}: λ<sub>max</sub> = %{y:.4g}<extra></extra>"), row=2, col=1)
    x_end = max(int(r["steps"][-1]), 2)
    fig.add_trace(go.Scatter(x=[1, x_end], y=f32([2 / r["lr"]] * 2), mode="lines",
                             name="2/η: stable only below this line", line={"color": THRESHOLD, "dash": "dash", "width": 2},
                             hovertemplate="2/η = %{y:.4g}<extra></extra>"), row=2, col=1)
    fig.add_trace(go.Scatter(x=[1, x_end], y=f32([r["lambda0"]] * 2), mode="lines", name="λ0 (at initialization)",
                             line={"color": palette.GREY, "dash": "dot", "width": 2},
                             hovertemplate="λ0 = %{y:.4g}<extra></extra>"), row=2, col=1)
    title = f"c = {r['c']:.2f}: η = {r['lr']:.3g} = {2 * r['c']:.2f}/λ0 — phase: {r['phase']}"
    if r["diverged_step"] is not None:
        title += f" (diverged at step {r['diverged_step']})"
    base_layout(fig, title, "", "", hovermode="x unified", height=620)
    ticks = step_ticks(max(x_end, int(r["record_steps"].max())))
    fig.update_xaxes(type="log", tickvals=ticks, ticktext=[str(t) for t in ticks])
    fig.update_xaxes(title_text="GD step t (log scale)", row=2, col=1)
    fig.update_yaxes(type="log", exponentformat="power", title_text="L(t)", row=1, col=1)
    lam_all = np.concatenate([r["lambda_max"], [2 / r["lr"], r["lambda0"]]])
    lam_all = lam_all[np.isfinite(lam_all)]
    lo, hi = float(lam_all.min()), float(lam_all.max())
    pad = 0.08 * (hi - lo) + 1e-12
    fig.update_yaxes(title_text="λ<sub>max</sub>", range=[max(0.0, lo - pad), hi + pad], row=2, col=1)
    fig.update_annotations(font_size=FONT_SIZE - 1)
    fig.update_layout(margin={"l": 80, "r": 30, "t": 110, "b": 60},
                      legend={"orientation": "h", "x": 0.0, "y": 1.08, "yanchor": "bottom"},
                      title={"y": 0.985, "yanchor": "top"})
    return fig


@cached
def sweep(s: dict, c_selected: float) -> go.Figure:
    """Final η·λ and peak loss against c, coloured by phase, with the measured boundaries."""
    cs = np.asarray(s["cs"])
    phases = list(s["phase"])
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("η·λ<sub>final</sub> after training (divergent runs have none)",
                                        "peak loss / initial loss (log scale)"))
    fig.update_annotations(font_size=FONT_SIZE - 1)  # the subplot titles (before the boundary labels)
    for phase in ("lazy", "catapult", "unsettled", "divergent"):
        idx = [i for i, p in enumerate(phases) if p == phase]
        if not idx:
            continue
        idx = np.asarray(idx)
        steps = np.asarray(s["diverged_step"])[idx]
        note = [f"diverged at step {k}" if k >= 0 else "converged" for k in steps]
        marker = {"color": PHASE_COLOR[phase], "symbol": PHASE_SYMBOL[phase], "size": 10,
                  "line": {"width": 2, "color": PHASE_COLOR[phase]}}
        if phase != "divergent":
            fig.add_trace(go.Scatter(
                x=f32(cs[idx]), y=f32(np.asarray(s["final_lr_lambda"])[idx]), mode="markers", name=phase,
                legendgroup=phase, marker=marker,
                hovertemplate=f"c = %{{x:.3f}} ({phase}): η·λ<sub>final</sub> = %{{y:.3f}}<extra></extra>"), row=1, col=1)
        fig.add_trace(go.Scatter(
            x=f32(cs[idx]), y=f32(np.asarray(s["peak_loss_ratio"])[idx]), mode="markers", name=phase,
            legendgroup=phase, showlegend=phase == "divergent", marker=marker, customdata=note,
            hovertemplate=f"c = %{{x:.3f}} ({phase}): peak/initial = %{{y:.3g}}, %{{customdata}}<extra></extra>"),
            row=1, col=2)
    lo, hi = float(cs.min()) - 0.1, float(cs.max()) + 0.1
    fig.add_trace(go.Scatter(x=[lo, hi], y=[2.0, 2.0], mode="lines", name="ηλ = 2 (stability edge)",
                             line={"color": THRESHOLD, "dash": "dash", "width": 2},
                             hovertemplate="ηλ = 2<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[lo, hi], y=[2 * lo, 2 * hi], mode="lines", name="η·λ0 = 2c (at initialization)",
                             line={"color": palette.GREY, "dash": "dot", "width": 2},
                             hovertemplate="η·λ0 = %{y:.2f}<extra></extra>"), row=1, col=1)
    # measured phase regions and boundaries
    c_cat, c_div = s["c_catapult"], s["c_divergent"]
    edges = [lo, c_cat if math.isfinite(c_cat) else None, c_div if math.isfinite(c_div) else None, hi]
    regions = []
    left = lo
    if edges[1] is not None:
        regions.append(("lazy", left, edges[1]))
        left = edges[1]
    if edges[2] is not None:
        regions.append(("catapult" if edges[1] is not None else "lazy / catapult", left, edges[2]))
        regions.append(("divergent", edges[2], hi))
    else:
        regions.append(("catapult" if edges[1] is not None else "lazy", left, hi))
    for name, a, b in regions:
        color = PHASE_COLOR.get(name, palette.GREY)
        for col in (1, 2):
            fig.add_vrect(x0=a, x1=b, fillcolor=palette.rgba(color, 0.08), line_width=0, layer="below",
                          row=1, col=col)
        fig.add_annotation(x=(a + b) / 2, y=1.0, xref="x", yref="y domain", text=f"<b>{name}</b>", showarrow=False,
                           yanchor="top", font={"size": FONT_SIZE - 2, "color": color})
    for c_b in (c_cat, c_div):
        if math.isfinite(c_b):
            for col in (1, 2):
                fig.add_vline(x=c_b, line={"color": palette.GREY, "dash": "dash", "width": 1.5}, row=1, col=col)
            fig.add_annotation(x=c_b, y=0.0, xref="x", yref="y domain", text=f"c ≈ {c_b:.2f}", showarrow=False,
                               xanchor="left", yanchor="bottom", font={"size": FONT_SIZE - 3},
                               bgcolor="rgba(255,255,255,0.8)")
    for col in (1, 2):
        fig.add_vline(x=c_selected, line={"color": palette.BLACK, "width": 2}, row=1, col=col)
    fig.add_annotation(x=c_selected, y=0.0, yref="y2 domain", xref="x2", text=f"this run: c = {c_selected:.2f}",
                       showarrow=False, xanchor="left", yanchor="bottom", font={"size": FONT_SIZE - 3},
                       bgcolor="rgba(255,255,255,0.8)")
    base_layout(fig, "Sweep over the learning rate η = c · 2/λ0 (same network and data)", "", "",
                hovermode="closest", height=470)
    fig.update_xaxes(title_text="c = η·λ0/2", range=[lo, hi])
    fin = np.asarray(s["final_lr_lambda"])
    top = max(2.0 * hi, float(np.nanmax(fin)) if np.any(np.isfinite(fin)) else 0.0) * 1.05
    fig.update_yaxes(title_text="η·λ<sub>final</sub>", range=[0, top], row=1, col=1)
    fig.update_yaxes(title_text="max<sub>t</sub> L(t) / L(0)", type="log", exponentformat="power", row=1, col=2)
    fig.update_layout(margin={"l": 70, "r": 30, "t": 120, "b": 60},
                      legend={"orientation": "h", "x": 0.0, "y": 1.1, "yanchor": "bottom"},
                      title={"y": 0.985, "yanchor": "top"})
    return fig
