"""Shared AppTest helpers for the lesson tests: run a page, read its Plotly figures as numbers."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "app" / "lessons"


def arr(v) -> np.ndarray:
    """Plotly JSON data → numpy: base64 typed arrays {"dtype", "bdata", "shape"} (shape a list or
    "rows, cols") or plain lists."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        shape = v.get("shape")
        if isinstance(shape, str):
            shape = [int(n) for n in shape.split(",")]
        return a.reshape(shape) if shape else a
    return np.asarray(v, dtype=float)


def specs(at: AppTest) -> list[dict]:
    """Every Plotly chart of the run, as figure JSON."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def run_script(path: str | Path, timeout: float, params: dict | None = None, title: str | None = None) -> AppTest:
    """Run a script with URL ``params``; assert it raised nothing (and shows ``title``)."""
    at = AppTest.from_file(str(path), default_timeout=timeout)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    if title is not None:
        assert at.title[0].value == title
    return at


def metric_values(at: AppTest) -> dict[str, str]:
    """Every st.metric of the run: label → displayed value (a string)."""
    return {m.label: m.value for m in at.metric}


def trace(spec: dict, name: str) -> dict:
    """The trace called ``name`` in figure JSON ``spec`` (else the first whose name starts with it)."""
    data = spec["data"]
    found = [t for t in data if t.get("name") == name] or [t for t in data if t.get("name", "").startswith(name)]
    assert found, [t.get("name") for t in data]
    return found[0]
