"""Small Plotly helpers shared by every page.

- ``base_layout``: titles, axes, legend, fonts, margins, template in one call.
- ``line``: a figure of one or more lines from ``(name, x, y)`` tuples.
- ``heatmap``: a matrix as a heatmap (kernels, Gram matrices, differences).
- ``animated_figure``: a client-side Plotly animation with Play/Pause and a step
  slider (plays in the browser, no server round trip).
- ``show``: ``st.plotly_chart`` with the app's defaults.
- ``cached``: decorator that memoizes a figure builder for every session.

All numeric data is converted to float32 before it is put in a figure, which
halves what is sent to the browser.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
from _plotly_utils.utils import convert_to_base64

from common import palette

FONT_SIZE = 15
TITLE_SIZE = 18
# No mode bar: on phones and projectors it covered chart titles and legends. Zoom still works by
# dragging (double-click resets); data leaves through "Download data", pictures by screenshot.
PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False}
# Log axes label their 2 and 5 ticks with a bare, smaller digit ("2 5 0.1 2 5"), which students
# read as values: every tick shows its whole value instead.
LOG_TICKFORMAT = "~g"


def _lean_template() -> go.layout.Template:
    """Plotly's "plotly_white" look, cut to the parts this app's figures use.

    The full template (7 KB of JSON: polar, ternary, 3-D, geo axes and defaults
    for ~40 trace types) is copied into every figure; validating it cost ~28 ms
    per figure on the server and it is resent with every chart.
    """
    full = pio.templates["plotly_white"]
    layout = full.layout.to_plotly_json()
    for unused in ("polar", "ternary", "scene", "geo", "mapbox"):
        layout.pop(unused, None)
    data = {kind: getattr(full.data, kind) for kind in ("scatter", "heatmap", "contour", "bar")}
    return go.layout.Template(layout=layout, data=data)


TEMPLATE = _lean_template()


FIGURE_CACHE_ENTRIES = 32  # per builder; the largest figures (animations) are ~0.5 MB
FIGURE_CACHE_TTL = "1h"


def cached(builder: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """Memoize a figure builder (returning a figure or a tuple of figures) across reruns and sessions.

    Building a Plotly figure validates every property in Python (an animation
    of 26 frames × 4 traces: ~0.18 s, a page's figures up to ~1 s); rebuilding
    it from its dict without validation takes ~0.01 s. The builder's arguments
    (settings and cached arrays) are hashed by ``st.cache_data``; every call
    returns new ``go.Figure`` objects, so callers may modify what they get.
    """

    def build(*args: Any, **kwargs: Any) -> dict | tuple[dict, ...]:
        out = builder(*args, **kwargs)
        return tuple(spec(f) for f in out) if isinstance(out, tuple) else spec(out)

    # st.cache_data keys its storage on the function's qualified name (and source), so each
    # builder gets its own bounded cache rather than all sharing this one inner function's.
    build.__module__ = builder.__module__
    build.__qualname__ = f"{builder.__qualname__}.<figure>"
    stored = st.cache_data(max_entries=FIGURE_CACHE_ENTRIES, ttl=FIGURE_CACHE_TTL,
                           show_spinner=False)(build)

    @functools.wraps(builder)
    def wrapper(*args: Any, **kwargs: Any) -> go.Figure | tuple[go.Figure, ...]:
        out = stored(*args, **kwargs)
        if isinstance(out, tuple):
            return tuple(LazyFramesFigure(d) for d in out)
        return LazyFramesFigure(out)

    wrapper.uncached = builder  # type: ignore[attr-defined]
    return wrapper


class LazyFramesFigure(go.Figure):
    """A ``go.Figure`` (built without validation) whose animation frames stay plain dicts until
    ``.frames`` is read.

    Making Plotly objects of a 50-frame animation costs ~0.2 s even unvalidated, on every
    rerun that shows it; drawing it (``st.plotly_chart`` reads ``to_dict``) needs only the dicts.
    Everything else (data, layout, ``update_layout``...) is an ordinary figure.
    """

    def __init__(self, figure: dict):
        figure = dict(figure)
        lazy = figure.pop("frames", None) or []
        super().__init__(figure, _validate=False)
        self._lazy_frames = lazy

    def _materialize(self) -> None:
        if self._lazy_frames:
            lazy, self._lazy_frames = self._lazy_frames, []
            go.Figure.frames.fset(self, lazy)  # validated: only export and tests read frames

    def __getitem__(self, prop):  # ``fig.frames`` and ``fig["frames"]`` both come here
        if prop == "frames":
            self._materialize()
        return super().__getitem__(prop)

    def to_dict(self) -> dict:
        """As ``go.Figure.to_dict``, but the frames are this figure's own dicts (not copied)."""
        out = super().to_dict()
        if self._lazy_frames:
            convert_to_base64(self._lazy_frames)  # in place; a no-op once converted
            out["frames"] = self._lazy_frames
        return out


def spec(fig: go.Figure) -> dict:
    """``fig.to_dict()`` without its deep copy, for a figure that is discarded afterwards.

    ``to_dict`` deep-copies every trace and frame first: for a page's animations that was
    0.3-0.8 s of a cold run on the server, more than building them. This hands out the
    figure's own property dicts (numpy arrays as base64, as ``to_dict``), so ``fig`` must
    not be used again.
    """
    res: dict[str, Any] = {"data": list(fig._data), "layout": fig._layout}
    frames = [frame._props for frame in fig._frame_objs] + list(getattr(fig, "_lazy_frames", ()))
    if frames:
        res["frames"] = frames
    convert_to_base64(res)
    return res


def f32(a: Any) -> np.ndarray:
    """Any array-like (numpy, JAX, list) as a float32 numpy array."""
    return np.asarray(a, dtype=np.float32)


def base_layout(
    fig: go.Figure,
    title: str,
    xtitle: str,
    ytitle: str,
    log_x: bool = False,
    log_y: bool = False,
    hovermode: Literal["x unified", "closest", "x", "y"] = "x unified",
    height: int | None = None,
) -> go.Figure:
    """Apply the app's layout to ``fig`` (in place) and return it."""
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "font": {"size": TITLE_SIZE}, "x": 0.0, "xanchor": "left"},
        font={"size": FONT_SIZE},
        hovermode=hovermode,
        legend={"font": {"size": FONT_SIZE - 1}, "bgcolor": "rgba(255,255,255,0.7)"},
        margin={"l": 70, "r": 30, "t": 60, "b": 60},
        hoverlabel={"font_size": FONT_SIZE - 1},
    )
    if height is not None:
        fig.update_layout(height=height)
    fig.update_xaxes(
        title_text=xtitle, title_font={"size": FONT_SIZE}, type="log" if log_x else "linear"
    )
    fig.update_yaxes(
        title_text=ytitle, title_font={"size": FONT_SIZE}, type="log" if log_y else "linear"
    )
    return fig


def legend_below(fig: go.Figure, y: float = -0.2, bottom: int = 130) -> go.Figure:
    """A horizontal legend under the plot (it wraps on narrow screens instead of covering the data),
    with ``bottom`` px of margin for it; in place."""
    fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": y, "yanchor": "top"},
                      margin={"b": bottom})
    return fig


def line(
    series: Sequence[tuple[str, Any, Any]],
    title: str,
    xtitle: str,
    ytitle: str,
    colors: Sequence[str] | None = None,
    dashes: Sequence[str] | None = None,
    mode: str = "lines",
    log_x: bool = False,
    log_y: bool = False,
    hovermode: Literal["x unified", "closest", "x", "y"] = "x unified",
) -> go.Figure:
    """A line chart: one trace per ``(name, x, y)`` in ``series``.

    Colours default to ``palette.SEQUENCE``; pass role colours, e.g.
    ``colors=[palette.NETWORK, palette.INFINITE]``.
    """
    fig = go.Figure()
    for i, (name, x, y) in enumerate(series):
        color = colors[i] if colors is not None else palette.seq(i)
        dash = dashes[i] if dashes is not None else palette.DASH.get(color, "solid")
        fig.add_trace(
            go.Scatter(
                x=f32(x), y=f32(y), name=name, mode=mode,
                line={"color": color, "dash": dash, "width": 2.5},
                marker={"color": color},
            )
        )
    return base_layout(fig, title, xtitle, ytitle, log_x=log_x, log_y=log_y, hovermode=hovermode)


def heatmap(
    matrix: Any,
    title: str,
    colorscale: str = palette.SEQUENTIAL,
    zmid: float | None = None,
    x: Any = None,
    y: Any = None,
    xtitle: str = "",
    ytitle: str = "",
    colorbar_title: str = "",
) -> go.Figure:
    """A heatmap of ``matrix`` (row 0 at the top, square cells).

    For signed data use ``colorscale=palette.DIVERGING, zmid=0``.
    """
    fig = go.Figure(
        go.Heatmap(
            z=f32(matrix),
            x=None if x is None else f32(x),
            y=None if y is None else f32(y),
            colorscale=colorscale,
            zmid=zmid,
            colorbar={"title": {"text": colorbar_title}},
            hovertemplate="row %{y}<br>col %{x}<br>value %{z:.4g}<extra></extra>",
        )
    )
    base_layout(fig, title, xtitle, ytitle, hovermode="closest")
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
    fig.update_xaxes(constrain="domain")
    return fig


def frame_indices(n_records: int, max_frames: int = 51) -> np.ndarray:
    """At most ``max_frames`` evenly spread record indices, first and last included.

    Every frame costs the server ~4 ms to build and each visitor's browser more to draw, so
    long trainings are animated with a subset of their snapshots.
    """
    if n_records <= max_frames:
        return np.arange(n_records)
    return np.unique(np.round(np.linspace(0, n_records - 1, max_frames)).astype(int))


def animated_figure(
    frames_data: Sequence[Any],
    make_traces: Callable[[Any], list[go.BaseTraceType]],
    slider_labels: Sequence[str],
    title: str,
    xtitle: str = "",
    ytitle: str = "",
    slider_prefix: str = "",
    frame_ms: int = 100,
    redraw: bool = False,
    xrange: Sequence[float] | None = None,
    yrange: Sequence[float] | None = None,
    hovermode: Literal["x unified", "closest", "x", "y"] = "closest",
) -> go.Figure:
    """A client-side animation: one frame per item of ``frames_data``.

    ``make_traces(item)`` returns the list of traces for one frame; every frame
    must return the same number and kinds of traces (same order). The first
    frame is also the static figure. Pass ``redraw=True`` for heatmaps. Fix
    ``xrange``/``yrange`` so the axes do not jump between frames.
    """
    if len(frames_data) != len(slider_labels):
        raise ValueError("frames_data and slider_labels must have the same length")
    if not frames_data:
        raise ValueError("animated_figure needs at least one frame")
    # Each frame's traces are validated once, when make_traces builds them; handing them to
    # go.Frame and then go.Figure(frames=...) would validate every frame twice more (~60 % of
    # the build time of a 50-frame animation). The frames are attached, already checked, at the end.
    frames = [
        {"data": [t._props for t in make_traces(item)], "name": str(i)}  # (to_plotly_json deep-copies)
        for i, item in enumerate(frames_data)
    ]
    fig = go.Figure(data=frames[0]["data"])
    base_layout(fig, title, xtitle, ytitle, hovermode=hovermode)
    if xrange is not None:
        fig.update_xaxes(range=list(xrange), autorange=False)
    if yrange is not None:
        fig.update_yaxes(range=list(yrange), autorange=False)

    def anim_args(duration: int) -> dict[str, Any]:
        return {
            "frame": {"duration": duration, "redraw": redraw},
            "transition": {"duration": 0},
            "mode": "immediate",
            "fromcurrent": True,
        }

    fig.update_layout(
        margin={"l": 70, "r": 30, "t": 60, "b": 110},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0.0, "xanchor": "left", "y": -0.12, "yanchor": "top",
                "pad": {"r": 10, "t": 30},
                "buttons": [
                    {"label": "▶ Play", "method": "animate", "args": [None, anim_args(frame_ms)]},
                    {"label": "❚❚ Pause", "method": "animate", "args": [[None], anim_args(0)]},
                ],
            }
        ],
        sliders=[
            {
                "active": 0,
                # start right of the Play/Pause buttons, which otherwise cover the slider's label
                "x": 0.24, "xanchor": "left", "len": 0.76,
                "y": -0.12, "yanchor": "top",
                "pad": {"t": 30},
                "currentvalue": {"prefix": slider_prefix, "font": {"size": FONT_SIZE}},
                "steps": [
                    {
                        "label": str(label),
                        "method": "animate",
                        "args": [[str(i)], anim_args(0) | {"mode": "immediate"}],
                    }
                    for i, label in enumerate(slider_labels)
                ],
            }
        ],
    )
    out = spec(fig)
    out["frames"] = frames
    return LazyFramesFigure(out)


PRESENTER_SCALE = 1.45  # font (and height) scale of every figure in presenter mode (?present=1)
# Smallest text in a presenter-mode figure (px): tick labels, legend, colour bars, annotations
# must stay readable from the back of a lecture hall at 1920×1080.
PRESENTER_MIN_FONT = 20


def readable_log_ticks(fig: go.Figure) -> go.Figure:
    """Label every tick of each log axis of ``fig`` with its full value (in place)."""
    def fix(ax: Any) -> None:
        if ax.type == "log" and not ax.tickformat:
            ax.update(tickformat=LOG_TICKFORMAT)

    fig.for_each_xaxis(fix)
    fig.for_each_yaxis(fix)
    return fig


def scale_fonts(fig: go.Figure, factor: float = PRESENTER_SCALE) -> go.Figure:
    """Scale the app's figure fonts (titles, axes, ticks, legend, colour bars, annotations, slider),
    margins and height by ``factor``, in place (presenter mode); no text below ``PRESENTER_MIN_FONT``."""
    size = max(round(FONT_SIZE * factor), PRESENTER_MIN_FONT)
    fig.update_layout(
        font={"size": size}, title_font_size=round(TITLE_SIZE * factor),
        legend_font_size=size, hoverlabel_font_size=size,
    )
    fig.update_xaxes(title_font_size=size, tickfont_size=size)
    fig.update_yaxes(title_font_size=size, tickfont_size=size)
    fig.for_each_annotation(lambda a: a.update(font_size=max(round((a.font.size or FONT_SIZE) * factor), size)))
    fig.update_traces(colorbar_tickfont_size=size, colorbar_title_font_size=size,
                      selector=lambda t: "colorbar" in t)
    # taller, so legends below the plot and long axis titles keep their room at the larger size
    fig.update_layout(height=round((fig.layout.height or 450) * factor))
    m = fig.layout.margin  # room for the larger titles and tick labels
    fig.update_layout(margin={"l": round((m.l if m.l is not None else 70) * factor),
                              "t": round((m.t if m.t is not None else 60) * factor),
                              "b": round((m.b if m.b is not None else 60) * factor)})
    for s in fig.layout.sliders or ():
        s.currentvalue.font.size = size
    return fig


def show(fig: go.Figure, key: str | None = None, height: int | str = "content") -> None:
    """Render ``fig`` full-width with the app's Plotly config.

    Give a stable ``key`` to charts whose figure changes with the controls.
    Classroom modes (``common.classroom``): in presenter mode the fonts are
    scaled up; in a guided step the figure waits for the student's answer; with
    a ``key`` a compact "Download data" (CSV/JSON with the page's settings)
    follows the chart.
    """
    from common import classroom, export, guide

    if guide.hide_figures():
        st.info("Figure hidden: answer the question of the guided step above to reveal it.",
                icon=":material/visibility_off:")
        return
    readable_log_ticks(fig)
    if classroom.presenter():
        scale_fonts(fig)
    st.plotly_chart(
        fig, width="stretch", height=height, key=key, config=PLOTLY_CONFIG, theme=None
    )
    if key is not None and not classroom.presenter():
        export.download_menu(fig, key)
