"""Figures for the lesson "Kernel drift: lazy vs rich"."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from common import palette
from common.figures import FONT_SIZE, animated_figure, base_layout, cached, f32, frame_indices

METRIC_PANELS = (
    ("kernel_change", "relative kernel change ‖Θₜ − Θ₀‖/‖Θ₀‖"),
    ("kernel_distance", "kernel distance S(Θ₀, Θₜ)"),
    ("weight_input", "relative weight change ‖ΔW₁‖/‖W₁(0)‖"),
    ("alignment", "kernel–target alignment A(Θₜ, y)"),
)


def _series(run: dict, key: str) -> np.ndarray:
    if key == "weight_input":
        return run["weight_change"][:, 0]
    return run[key]


@cached
def metrics_vs_step(runs: dict[int, dict]) -> go.Figure:
    """2×2 panels of drift metrics against GD step, one line per width (log y, from step 1)."""
    fig = make_subplots(rows=2, cols=2, subplot_titles=[t for _, t in METRIC_PANELS],
                        horizontal_spacing=0.1, vertical_spacing=0.16)
    for i, w in enumerate(sorted(runs)):
        run = runs[w]
        for p, (key, title) in enumerate(METRIC_PANELS):
            # steps 1 … 19 from run["early"], then the snapshots; step 0 (drift 0) does not fit on log axes
            early = run["early"]
            first = early["steps"] < (run["steps"][1] if len(run["steps"]) > 1 else np.inf)
            steps = np.concatenate([early["steps"][first], run["steps"][1:]])
            y = np.concatenate([_series(early, key)[first], _series(run, key)[1:]])
            fig.add_trace(go.Scatter(
                x=f32(steps), y=f32(y), mode="lines", name=f"width {w}", legendgroup=str(w),
                showlegend=p == 0, line={"color": palette.seq(i), "width": 2.2},
                hovertemplate=f"width {w}<br>step %{{x}}<br>{key.replace('_', ' ')} %{{y:.3g}}<extra></extra>",
            ), row=p // 2 + 1, col=p % 2 + 1)
    base_layout(fig, "How far training moves the kernel and the weights, per width",
                "", "", hovermode="closest", height=720)
    for p, (key, _) in enumerate(METRIC_PANELS):
        r, c = p // 2 + 1, p % 2 + 1
        fig.update_xaxes(title_text="GD step (log scale)", type="log", row=r, col=c,
                         tickvals=[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000])
        fig.update_yaxes(type="linear" if key == "alignment" else "log", exponentformat="power",
                         row=r, col=c)
    fig.update_annotations(font_size=FONT_SIZE)
    fig.update_layout(legend={"orientation": "h", "y": -0.1, "x": 0, "yanchor": "top"},
                      margin={"t": 80, "b": 90})
    return fig


@cached
def finals_vs_width(summary: dict, labels: tuple[tuple[str, str], ...], *,
                    title: str = "Final drift against width (dashed: least-squares power-law fits)",
                    x_title: str = "width (hidden units)", y_title: str = "value at the last step") -> go.Figure:
    """Final drift values against width on log–log axes, with fitted power laws (slope in the legend).

    ``summary``: {"widths": (W,), "values": {key: (W,)}, "slopes": {key: (s, c) or None}} (log v = s log w + c).
    Also used by /beyond-mlps (one key per architecture) with its own titles."""
    fig = go.Figure()
    widths = summary["widths"]
    wfit = np.geomspace(widths.min(), widths.max(), 50)
    for i, (key, label) in enumerate(labels):
        vals = summary["values"][key]
        color = palette.seq(i)
        fit = summary["slopes"][key]
        slope_txt = "" if fit is None else f"  (slope {fit[0]:+.2f})"
        fig.add_trace(go.Scatter(
            x=f32(widths), y=f32(vals), mode="markers", name=label + slope_txt, legendgroup=key,
            marker={"color": color, "size": 10, "symbol": ["circle", "square", "diamond", "triangle-up"][i % 4]},
            hovertemplate=f"{label}<br>width %{{x}}<br>value %{{y:.3g}}<extra></extra>",
        ))
        if fit is not None:
            s, c = fit
            fig.add_trace(go.Scatter(
                x=f32(wfit), y=f32(np.exp(c) * wfit ** s), mode="lines", legendgroup=key, showlegend=False,
                line={"color": color, "dash": "dash", "width": 1.8},
                hovertemplate=f"fit ∝ width^{s:.2f}<br>width %{{x:.0f}}<br>%{{y:.3g}}<extra></extra>",
            ))
    base_layout(fig, title, x_title, y_title, log_x=True, log_y=True,
                hovermode="closest", height=520)
    fig.update_xaxes(tickvals=list(widths), ticktext=[str(int(w)) for w in widths])
    fig.update_yaxes(exponentformat="power")
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
                      margin={"b": 130})
    return fig


ANIMATION_FRAMES = 26  # snapshots shown (evenly spread): 500 steps shows every one, 2000 every fourth


@cached
def kernel_change_animation(run: dict, gamma: np.ndarray, width: int) -> go.Figure:
    """Animated heatmap of Θₜ − Θ₀ on the training inputs (ordered by angle), one frame per
    snapshot (at most ``ANIMATION_FRAMES`` of them, evenly spread)."""
    diff = run["ntk"] - run["ntk"][:1]
    zmax = float(np.max(np.abs(diff))) or 1e-12
    deg = np.round(np.degrees(gamma)).astype(int)

    def traces(i: int) -> list:
        return [go.Heatmap(
            z=f32(diff[i]), x=deg, y=deg, colorscale=palette.DIVERGING, zmin=-zmax, zmax=zmax,
            colorbar={"title": {"text": "Θₜ − Θ₀"}, "exponentformat": "power"},
            hovertemplate="γ = %{y}°, γ' = %{x}°<br>Θₜ − Θ₀ = %{z:.3g}<extra></extra>",
        )]

    frames = frame_indices(len(run["steps"]), ANIMATION_FRAMES)
    fig = animated_figure(
        list(frames), traces, [str(run["steps"][i]) for i in frames],
        f"Kernel change Θₜ − Θ₀, width {width}",
        xtitle="input angle γ' (degrees)", ytitle="input angle γ (degrees)",
        slider_prefix="step ", frame_ms=150, redraw=True,
    )
    # Open on the last snapshot: the first one (step 0) is Θ₀ − Θ₀ = 0, an empty frame.
    fig.data[0].z = f32(diff[frames[-1]])
    fig.layout.sliders[0].active = len(frames) - 1
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
    fig.update_xaxes(constrain="domain")
    fig.update_layout(height=760, margin={"t": 60, "b": 260})
    return fig


@cached
def particles_animation(run: dict, x_train: np.ndarray, y_train: np.ndarray, width: int) -> go.Figure:
    """Hidden neurons as particles: position |a_j|·w_j / rms(a(0)) (w_j = effective input weights).

    Grey: positions at initialization; blue/orange: current positions of
    neurons with positive/negative readout weight. Black: the training inputs
    on the unit circle, marker size ∝ |target|, filled where the target is > 0.
    """
    w, a = run["neuron_w"], run["neuron_a"]  # (R, 2, n), (R, n)
    scale = float(np.sqrt(np.mean(a[0] ** 2))) or 1.0
    pos = np.abs(a)[:, None, :] / scale * w  # (R, 2, n)
    # robust axis range: a few runaway neurons (rich regime) must not shrink everyone else to a dot
    lim = 1.15 * max(float(np.quantile(np.abs(pos), 0.98)), 1.05)
    y = np.asarray(y_train).ravel()
    n = pos.shape[-1]
    shown = f"the first {n} of {width}" if n < width else f"all {width}"

    def traces(i: int) -> list:
        sign = a[i] >= 0
        return [
            go.Scatter(x=f32(pos[0, 0]), y=f32(pos[0, 1]), mode="markers", name="neurons at step 0",
                       marker={"color": palette.GREY, "size": 5, "opacity": 0.5}, hoverinfo="skip"),
            go.Scatter(x=f32(x_train[:, 0]), y=f32(x_train[:, 1]), mode="markers",
                       name="inputs (size ∝ |target|, filled: > 0)",
                       marker={"color": palette.TARGET, "size": 4 + 9 * np.abs(y),
                               "symbol": np.where(y > 0, "circle", "circle-open").tolist(),
                               "line": {"color": palette.TARGET, "width": 1.5}},
                       customdata=f32(y), hovertemplate="input (%{x:.2f}, %{y:.2f})<br>target %{customdata:.2f}"
                       "<extra></extra>"),
            go.Scatter(x=f32(pos[i, 0, sign]), y=f32(pos[i, 1, sign]), mode="markers",
                       name="neuron with aⱼ > 0", marker={"color": palette.BLUE, "size": 7},
                       hovertemplate="neuron (%{x:.2f}, %{y:.2f})<extra>aⱼ > 0</extra>"),
            go.Scatter(x=f32(pos[i, 0, ~sign]), y=f32(pos[i, 1, ~sign]), mode="markers",
                       name="neuron with aⱼ < 0",
                       marker={"color": palette.ORANGE, "size": 7, "symbol": "diamond"},
                       hovertemplate="neuron (%{x:.2f}, %{y:.2f})<extra>aⱼ < 0</extra>"),
        ]

    frames = frame_indices(len(run["steps"]), ANIMATION_FRAMES)
    fig = animated_figure(
        list(frames), traces, [str(run["steps"][i]) for i in frames],
        f"Neurons as particles, width {width}",
        xtitle="(|aⱼ| / rms a) · w<sub>j,1</sub>", ytitle="(|aⱼ| / rms a) · w<sub>j,2</sub>",
        slider_prefix="step ", frame_ms=150, xrange=(-lim, lim), yrange=(-lim, lim),
    )
    fig.update_yaxes(scaleanchor="x", constrain="domain")
    fig.update_xaxes(constrain="domain")
    fig.update_layout(height=760, margin={"t": 60, "b": 260},
                      legend={"orientation": "h", "x": 0, "y": -0.45, "yanchor": "top", "font": {"size": 13},
                              "title": {"text": f"{shown} neurons"}})
    return fig
