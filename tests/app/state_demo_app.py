"""Tiny Streamlit app exercising app/common/state.py (used by tests/app/test_state.py
and by the browser URL round-trip test)."""

import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parents[2] / "app"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

import streamlit as st  # noqa: E402
import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
from common import palette  # noqa: E402
from common.figures import animated_figure, line, show  # noqa: E402
from common.state import Control, render_controls  # noqa: E402

CONTROLS = [
    Control("width", "Width", "slider", 256, min=16, max=4096, step=16, help="Hidden width"),
    Control("depth", "Depth", "select_slider", 2, options=(1, 2, 3, 4)),
    Control("activation", "Activation", "selectbox", "relu", options=("relu", "erf", "tanh")),
    Control("lr", "Learning rate", "number", 0.5, min=0.001, max=10.0, step=0.1),
    Control("ntk", "NTK parameterization", "toggle", True),
]

st.title("State demo")
values = render_controls("demo", CONTROLS)
st.markdown("VALUES " + " ".join(f"{k}={v!r}" for k, v in values.items()))
st.markdown("QP " + repr(sorted(st.query_params.to_dict().items())))

# The shared figure helpers, exercised in AppTest and in the real browser.
x = np.linspace(-1.0, 1.0, 41)
show(line([("network", x, np.tanh(values["depth"] * x)), ("target", x, x)], "Lines", "x", "f(x)",
          colors=[palette.NETWORK, palette.TARGET]), key="demo_line")
show(animated_figure(
    [t for t in range(5)],
    lambda t: [go.Scatter(x=x, y=np.sin(x * (t + 1)), mode="lines", line={"color": palette.NETWORK})],
    [f"step {t}" for t in range(5)], "Animation", "x", "y", slider_prefix="", yrange=(-1.1, 1.1),
), key="demo_anim")
