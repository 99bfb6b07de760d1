"""Figures for the lesson "NNGP and ensembles"."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from common import palette
from common.figures import FONT_SIZE, base_layout, cached, f32

NNGP_POSTERIOR = palette.REDDISH_PURPLE  # the Bayesian NNGP posterior (not a fixed role elsewhere)


def _band(x, lo, hi, color, name, group, showlegend=True, row=None, col=None, fig=None, outline=None):
    """A ±2σ band between lo and hi (one closed polygon trace): filled with ``color``, or, given
    ``outline`` (a Plotly line dict), drawn as its unfilled outline."""
    fill = {"fill": "toself", "fillcolor": color, "line": {"width": 0}} if outline is None else {"line": outline}
    trace = go.Scatter(
        x=f32(np.concatenate([x, x[::-1]])), y=f32(np.concatenate([hi, lo[::-1]])), mode="lines",
        name=name, legendgroup=group, showlegend=showlegend, hoverinfo="skip", **fill,
    )
    if fig is not None:
        fig.add_trace(trace, row=row, col=col)
    return trace


@cached
def prior_figure(prior: dict, width: int) -> go.Figure:
    """Finite networks at initialization beside draws from the NNGP, both with the NNGP's ±2σ band."""
    x = prior["x"]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.05, subplot_titles=(
        f"{len(prior['networks'])} networks of width {width} at initialization",
        f"{len(prior['gp'])} draws from the NNGP  N(0, K∞)"))
    s = prior["gp_std"]
    for col in (1, 2):
        _band(x, -2 * s, 2 * s, palette.BAND, "NNGP ±2σ (√diag K∞)", "band", showlegend=col == 1,
              row=1, col=col, fig=fig)
    for i, f in enumerate(prior["networks"]):
        fig.add_trace(go.Scatter(
            x=f32(x), y=f32(f), mode="lines", name="network f(x; θ₀)", legendgroup="net",
            showlegend=i == 0, line={"color": palette.NETWORK, "width": 1.4}, opacity=0.75,
            hovertemplate=f"network seed +{i}<br>x %{{x:.2f}}<br>f %{{y:.3f}}<extra></extra>",
        ), row=1, col=1)
    for i, f in enumerate(prior["gp"]):
        fig.add_trace(go.Scatter(
            x=f32(x), y=f32(f), mode="lines", name="NNGP sample", legendgroup="gp",
            showlegend=i == 0, line={"color": palette.INFINITE, "width": 1.4, "dash": "dot"}, opacity=0.85,
            hovertemplate=f"NNGP draw {i}<br>x %{{x:.2f}}<br>f %{{y:.3f}}<extra></extra>",
        ), row=1, col=2)
    base_layout(fig, "Before training: random networks look like samples of a Gaussian process", "", "",
                hovermode="closest", height=440)
    fig.update_xaxes(title_text="input x")
    fig.update_yaxes(title_text="output f(x)", row=1, col=1)
    fig.update_annotations(font_size=FONT_SIZE)
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"}, margin={"b": 100})
    return fig


@cached
def ensemble_figure(x: np.ndarray, members: np.ndarray, inf: dict, data, steps: int, width: int) -> go.Figure:
    """Trained ensemble (members, mean ± 2σ) against the infinite-width NTK ensemble and the NNGP posterior."""
    fig = go.Figure()
    mean, std = members.mean(0), members.std(0, ddof=1 if len(members) > 1 else 0)
    ntk_m, ntk_s = inf["ntk_mean"], inf["ntk_std"]
    gp_m, gp_s = inf["nngp_mean"], inf["nngp_std"]
    _band(x, ntk_m - 2 * ntk_s, ntk_m + 2 * ntk_s, palette.BAND, "infinite-width NTK ensemble ±2σ", "ntk",
          fig=fig)
    # The networks' band as a dashed outline over the NTK's filled band: two filled bands
    # (blue over green) blend into one teal and hide the page's main comparison.
    _band(x, mean - 2 * std, mean + 2 * std, None, f"trained networks ±2σ ({len(members)} nets)", "net",
          fig=fig, outline={"color": palette.NETWORK, "width": 2, "dash": "longdash"})
    for i, f in enumerate(members):
        fig.add_trace(go.Scatter(
            x=f32(x), y=f32(f), mode="lines", name="one trained network", legendgroup="members",
            showlegend=i == 0, line={"color": palette.NETWORK, "width": 0.8}, opacity=0.35,
            hoverinfo="skip",
        ))
    fig.add_trace(go.Scatter(x=f32(data.x_test[:, 0]), y=f32(data.y_test[:, 0]), mode="lines",
                             name="target sin x", line={"color": palette.TARGET, "width": 1.5}))
    fig.add_trace(go.Scatter(x=f32(x), y=f32(mean), mode="lines", name="trained networks: mean",
                             legendgroup="net", line={"color": palette.NETWORK, "width": 3}))
    fig.add_trace(go.Scatter(x=f32(x), y=f32(ntk_m), mode="lines", name="infinite-width NTK ensemble: mean",
                             legendgroup="ntk", line={"color": palette.INFINITE, "width": 3, "dash": "dot"}))
    fig.add_trace(go.Scatter(x=f32(x), y=f32(gp_m), mode="lines", name="NNGP posterior: mean",
                             line={"color": NNGP_POSTERIOR, "width": 2.5, "dash": "dashdot"}))
    for lo_hi, show in ((gp_m - 2 * gp_s, True), (gp_m + 2 * gp_s, False)):
        fig.add_trace(go.Scatter(x=f32(x), y=f32(lo_hi), mode="lines", name="NNGP posterior ±2σ",
                                 legendgroup="gp", showlegend=show,
                                 line={"color": NNGP_POSTERIOR, "width": 1, "dash": "dash"}))
    fig.add_trace(go.Scatter(x=f32(data.x_train[:, 0]), y=f32(data.y_train[:, 0]), mode="markers",
                             name="training points (noisy)",
                             marker={"color": palette.TRAIN_POINTS, "size": 12, "symbol": "x"}))
    base_layout(fig, f"After {steps} GD steps: {len(members)} networks of width {width} vs infinite width",
                "input x", "output f(x)", hovermode="x unified", height=640)
    fig.update_yaxes(range=[-2.6, 2.6])
    # legend below the plot: on a phone a legend at the right squeezes the plot to a sliver
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": -0.14, "yanchor": "top"}, margin={"b": 150})
    return fig


@cached
def loss_figure(losses: list[np.ndarray]) -> go.Figure:
    """Training loss of every ensemble member against step (log–log)."""
    fig = go.Figure()
    for i, loss in enumerate(losses):
        idx = np.unique(np.geomspace(1, max(len(loss), 1), 200).astype(int)) - 1  # ≤ 200 points per curve
        idx = idx[idx < len(loss)]
        fig.add_trace(go.Scatter(
            x=f32(idx + 1), y=f32(loss[idx]), mode="lines", name=f"network {i}", showlegend=False,
            line={"color": palette.NETWORK, "width": 1.2}, opacity=0.6,
            hovertemplate=f"network {i}<br>step %{{x}}<br>loss %{{y:.3g}}<extra></extra>",
        ))
    base_layout(fig, "Training loss of each network", "GD step", "L = (1/2N)Σ(f − y)²",
                log_x=True, log_y=True, hovermode="closest", height=380)
    fig.update_yaxes(exponentformat="power")
    return fig
