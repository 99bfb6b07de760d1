"""Start-up warm-up (app/serve.py + app/common/warmup.py): values computed by the background thread
are reused by a visitor's session.

A server is started with the warm-up limited to /nngp (NTK_LAB_WARMUP_PAGES), with
no visitor; once its log says the warm-up is done, a browser opens /nngp. The page's
progress box reports how long its computation took: near zero means the values
came from the cache the warm-up thread filled (computing them takes seconds).
Then the visitor moves a slider one step, as a class does first: the warm-up ran
that neighbouring setting too, so it is also served from the cache.
"""

from __future__ import annotations

import re
import time

import pytest
from conftest import ROOT, StreamlitServer
from stbrowser import CHART, open_page, step_slider

PAGE = "nngp"


@pytest.fixture(scope="module")
def warmed_server():
    server = StreamlitServer(ROOT / "app" / "serve.py",
                             env={"NTK_LAB_WARMUP": "1", "NTK_LAB_WARMUP_PAGES": PAGE})
    try:
        deadline = time.monotonic() + 300
        while "warm-up] done:" not in server.output():
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.5)
        yield server
    finally:
        server.stop()


@pytest.mark.browser
def test_first_visitor_gets_warmed_values(page, warmed_server):
    log = warmed_server.output()
    warm_s = float(re.search(rf"warm-up\] /{PAGE} ([\d.]+) s", log).group(1))
    assert "Traceback" not in log, log
    open_page(page, f"{warmed_server.url}/{PAGE}")
    assert page.locator("[data-testid=stException]").count() == 0
    page.locator(CHART).first.wait_for(state="visible")
    text = page.locator("[data-testid=stMain]").inner_text()
    shown = [float(x) for x in re.findall(r"\((\d+(?:\.\d+)?) s\)", text)]
    assert shown, text[:500]
    # The warm-up computed the page in seconds; the visitor's run found it in the cache.
    assert warm_s > 1.0 and max(shown) < 0.5, (warm_s, shown)

    # one step of the ensemble-size slider (10 → 11): a neighbour of the defaults, warmed too
    assert re.search(rf"warm-up\] /{PAGE} one step from the defaults \(\d+ settings\)", log), log
    step_slider(page, "nets", "nets=11")
    page.locator(CHART).first.wait_for(state="visible")
    text = page.locator("[data-testid=stMain]").inner_text()
    shown = [float(x) for x in re.findall(r"\((\d+(?:\.\d+)?) s\)", text)]
    assert shown and max(shown) < 0.5 and page.locator("[data-testid=stException]").count() == 0, shown
