"""Figures for the lesson "Beyond MLPs" (/beyond-mlps).

Convergence and drift against width reuse ``plots.drift.finals_vs_width`` (the MLP lessons' log-log
plot with fitted power laws), so the architectures compare directly with the MLP pages.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from common import palette
from common.figures import FONT_SIZE, base_layout, cached, f32
from plots.drift import finals_vs_width


ARCH_COLOURS = {"MLP": palette.BLUE, "CNN-GAP": palette.VERMILLION, "CNN-flatten": palette.REDDISH_PURPLE,
                "RNN": palette.BLUISH_GREEN, "Attention": palette.ORANGE}


def normalized(theta: np.ndarray) -> np.ndarray:
    """Θ(x, x')/√(Θ(x,x) Θ(x',x')): a cosine similarity, comparable across kernels."""
    d = np.sqrt(np.diag(theta))
    return theta / np.outer(d, d)


def _class_ticks(labels: np.ndarray) -> dict:
    """Tick at the middle of each class block of a class-sorted axis."""
    vals, text = [], []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        vals.append(float(idx.mean()))
        text.append(str(c))
    return {"tickvals": vals, "ticktext": text}


@cached
def kernel_matrices(panels: tuple, labels: np.ndarray, title: str, class_name: str = "digit",
                    centered: bool = False) -> go.Figure:
    """Side-by-side heatmaps of normalized kernels (shared colour scale), inputs sorted by class.

    ``panels``: ((subplot title, Θ (n, n)), …). ``centered``: the matrices are centred cosine
    similarities in [−1, 1] (diverging colours around 0); else Θ is normalized here (cosine, ≤ 1)."""
    mats = [np.asarray(k, np.float64) if centered else normalized(np.asarray(k, np.float64)) for _, k in panels]
    lo = -1.0 if centered else float(min(m.min() for m in mats))
    bar_title = "centred similarity" if centered else "Θ(x,x′)/√(Θ(x,x)Θ(x′,x′))"
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for t, _ in panels],
                        horizontal_spacing=0.05)
    ticks = _class_ticks(labels)
    idx = np.arange(len(labels))
    for col, ((name, _), m) in enumerate(zip(panels, mats), start=1):
        fig.add_trace(go.Heatmap(
            z=f32(m), x=idx, y=idx, coloraxis="coloraxis", name=name,
            customdata=np.stack(np.broadcast_arrays(labels[:, None], labels[None, :]), -1),
            hovertemplate=(f"{name}<br>{class_name} %{{customdata[0]}} (#%{{y}}) vs "
                           f"{class_name} %{{customdata[1]}} (#%{{x}})<br>similarity %{{z:.3f}}<extra></extra>"),
        ), row=1, col=col)
        fig.update_xaxes(title_text=f"{class_name} (sorted by class)", row=1, col=col, constrain="domain", **ticks)
        fig.update_yaxes(title_text=f"{class_name}" if col == 1 else "", row=1, col=col, autorange="reversed",
                         scaleanchor=f"x{'' if col == 1 else col}", constrain="domain", **ticks)
    base_layout(fig, title, "", "", hovermode="closest", height=430)
    fig.update_layout(coloraxis={"colorscale": palette.DIVERGING if centered else palette.SEQUENTIAL,
                                 "cmin": lo, "cmax": 1.0, **({"cmid": 0.0} if centered else {}),
                                 "colorbar": {"title": {"text": bar_title, "side": "right"}, "len": 0.9}},
                      margin={"l": 60, "r": 20, "t": 90, "b": 60})
    fig.update_annotations(font_size=FONT_SIZE)
    return fig


@cached
def digit_pair(original: np.ndarray, shifted: np.ndarray, label: int, dx: int, dy: int) -> go.Figure:
    """The chosen digit and its shifted copy as 8×8 grey images."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=(f"chosen (a {label})", f"shifted ({dx:+d}, {dy:+d})"))
    for col, img in enumerate((original, shifted), start=1):
        fig.add_trace(go.Heatmap(z=f32(img.reshape(8, 8)), colorscale="Greys", showscale=False,
                                 hovertemplate="row %{y}, column %{x}<br>pixel %{z:.2f}<extra></extra>"),
                      row=1, col=col)
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{'' if col == 1 else col}", constrain="domain",
                         showticklabels=False, row=1, col=col)
        fig.update_xaxes(constrain="domain", showticklabels=False, row=1, col=col)
    base_layout(fig, "", "", "", hovermode="closest", height=260)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10})
    fig.update_annotations(font_size=FONT_SIZE - 1)
    return fig


@cached
def similarity_rows(sims: tuple, labels: np.ndarray, index: int) -> go.Figure:
    """Similarity of the chosen digit to the 100 shown digits under each kernel (one row each), with its
    shifted copy as a dashed line. ``sims``: ((arch, {"sims", "shifted", "rank"}), …)."""
    n = len(sims)
    fig = make_subplots(rows=n, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=[f"{a}: shifted copy ranks #{s['rank']} of 100 "
                                        f"(more similar than {100 * s['frac_below']:.0f}% of the other digits)"
                                        for a, s in sims])
    idx = np.arange(len(labels))
    same = labels == labels[index]
    for r, (arch, s) in enumerate(sims, start=1):
        colour = ARCH_COLOURS[arch]
        mask = np.ones(len(labels), bool)
        mask[index] = False
        for grp, sel, sym, alpha in (("same class", mask & same, "circle", 1.0),
                                     ("other classes", mask & ~same, "circle-open", 0.6)):
            fig.add_trace(go.Scatter(
                x=idx[sel], y=f32(s["sims"][sel]), mode="markers", name=f"{arch}: {grp}",
                legendgroup=arch, marker={"color": palette.rgba(colour, alpha), "symbol": sym, "size": 7},
                customdata=labels[sel],
                hovertemplate=f"{arch}<br>digit #%{{x}} (a %{{customdata}})<br>similarity %{{y:.3f}}<extra></extra>",
            ), row=r, col=1)
        fig.add_trace(go.Scatter(
            x=[-1, len(labels)], y=f32([s["shifted"]] * 2), mode="lines", name=f"{arch}: shifted copy",
            legendgroup=arch, line={"color": palette.BLACK, "dash": "dash", "width": 2},
            hovertemplate=f"{arch}: shifted copy, similarity %{{y:.3f}}<extra></extra>",
        ), row=r, col=1)
        fig.update_yaxes(title_text="similarity", row=r, col=1)
    base_layout(fig, f"How similar is digit #{index} (a {labels[index]}) to every other digit — and to its "
                     "shifted copy?", "", "", hovermode="closest", height=260 * n + 80)
    fig.update_xaxes(title_text="digit (sorted by class)", row=n, col=1, **_class_ticks(labels))
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": -0.08, "yanchor": "top"},
                      margin={"l": 70, "r": 20, "t": 90, "b": 110})
    fig.update_annotations(font_size=FONT_SIZE - 1)
    return fig


@cached
def accuracy_bars(archs: tuple, kernel_acc: tuple, net_acc: tuple, net_labels: tuple, n_test: int = 50,
                  n_train: int = 100) -> go.Figure:
    """Grouped bars: test accuracy of kernel regression with Θ∞ vs the trained finite network."""
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=list(archs), y=f32(kernel_acc), name="infinite width: kernel regression with Θ∞",
        marker={"color": palette.INFINITE}, text=[f"{a:.1%}" for a in kernel_acc], textposition="outside",
        hovertemplate="%{x}, infinite width<br>test accuracy %{y:.1%}<extra></extra>",
    ))
    fig.add_trace(go.Bar(
        x=list(archs), y=f32(net_acc), name="trained finite network (GD)", customdata=list(net_labels),
        marker={"color": palette.NETWORK}, text=[("diverged" if not np.isfinite(a) else f"{a:.1%}") for a in net_acc],
        textposition="outside",
        hovertemplate="%{x}, %{customdata}<br>test accuracy %{y:.1%}<extra></extra>",
    ))
    base_layout(fig, f"Test accuracy on {n_test} held-out digits (trained on {n_train})", "architecture",
                "test accuracy", hovermode="closest", height=430)
    fig.update_xaxes(type="category")  # base_layout sets a linear axis, which would drop the named bars
    fig.update_yaxes(range=[0, 1.08], tickformat=".0%")
    fig.update_layout(barmode="group", legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
                      margin={"b": 110})
    return fig


@cached
def sequence_examples(x: np.ndarray, labels: np.ndarray) -> go.Figure:
    """One example sequence per frequency."""
    fig = go.Figure()
    t = np.arange(x.shape[1])
    for i, f in enumerate(np.unique(labels)):
        j = int(np.flatnonzero(labels == f)[0])
        fig.add_trace(go.Scatter(x=t, y=f32(x[j, :, 0]), mode="lines+markers", name=f"{f} cycle{'s' if f > 1 else ''}",
                                 line={"color": palette.seq(i), "width": 2.2},
                                 hovertemplate=f"frequency {f}<br>t = %{{x}}<br>xₜ = %{{y:.2f}}<extra></extra>"))
    base_layout(fig, "The task: which frequency? (one noisy example per class)", "time step t",
                "input x(t)", hovermode="closest", height=330)
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": -0.25, "yanchor": "top"}, margin={"b": 100})
    return fig


@cached
def sweep_figure(widths: np.ndarray, values: dict, title: str, y_title: str, x_title: str) -> go.Figure:
    """log-log values against width, one series per architecture, with fitted slopes (the drift lesson's plot)."""
    from compute.beyond_mlps import log_fit

    widths = np.asarray(widths, float)
    summary = {"widths": widths, "values": {k: np.asarray(v, float) for k, v in values.items()},
               "slopes": {k: log_fit(widths, v) for k, v in values.items()}}
    fig = finals_vs_width(summary, tuple((k, k) for k in values), title=title, x_title=x_title, y_title=y_title)
    fig.update_yaxes(dtick="D2")  # label 1, 2, 5 per decade: all nine crowd together over two decades
    return fig
