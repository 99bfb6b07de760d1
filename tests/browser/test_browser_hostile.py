"""A hostile visitor in a real browser and over the raw websocket (issue 20).

- Links whose parameter values are Markdown/HTML/LaTeX payloads render them as literal text:
  no image, link, KaTeX or coloured text from the URL, and no request to a foreign host.
- A slider value between the steps (in the link, or sent over the websocket as the frontend
  would) is snapped to the grid; /scaling?r=1.3 no longer crashes.
- ``BackMsg(clear_cache=True)`` from an anonymous client leaves the shared caches alone (and,
  to show the message itself works, clears them when the safeguard is switched off).
- The production entrypoint (app/serve.py) answers 404 on /_stcore/metrics.
"""

from __future__ import annotations

import asyncio
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import ROOT, StreamlitServer
from stbrowser import SCREENSHOTS, open_page, screenshot
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(ROOT / "app"))

pytestmark = pytest.mark.browser

FOREIGN = "evil.test"  # every payload points here; outbound connections are refused anyway
# Each becomes the value of one control of the state demo app (five controls per link).
PAYLOADS = [
    f"![x](http://img.{FOREIGN}/px.png)",
    f"[Log in](http://phish.{FOREIGN}/login)",
    f"<http://auto.{FOREIGN}/>",
    f"http://bare.{FOREIGN}/x www.{FOREIGN}",
    f"<img src=http://html.{FOREIGN}/i.png>",
    ":red-background[**SESSION EXPIRED**]",
    f"$\\href{{http://tex.{FOREIGN}}}{{click}}$",
    ":smile: :material/warning: :tada:",
    "[x](javascript:alert(1))",
    f"a`b``c [y](http://tick.{FOREIGN})",
    f"1\n\n[z](http://nl.{FOREIGN})",
    f"<script>fetch('http://js.{FOREIGN}')</script>",
]
DEMO_KEYS = ("width", "depth", "activation", "lr", "ntk")  # tests/app/state_demo_app.py


def _shown(value: str) -> str:
    """How the note quotes a value (common.state.validate_query_params): repr of ≤ 40 characters."""
    return repr(value if len(value) <= 40 else value[:37] + "…")


def _watch_requests(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    return urls


def _assert_inert(page, requests: list[str]) -> None:
    """Nothing from the payloads became markup or reached the network."""
    # (not "any other host": Streamlit itself loads some Material icons from fonts.gstatic.com)
    foreign = [u for u in requests if (urllib.parse.urlsplit(u).hostname or "").endswith(FOREIGN)
               or urllib.parse.urlsplit(u).scheme not in ("http", "https", "data", "blob", "ws")]
    assert not foreign, foreign
    bad = page.evaluate(
        """f => [...document.querySelectorAll('img, a, iframe, script, object, embed, image')]
                 .map(e => e.outerHTML.slice(0, 200))
                 .filter(h => h.includes(f) || h.includes('javascript:'))""",
        FOREIGN)
    assert not bad, bad
    note = page.locator("[data-testid=stSidebar] [data-testid=stAlert]").first
    # The note is plain paragraphs with the values in <code>: no element the payloads could create
    tags = note.locator("[data-testid=stMarkdownContainer] *").evaluate_all("els => els.map(e => e.tagName)")
    assert set(tags) <= {"P", "CODE"}, tags


@pytest.mark.parametrize("chunk", range(0, len(PAYLOADS), len(DEMO_KEYS)))
def test_hostile_values_render_as_text(page, state_demo_url, chunk):
    values = dict(zip(DEMO_KEYS, PAYLOADS[chunk:chunk + len(DEMO_KEYS)]))
    requests = _watch_requests(page)
    open_page(page, f"{state_demo_url}/?{urllib.parse.urlencode(values)}")
    _assert_inert(page, requests)
    # as typed (common.state.md_literal puts a zero-width space into ":material/")
    note = page.locator("[data-testid=stSidebar] [data-testid=stAlert]").first.inner_text().replace("\u200b", "")
    for key, value in values.items():
        assert f"URL parameter {key}={_shown(value)} is not valid" in note, (key, note)
    codes = page.locator("[data-testid=stSidebar] [data-testid=stAlert] code").all_inner_texts()
    assert [c.replace("\u200b", "") for c in codes] == [_shown(v) for v in values.values()]  # verbatim, in order


def test_hostile_link_on_a_lesson_page_phone_and_laptop(page, base_url):
    """The issue's link on the real app (/kernel-at-init), looked at on a laptop and a phone."""
    values = {"width": PAYLOADS[0], "depth": PAYLOADS[1], "activation": PAYLOADS[5], "w_std": PAYLOADS[6],
              "seed": PAYLOADS[7]}
    requests = _watch_requests(page)
    for name, size in (("laptop", (1280, 720)), ("phone", (390, 844))):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        open_page(page, f"{base_url}/kernel-at-init?{urllib.parse.urlencode(values)}", height=None)
        if name == "phone":  # the sidebar (with the note) starts collapsed on a phone
            page.locator("[data-testid=stExpandSidebarButton]").click()
            page.locator("[data-testid=stSidebar] [data-testid=stAlert]").first.wait_for(state="visible")
        assert page.locator("[data-testid=stException]").count() == 0
        _assert_inert(page, requests)
        note = page.locator("[data-testid=stSidebar] [data-testid=stAlert]").first.inner_text().replace("\u200b", "")
        for k, v in values.items():
            assert f"URL parameter {k}={_shown(v)} is not valid" in note
        screenshot(page, f"hostile_link_{name}", full_page=False)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("[data-testid=stSidebar] [data-testid=stAlert]").first.screenshot(
            path=str(SCREENSHOTS / f"hostile_link_note_{name}.png"))


def test_off_grid_link_snaps_scaling(page, base_url):
    """/scaling?r=1.3 (between the slider's 0.25 steps) crashed with tuple.index; now: 1.25 and a note."""
    errors = open_page(page, f"{base_url}/scaling?r=1.3")
    assert page.locator("[data-testid=stException]").count() == 0
    note = page.locator("[data-testid=stSidebar] [data-testid=stAlert]").first.inner_text()
    assert "URL parameter r='1.3' is between the allowed values; using the nearest, 1.25" in note
    assert float(page.locator(".st-key-r [data-testid=stSliderThumbValue]").inner_text().strip()) == 1.25
    assert page.evaluate("() => location.search") == "?r=1.25"  # a copied address reopens this view
    assert page.locator("[data-testid=stPlotlyChart]").count() > 0
    assert not errors, errors
    screenshot(page, "hostile_scaling_r_1.3", full_page=False)


# ------------------------------------------------------------------ the raw websocket protocol
async def _session(url: str, back_msgs: list[BackMsg], timeout: float = 120) -> list[list[ForwardMsg]]:
    """Open one websocket session, send each BackMsg in turn; for a rerun_script message collect
    the ForwardMsgs up to its script_finished. Returns one list of messages per BackMsg."""
    import websockets

    out: list[list[ForwardMsg]] = []
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit"], origin=url, max_size=None) as ws:
        for m in back_msgs:
            await ws.send(m.SerializeToString())
            got: list[ForwardMsg] = []
            while m.WhichOneof("type") == "rerun_script":
                f = ForwardMsg()
                f.ParseFromString(await asyncio.wait_for(ws.recv(), timeout))
                got.append(f)
                if f.WhichOneof("type") == "script_finished":
                    break
            if m.WhichOneof("type") != "rerun_script":
                await asyncio.sleep(1.0)  # the server handles it before the next message anyway
            out.append(got)
    return out


def _run(coro):
    """asyncio.run in a thread of its own (Playwright's sync API keeps an event loop on this one)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _rerun(query: str = "", widgets=()) -> BackMsg:
    m = BackMsg()
    m.rerun_script.query_string = query
    for w in widgets:
        m.rerun_script.widget_states.widgets.append(w)
    return m


def _clear() -> BackMsg:
    m = BackMsg()
    m.clear_cache = True
    return m


def _elements(msgs: list[ForwardMsg]):
    for f in msgs:
        if f.WhichOneof("type") == "delta" and f.delta.WhichOneof("type") == "new_element":
            yield f.delta.new_element


def _markdown(msgs: list[ForwardMsg], prefix: str) -> str:
    (text,) = [e.markdown.body for e in _elements(msgs)
               if e.WhichOneof("type") == "markdown" and e.markdown.body.startswith(prefix)]
    return text


def test_off_grid_slider_value_over_the_websocket(state_demo_url):
    """The frontend sends a slider's value as a double; one between the steps is snapped."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    (first,) = _run(_session(state_demo_url, [_rerun()]))
    (slider_id,) = [e.slider.id for e in _elements(first) if e.WhichOneof("type") == "slider"
                    and e.slider.label == "Width"]
    w = WidgetState(id=slider_id)
    w.double_array_value.data.extend([300.0])  # the width slider steps by 16 from 16: 304 is nearest
    _, second = _run(_session(state_demo_url, [_rerun(), _rerun(widgets=[w])]))
    assert "width=304" in _markdown(second, "VALUES ")
    assert not [e for e in _elements(second) if e.WhichOneof("type") == "exception"]


def _stamps(url: str, clear: bool) -> tuple[str, str]:
    msgs = [_rerun()] + ([_clear()] if clear else []) + [_rerun()]
    runs = _run(_session(url, msgs))
    return _markdown(runs[0], "STAMPS "), _markdown(runs[-1], "STAMPS ")


@pytest.mark.parametrize("allowed", [False, True], ids=["guarded", "streamlit-default"])
def test_anonymous_clear_cache(allowed):
    """tests/browser/cache_probe_app.py shows a cache_data and a cache_resource stamp. A second
    connection sends clear_cache: guarded (the app's default) they survive; with
    NTK_LAB_ALLOW_CLIENT_CACHE_CLEAR=1 (Streamlit's own behaviour) the same message clears both."""
    env = {"NTK_LAB_ALLOW_CLIENT_CACHE_CLEAR": "1"} if allowed else {}
    server = StreamlitServer(ROOT / "tests" / "browser" / "cache_probe_app.py", env=env)
    try:
        before, _ = _stamps(server.url, clear=False)
        _run(_session(server.url, [_clear()]))  # another, anonymous client
        _, after = _stamps(server.url, clear=False)
        if allowed:
            b, a = before.split()[1:], after.split()[1:]
            assert b[0] != a[0] and b[1] != a[1], (before, after)
        else:
            assert after == before
            assert "Ignored a client's clear_cache request" in server.output()
    finally:
        server.stop()


def test_production_entrypoint_guards(tmp_path):
    """app/serve.py: clear_cache from a client is ignored, /_stcore/metrics is 404, health is ok."""
    server = StreamlitServer(ROOT / "app" / "serve.py", env={"NTK_LAB_WARMUP": "0"})
    try:
        with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=10) as r:
            assert r.read() == b"ok"
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"{server.url}/_stcore/metrics", timeout=10)
        assert e.value.code == 404
        _run(_session(server.url, [_clear()]))
        out = server.output()
        assert "Ignored a client's clear_cache request" in out, out
        assert not re.search(r"Traceback", out), out
    finally:
        server.stop()
