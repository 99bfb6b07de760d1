"""Exported animation frames are named by the GD step they show (issue 14), not by frame index."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import plotly.graph_objects as go
from common import export
from common.figures import animated_figure


def _animation(steps):
    x = np.linspace(0.0, 1.0, 5)
    curves = [np.sin(x + 0.1 * s) for s in steps]  # frame k shows step steps[k]
    fig = animated_figure(curves, lambda y: [go.Scatter(x=x, y=y, name="f_t")], [str(s) for s in steps],
                          "Training", slider_prefix="GD step ")
    return fig, x, curves


def test_frames_named_by_step_in_json_and_csv():
    steps = [0, 5, 20, 80, 320, 1000]
    fig, x, curves = _animation(steps)
    data = json.loads(export.to_json(export.figure_data(fig, "training", {"lr": 1.0})))
    assert data["frame_axis"] == "GD step"
    assert [f["name"] for f in data["frames"]] == [str(s) for s in steps]
    for f, y in zip(data["frames"], curves, strict=True):
        np.testing.assert_allclose(f["traces"][0]["y"], y)

    text = export.to_csv(export.figure_data(fig, "training", {"lr": 1.0}))
    assert "# frame,GD step" in text.splitlines()
    rows = list(csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")))
    by_frame = {}
    for r in rows:
        by_frame.setdefault(r["frame"], []).append(float(r["y"]))
    assert sorted(k for k in by_frame if k) == sorted(str(s) for s in steps)
    for s, y in zip(steps, curves, strict=True):
        np.testing.assert_allclose(by_frame[str(s)], y)


def test_frames_without_slider_keep_their_names():
    fig = go.Figure(go.Scatter(x=[0, 1], y=[1, 2]), frames=[go.Frame(data=[go.Scatter(y=[3, 4])], name="f1")])
    data = export.figure_data(fig)
    assert [f["name"] for f in data["frames"]] == ["f1"] and "frame_axis" not in data
