"""Export of a figure's data (CSV / JSON) with the page's exact settings.

``common.figures.show(fig, key=...)`` adds a compact "Download data" popover
under every keyed chart; the files are generated only when a button is
clicked (``st.download_button`` with a callable). The functions below are
plain (no Streamlit) so tests can compare them with the figure.

- JSON: ``{"page", "settings", "url", "title", "traces": [{"name", "type", "x", "y", "z"}],
  "frame_axis", "frames": [{"name", "traces": [...]}]}`` (frames only for animations). A frame is
  named by its animation-slider label (the GD step it shows), ``frame_axis`` says what that counts
  (the slider's prefix, e.g. "GD step").
- CSV (long format): comment rows ``# key,value`` with the page, its URL, its settings
  and the figure title (lines starting with ``#``: skip them to read the table), then
  ``frame,trace,name,i,j,x,y,z``: one row per point of a line/scatter trace
  (``j`` empty) and per cell of a heatmap (``x = x[j]``, ``y = y[i]``, ``z = z[i][j]``).
  ``frame`` is empty for the figure as shown, else the animation frame's name (its GD step; a
  ``# frame`` comment row says what the frame column counts).
  Every row goes through the csv module (a comma in the URL stays inside its cell), and a
  text cell starting with ``= + - @``, tab or CR gets a leading ``'`` so a spreadsheet shows it
  as text instead of running it as a formula (the URL comes from the visitor's address bar).
  Numbers are written as numbers (-0.5 stays -0.5).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

AXES = ("x", "y", "z")


def _plain(a: Any) -> Any:
    """Plotly data (numpy arrays, typed-array dicts, tuples) → nested lists of floats/str/None."""
    if a is None:
        return None
    if isinstance(a, dict) and "bdata" in a:  # Plotly's base64 typed array {"dtype", "bdata", "shape"}
        arr = np.frombuffer(base64.b64decode(a["bdata"]), dtype=np.dtype(a["dtype"]))
        shape = a.get("shape")
        if isinstance(shape, str):
            shape = [int(n) for n in shape.split(",")]
        a = arr.reshape(shape) if shape else arr
    arr = np.asarray(a)
    if arr.dtype.kind in "fc":
        arr = arr.astype(np.float64)
        return [_plain(v) for v in arr] if arr.ndim > 1 else [None if not math.isfinite(v) else float(v)
                                                                for v in arr.tolist()]
    if arr.dtype.kind in "iub":
        return arr.tolist()
    return [_plain(v) if isinstance(v, (list, tuple, np.ndarray)) else v for v in list(a)]


def trace_data(trace: Any) -> dict[str, Any]:
    """name, type and x/y/z of one Plotly trace (missing axes left out)."""
    out: dict[str, Any] = {"name": getattr(trace, "name", None), "type": trace.type}
    for ax in AXES:
        v = getattr(trace, ax, None) if ax in trace else None
        if v is not None:
            out[ax] = _plain(v)
    return out


def figure_data(fig: go.Figure, page: str | None = None, settings: dict | None = None,
                url: str = "") -> dict[str, Any]:
    """Everything the export files contain, as one JSON-able dict."""
    title = fig.layout.title.text if fig.layout.title is not None else None
    data = {
        "page": page,
        "settings": settings or {},
        "url": url,
        "title": title,
        "traces": [trace_data(t) for t in fig.data],
    }
    if fig.frames:
        axis, labels = frame_labels(fig)
        if axis:
            data["frame_axis"] = axis
        data["frames"] = [{"name": labels.get(str(f.name), f.name), "traces": [trace_data(t) for t in f.data]}
                          for f in fig.frames]
    return data


def frame_labels(fig: go.Figure) -> tuple[str, dict[str, str]]:
    """(what the animation slider counts, {frame name: the slider's label of that frame}).

    ``common.figures.animated_figure`` names frames 0, 1, … and labels the slider with what a frame
    shows (the GD step, prefix "GD step "): exports name each frame by its label, as the student saw
    it under the figure. Frames no slider step points at keep their own name."""
    sliders = fig.layout.sliders or ()
    if not sliders:
        return "", {}
    slider = sliders[0]
    labels = {}
    for step in slider.steps or ():
        args = step.args or ()
        names = args[0] if args else None
        if isinstance(names, (list, tuple)) and len(names) == 1 and step.label is not None:
            labels[str(names[0])] = str(step.label)
    prefix = slider.currentvalue.prefix if slider.currentvalue is not None else None
    return (prefix or "").strip(), labels


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, default=str)


def _rows(frame: str, idx: int, t: dict[str, Any]):
    name = t.get("name") or f"trace {idx}"
    x, y, z = t.get("x"), t.get("y"), t.get("z")
    if z is not None and isinstance(z, list) and z and isinstance(z[0], list):  # heatmap
        for i, row in enumerate(z):
            for j, val in enumerate(row):
                yield [frame, idx, name, i, j, x[j] if x is not None else j, y[i] if y is not None else i, val]
        return
    n = max(len(v) for v in (x, y, z) if v is not None) if any(v is not None for v in (x, y, z)) else 0
    def at(v, i):
        return v[i] if v is not None and i < len(v) else ""

    for i in range(n):
        yield [frame, idx, name, i, "", at(x, i), at(y, i), at(z, i)]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(v: Any) -> Any:
    """A cell a spreadsheet cannot run: text starting with ``= + - @``, tab or CR gets a leading
    ``'`` (OWASP's advice for CSV injection); numbers and everything else are unchanged."""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def to_csv(data: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")

    def row(cells) -> None:
        w.writerow([csv_cell(c) for c in cells])

    row(["# page", data.get("page")])
    if data.get("url"):
        row(["# url", data["url"]])
    for k, v in (data.get("settings") or {}).items():
        row([f"# {k}", v])
    if data.get("title"):
        row(["# figure", data["title"]])
    if data.get("frame_axis"):
        row(["# frame", data["frame_axis"]])
    row(["frame", "trace", "name", "i", "j", "x", "y", "z"])
    for idx, t in enumerate(data["traces"]):
        for r in _rows("", idx, t):
            row(r)
    for f in data.get("frames", ()):
        for idx, t in enumerate(f["traces"]):
            for r in _rows(str(f["name"]), idx, t):
                row(r)
    return buf.getvalue()


def download_menu(fig: go.Figure, key: str) -> None:
    """A compact "Download data" popover with CSV and JSON buttons (files built on click)."""
    from common import classroom

    state = classroom.settings()
    page, settings = state.get("page"), dict(state.get("settings") or {})
    url = state.get("link") or classroom.page_path()
    stem = f"{page or 'ntk-lab'}-{key}"

    def payload() -> dict[str, Any]:
        return figure_data(fig, page, settings, url)

    with st.popover("Download data", icon=":material/download:", key=f"_ntk_export_{key}"):
        st.caption("This figure's traces (x, y, z with names) and the page's exact settings.")
        c1, c2 = st.columns(2)
        c1.download_button("CSV", data=lambda: to_csv(payload()), file_name=f"{stem}.csv",
                           mime="text/csv", key=f"_ntk_csv_{key}", on_click="ignore",
                           icon=":material/table:")
        c2.download_button("JSON", data=lambda: to_json(payload()), file_name=f"{stem}.json",
                           mime="application/json", key=f"_ntk_json_{key}", on_click="ignore",
                           icon=":material/data_object:")
