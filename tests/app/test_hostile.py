"""A hostile visitor, without a browser (issue 20): Markdown injection through URL values, off-grid
values, the clear_cache guard, CSV formula injection, truncated compilation-cache entries, and no
tracebacks for visitors. The browser/websocket side is tests/browser/test_browser_hostile.py.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from pagecontrols import PAGES, run_page
from test_state import run_demo, url, values

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = [
    "![x](http://img.evil.test/px.png)",
    "[Log in](http://phish.evil.test/login)",
    "<http://auto.evil.test/>",
    "http://bare.evil.test/x www.evil.test",
    "<img src=x onerror=alert(1)>",
    ":red-background[**SESSION EXPIRED**]",
    "$\\href{http://tex.evil.test}{click}$",
    ":smile: :material/warning:",
    "[x](javascript:alert(1))",
    "a`b``c [y](http://tick.evil.test)",
    "`",
    " ` ",
    "1\n\n[z](http://nl.evil.test)",
    "x\r\n# heading\t",
]


def code_spans(markdown: str) -> tuple[list[str], str]:
    """CommonMark inline code spans of ``markdown`` (a backtick run opens, the next run of the same
    length closes; one leading and trailing space are stripped when both are there), and the text
    outside them. Written from the spec, independently of common.state.md_literal."""
    spans, outside, i = [], [], 0
    while i < len(markdown):
        m = re.compile(r"`+").search(markdown, i)
        if not m:
            outside.append(markdown[i:])
            break
        outside.append(markdown[i:m.start()])
        fence = m.group()
        close = re.compile(rf"(?<!`){fence}(?!`)").search(markdown, m.end())
        if not close:
            outside.append(markdown[m.start():])
            break
        body = markdown[m.end():close.start()]
        if len(body) >= 2 and body[0] == body[-1] == " " and body.strip(" "):
            body = body[1:-1]
        spans.append(body)
        i = close.end()
    return spans, "".join(outside)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_literal_is_one_code_span_with_the_text(payload):
    from common.state import md_literal

    spans, outside = code_spans(md_literal(payload))
    assert outside == "" and len(spans) == 1
    shown = spans[0].replace(":material\u200b/", ":material/")  # see md_literal
    assert "\n" not in shown and "\r" not in shown  # a newline could end the span or the paragraph
    assert shown == "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in payload)


def test_hostile_values_in_the_warning_are_code_spans_only():
    """Every payload as the value of a demo control: the warning's text outside the code spans is
    the fixed template, and each code span is the value's repr (what the browser shows)."""
    keys = ("width", "depth", "activation", "lr", "ntk")
    for start in range(0, len(PAYLOADS), len(keys)):
        params = dict(zip(keys, PAYLOADS[start:start + len(keys)]))
        at = run_demo(**params)
        (warning,) = at.warning
        spans, outside = code_spans(warning.value)
        shown = [repr(v if len(v) <= 40 else v[:37] + "…") for v in params.values()]
        assert [s.replace(":material\u200b/", ":material/") for s in spans] == [
            "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in s) for s in shown]
        for key in params:
            assert f"URL parameter {key}= is not valid (" in outside
        assert not re.search(r"[\[\]<>$`!]|https?:|www\.|:\w+[\[:]", outside.replace("(one of", "")
                             .replace("; using default", "")), outside
        assert values(at) == {"width": 256, "depth": 2, "activation": "relu", "lr": 0.5, "ntk": True}


def test_the_issues_link_on_kernel_at_init():
    page = next(p for p in PAGES if p.url == "kernel-at-init")
    from pagecontrols import controls_only

    at, vals = controls_only(page, {"width": "![x](http://HOST/px.png)", "depth": "[Log in](http://HOST/phish)"})
    assert not at.exception
    (warning,) = at.sidebar.warning
    spans, outside = code_spans(warning.value)
    assert spans == ["'![x](http://HOST/px.png)'", "'[Log in](http://HOST/phish)'"]
    assert "http" not in outside and "](" not in outside
    assert vals["width"] == 256 and vals["depth"] == 3


# ------------------------------------------------------------------ off-grid values
def test_snap_and_read_follow_the_grid():
    from common.state import Control

    r = Control("r", "r", "slider", 1.5, min=0.75, max=2.5, step=0.25)
    assert r.read("1.3") == ("snapped", 1.25) and r.read("1.4") == ("snapped", 1.5)
    assert r.read("1.25") == ("ok", 1.25) and r.read("1.250") == ("ok", 1.25)
    assert r.read("2.6")[0] == r.read("nan")[0] == r.read("inf")[0] == "invalid"
    assert [r.snap(v) for v in (0.75, 0.8, 2.49, 2.5, 1.37)] == [0.75, 0.75, 2.5, 2.5, 1.25]
    assert r.snap(99.0) == 2.5 and r.snap(-1.0) == 0.75 and r.snap(float("nan")) == 1.5
    d = Control("d", "d", "slider", 2, min=1, max=6, step=1)
    assert d.read("3.0") == ("ok", 3) and d.read("2.7") == ("snapped", 3) and isinstance(d.snap(2.7), int)
    odd = Control("w", "w", "slider", 256, min=16, max=4096, step=16)  # grid from min: 16, 32, …
    assert odd.snap(300) == 304 and odd.snap(4100) == 4096
    seed = Control("s", "s", "number", 0, min=0, max=9999, step=1)
    assert seed.read("12.6") == ("snapped", 13) and seed.read("7") == ("ok", 7)
    lr = Control("lr", "lr", "number", 0.5, min=0.001, max=10.0, step=0.1)  # typed floats are fine
    assert lr.read("0.537") == ("ok", 0.537)
    sel = Control("a", "a", "selectbox", "relu", options=("relu", "erf"))
    assert sel.snap("tanh") == "relu" and sel.read("tanh") == ("invalid", None)
    opts = Control("o", "o", "select_slider", 0.0, options=(0.0, 1e-3, 1e-2))
    assert opts.snap(0) == 0.0 and isinstance(opts.snap(0), float) and opts.snap(5e-3) == 0.0


def test_off_grid_link_snaps_with_a_note_and_the_widget_follows():
    at = run_demo(width="300", lr="0.55")
    (warning,) = at.warning
    assert "URL parameter width=`'300'` is between the allowed values; using the nearest, 304" in warning.value
    assert values(at)["width"] == 304 and at.sidebar.slider(key="width").value == 304
    assert url(at) == {"width": "304", "lr": "0.55"}  # the address bar shows what is used
    at.run()  # the next run keeps the snapped value and has nothing left to report
    assert not at.warning and values(at)["width"] == 304


def test_off_grid_value_of_a_hidden_control_snaps_too():
    at = run_demo(width="300", hide="width")
    assert "using the nearest, 304" in at.warning[0].value and values(at)["width"] == 304
    assert url(at)["width"] == "304"


def test_off_grid_widget_value_snaps():
    """A slider set between its steps, as a websocket message can (AppTest sends widget states
    like the frontend): the page computes with the snapped value."""
    at = run_demo()
    at.sidebar.slider(key="width").set_value(300).run()
    assert not at.exception and values(at)["width"] == 304


def test_scaling_off_grid_r_no_longer_crashes():
    """The issue's /scaling?r=1.3 (ValueError: tuple.index(x) in app/compute/scaling.py)."""
    page = next(p for p in PAGES if p.url == "scaling")
    at = run_page(page, {"r": "1.3"})
    assert not at.exception, [e.message for e in at.exception]
    assert "r=`'1.3'` is between the allowed values; using the nearest, 1.25" in at.sidebar.warning[0].value
    assert at.sidebar.slider(key="r").value == 1.25


def test_scaling_r_index():
    from compute.scaling import R_VALUES, r_index

    assert [r_index(r) for r in R_VALUES] == list(range(len(R_VALUES)))
    assert r_index(0.8 + 0.45) == R_VALUES.index(1.25)  # float noise
    with pytest.raises(ValueError, match="r must be one of 0.75, 1, 1.25"):
        r_index(1.3)


# ------------------------------------------------------------------ no tracebacks for visitors
def test_visitors_see_no_error_details(monkeypatch):
    import common.hosting as hosting
    from streamlit import config

    assert 'showErrorDetails = "none"' in (ROOT / ".streamlit" / "config.toml").read_text()
    saved = config.get_option("client.showErrorDetails")
    try:
        monkeypatch.delenv(hosting.ERROR_DETAILS_ENV, raising=False)
        assert hosting.hide_error_details() == "none" == config.get_option("client.showErrorDetails")
        monkeypatch.setenv(hosting.ERROR_DETAILS_ENV, "bogus")
        assert hosting.hide_error_details() == "none"
        monkeypatch.setenv(hosting.ERROR_DETAILS_ENV, "full")
        assert hosting.hide_error_details() == "full"
    finally:
        config.set_option("client.showErrorDetails", saved)


def test_an_exception_shows_no_traceback_under_none(tmp_path):
    """With the visitors' setting a crash shows Streamlit's generic text: no message, no trace."""
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "boom.py"
    script.write_text("raise ValueError('secret /srv/app/path')\n")
    saved = config.get_option("client.showErrorDetails")
    try:
        config.set_option("client.showErrorDetails", "none")
        at = AppTest.from_file(str(script)).run()
    finally:
        config.set_option("client.showErrorDetails", saved)
    (exc,) = at.exception
    assert "secret" not in exc.message and not exc.stack_trace and "ValueError" not in str(exc.proto)


# ------------------------------------------------------------------ clear_cache guard
def test_clear_cache_request_keeps_the_shared_caches():
    """The handler Streamlit runs for BackMsg(clear_cache=True) (the websocket test sends the real
    message to a real server) no longer clears st.cache_data / st.cache_resource."""
    import common  # noqa: F401  (installs the guard)
    import streamlit as st
    from streamlit.runtime.app_session import AppSession

    calls = []

    @st.cache_data
    def probe(x):
        calls.append(x)
        return x

    probe(1)
    AppSession._handle_clear_cache_request(object())
    probe(1)
    assert calls == [1]


# ------------------------------------------------------------------ CSV formula injection
def test_csv_neutralises_formulas_and_keeps_numbers():
    from common import export

    data = {
        "page": "welcome",
        "url": "http://HOST/x,=1+1,@SUM(2+2)",
        "settings": {"width": 64, "lr": -0.5, "act": "=cmd|' /C calc'!A0", "note": "+1", "t": "\tx"},
        "title": "@title",
        "traces": [{"name": "-net", "type": "scatter", "x": [-1.0, 0.5], "y": [-2, 3]}],
        "frames": [{"name": "=f", "traces": [{"name": "ok", "type": "scatter", "x": [1], "y": [-1e-3]}]}],
    }
    text = export.to_csv(data)
    rows = list(csv.reader(io.StringIO(text)))
    header = {r[0]: r[1] for r in rows if r and r[0].startswith("#")}
    assert header["# url"] == "http://HOST/x,=1+1,@SUM(2+2)"  # one cell, starts with "h"
    assert header["# act"] == "'=cmd|' /C calc'!A0" and header["# note"] == "'+1" and header["# t"] == "'\tx"
    assert header["# figure"] == "'@title" and header["# lr"] == "-0.5" and header["# width"] == "64"
    assert all(len(r) == 2 for r in rows if r and r[0].startswith("#"))
    assert all(line.startswith("#") for line in text.splitlines()[:len(header)])  # readers skip them
    table = list(csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")))
    assert [r["name"] for r in table] == ["'-net", "'-net", "ok"] and table[2]["frame"] == "'=f"
    assert [float(r["x"]) for r in table] == [-1.0, 0.5, 1.0] and float(table[2]["y"]) == -1e-3
    # every cell a spreadsheet would evaluate is neutralised
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")
                or (c[:1] == "-" and not re.fullmatch(r"-[0-9.e+-]+", c))]


# ------------------------------------------------------------------ truncated compilation cache
def _entry(tmp: Path, name: str, payload: bytes, age_s: float = 3600) -> Path:
    path = tmp / f"{name}-cache"
    path.write_bytes(payload)
    (tmp / f"{name}-atime").write_bytes(b"0")
    t = time.time() - age_s
    os.utime(path, (t, t))
    return path


def test_repair_removes_unreadable_entries_only(tmp_path):
    from common.hosting import MANIFEST, repair_compilation_cache

    good = zlib.compress(b"\0\0\0\1" + os.urandom(5000))
    ok = _entry(tmp_path, "jit_ok", good)
    cut = _entry(tmp_path, "jit_cut", good[: len(good) // 2])
    empty = _entry(tmp_path, "jit_empty", b"")
    junk = _entry(tmp_path, "jit_junk", b"not a compressed stream")
    fresh = _entry(tmp_path, "jit_fresh", good[:10], age_s=0)  # maybe being written by another process
    removed = repair_compilation_cache(tmp_path)
    assert sorted(removed) == sorted([cut, empty, junk])
    assert ok.exists() and fresh.exists() and not (tmp_path / "jit_cut-atime").exists()
    assert (tmp_path / "jit_ok-atime").exists()
    assert "jit_ok-cache" in (tmp_path / MANIFEST).read_text()
    # the manifest spares a second decompression; a changed entry is checked again
    assert repair_compilation_cache(tmp_path) == []
    ok.write_bytes(good[:20])
    t = time.time() - 3600
    os.utime(ok, (t, t))
    assert repair_compilation_cache(tmp_path) == [ok]


JAX_RUN = """
import sys, warnings
sys.path.insert(0, {app!r})
if {repair!r}:
    import common  # JAX_COMPILATION_CACHE_DIR (from the environment): repaired at import
import jax, jax.numpy as jnp
with warnings.catch_warnings(record=True) as seen:  # JAX reports unreadable entries with warnings.warn
    warnings.simplefilter("always")
    print(float(jax.jit(lambda x: jnp.sin(x) * 3.0 + 1.25)(jnp.float32(0.5))))
bad = [str(w.message) for w in seen if "persistent compilation cache" in str(w.message)]
print("TRUNCATED" if bad else "CLEAN")
"""


def test_a_truncated_jax_cache_entry_is_repaired(tmp_path):
    """Real JAX: compile into an empty persistent cache, truncate the entry, start again (the entry is
    removed and written anew), and a third start reads it back without a warning."""
    cache = tmp_path / "jax"
    env = {**os.environ, "JAX_COMPILATION_CACHE_DIR": str(cache), "JAX_PLATFORMS": "cpu",
           "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0"}

    def run(repair: bool = True) -> list[str]:
        code = JAX_RUN.format(app=str(ROOT / "app"), repair=repair)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout.split()

    assert run()[1] == "CLEAN"
    entries = sorted(cache.glob("*-cache"))
    assert entries
    for e in entries:
        e.write_bytes(e.read_bytes()[:40])  # as after a full disk
        t = time.time() - 3600
        os.utime(e, (t, t))
    assert run(repair=False)[1] == "TRUNCATED"  # the symptom: JAX warns, recompiles, keeps the entry
    value, status = run()
    assert status == "CLEAN" and float(value) == pytest.approx(3 * __import__("math").sin(0.5) + 1.25, rel=1e-6)
    from common.hosting import _decompresses

    assert all(_decompresses(e.read_bytes()) for e in cache.glob("*-cache"))  # rewritten whole
    assert run()[1] == "CLEAN"
