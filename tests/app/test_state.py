"""AppTest tests of app/common/state.py through tests/app/state_demo_app.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

DEMO = str(Path(__file__).with_name("state_demo_app.py"))
DEFAULTS = {"width": 256, "depth": 2, "activation": "relu", "lr": 0.5, "ntk": True}


def run_demo(**params: str | list[str]) -> AppTest:
    at = AppTest.from_file(DEMO, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def values(at: AppTest) -> dict:
    (line,) = [m.value for m in at.markdown if m.value.startswith("VALUES ")]
    return {k: eval(v) for k, v in re.findall(r"(\w+)=(\S+)", line)}  # noqa: S307


def url(at: AppTest) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def test_defaults_without_params():
    at = run_demo()
    assert values(at) == DEFAULTS
    assert not at.warning
    assert url(at) == {}
    assert at.sidebar.slider(key="width").value == 256
    assert at.sidebar.button(key="_ntk_reset_demo").label == "Reset to defaults"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"width": "512"}, {"width": 512}),
        ({"width": "4096"}, {"width": 4096}),
        ({"depth": "3"}, {"depth": 3}),
        ({"activation": "erf"}, {"activation": "erf"}),
        ({"lr": "2.5"}, {"lr": 2.5}),
        ({"ntk": "false"}, {"ntk": False}),
        ({"width": "1024", "depth": "4", "activation": "tanh"},
         {"width": 1024, "depth": 4, "activation": "tanh"}),
    ],
)
def test_valid_url_params_seed_widgets(params, expected):
    at = run_demo(**params)
    assert not at.warning
    assert values(at) == DEFAULTS | expected
    if "width" in expected:
        assert at.sidebar.slider(key="width").value == expected["width"]
    if "activation" in expected:
        assert at.sidebar.selectbox(key="activation").value == expected["activation"]
    # valid, non-default params stay in the URL
    assert set(url(at)) == set(params)


@pytest.mark.parametrize(
    "key, raw, fragment",
    [
        ("width", "abc", "URL parameter width=`'abc'` is not valid (16–4096); using default 256"),
        ("width", "-5", "width=`'-5'` is not valid (16–4096)"),
        ("width", "1e9", "width=`'1e9'` is not valid (16–4096)"),
        ("width", "12.5", "width=`'12.5'` is not valid"),
        ("width", "", "width=`''` is not valid"),
        ("depth", "9", "depth=`'9'` is not valid (one of 1, 2, 3, 4); using default 2"),
        ("activation", "foo", "activation=`'foo'` is not valid (one of relu, erf, tanh); using default relu"),
        ("lr", "nan", "lr=`'nan'` is not valid (0.001–10); using default 0.5"),
        ("lr", "100", "lr=`'100'` is not valid"),
        ("ntk", "maybe", "ntk=`'maybe'` is not valid (true or false); using default true"),
    ],
)
def test_malformed_param_warns_and_uses_default(key, raw, fragment):
    at = run_demo(**{key: raw})
    assert values(at) == DEFAULTS
    assert len(at.warning) == 1
    assert fragment in at.warning[0].value
    assert key not in url(at)  # removed from the URL


def test_repeated_param_is_rejected():
    at = run_demo(width=["512", "1024"])
    assert values(at)["width"] == 256
    assert "width=`'512,1024'` is not valid" in at.warning[0].value


def test_several_bad_params_one_warning_good_ones_kept():
    at = run_demo(width="abc", activation="foo", depth="3")
    assert len(at.warning) == 1
    text = at.warning[0].value
    assert "width=`'abc'`" in text and "activation=`'foo'`" in text and "depth" not in text
    assert values(at) == DEFAULTS | {"depth": 3}
    assert url(at) == {"depth": "3"}


def test_changing_widget_changes_value():
    # Writing a changed value *into the URL* is done by the browser frontend,
    # which AppTest does not run: that half is covered by
    # tests/browser/test_browser_shell.py::test_url_state_round_trip.
    at = run_demo()
    at.sidebar.slider(key="width").set_value(1024).run()
    at.sidebar.selectbox(key="activation").set_value("erf").run()
    assert not at.exception
    assert values(at) == DEFAULTS | {"width": 1024, "activation": "erf"}


def test_warning_disappears_after_next_interaction():
    at = run_demo(width="abc")
    assert at.warning
    at.sidebar.selectbox(key="activation").set_value("tanh").run()
    assert not at.warning
    assert values(at) == DEFAULTS | {"activation": "tanh"}


def test_reset_to_defaults_restores_widgets_and_clears_url():
    at = run_demo(width="2048", depth="4", ntk="false")
    assert values(at) == DEFAULTS | {"width": 2048, "depth": 4, "ntk": False}
    at.sidebar.selectbox(key="activation").set_value("erf").run()
    at.sidebar.button(key="_ntk_reset_demo").click().run()
    assert not at.exception
    assert values(at) == DEFAULTS
    assert at.sidebar.slider(key="width").value == 256
    assert at.sidebar.toggle(key="ntk").value is True
    assert url(at) == {}
    # widgets still work after a reset
    at.sidebar.slider(key="width").set_value(64).run()
    assert values(at)["width"] == 64


def test_control_spec_validation():
    from common.state import Control

    with pytest.raises(ValueError):
        Control("w", "W", "slider", 5)  # no min/max
    with pytest.raises(ValueError):
        Control("w", "W", "slider", 50, min=1, max=10)
    with pytest.raises(ValueError):
        Control("a", "A", "selectbox", "x", options=("y", "z"))
    with pytest.raises(ValueError):
        Control("t", "T", "toggle", 1)
    with pytest.raises(ValueError):
        Control("k", "K", "radio", 1)
    c = Control("a", "A", "select_slider", 16, options=[16, 32])
    assert c.options == (16, 32)
    assert c.parse("32") == (True, 32) and c.parse("33") == (False, None)


def test_demo_charts_are_float32_and_animated():
    import base64

    import numpy as np

    at = run_demo(depth="3")
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    spec = json.loads(charts[0].proto.spec)
    y = spec["data"][0]["y"]
    assert y["dtype"] == "f4"
    arr = np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.float32)
    np.testing.assert_allclose(arr, np.tanh(3 * np.linspace(-1, 1, 41)), rtol=1e-6)
    anim = json.loads(charts[1].proto.spec)
    assert len(anim["frames"]) == 5
    assert anim["layout"]["updatemenus"][0]["buttons"][0]["label"] == "▶ Play"


def _helpers_app():
    import sys
    from pathlib import Path

    import streamlit as st

    sys.path.insert(0, str(Path.cwd() / "app"))
    from common.state import divergence_warning, progress

    with progress("Training 3 networks…", done_label="Trained 3 networks") as p:
        for i in range(3):
            p.update((i + 1) / 3, f"Network {i + 1}/3")
    divergence_warning(17, suggested_lr=0.123456)
    if st.button("fail", key="fail"):
        with progress("Doomed"):
            raise RuntimeError("boom")


def test_progress_and_divergence_warning(monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    at = AppTest.from_function(_helpers_app, default_timeout=60).run()
    assert not at.exception
    (status,) = at.get("status")
    assert status.label.startswith("Trained 3 networks (")
    assert at.get("progress")[0].proto.value == 100
    (warn,) = at.warning
    assert "diverged at step 17" in warn.value and "at most 0.123" in warn.value
    at.button(key="fail").click().run()
    assert at.exception and "boom" in at.exception[0].message
    assert [s.label for s in at.get("status")][-1] == "Doomed — failed"
