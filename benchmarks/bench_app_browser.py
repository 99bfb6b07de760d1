"""Responsiveness of the app in a real browser (headless Debian Chromium via Playwright).

    python benchmarks/bench_app_browser.py           # fresh server, empty JAX compile cache
    python benchmarks/bench_app_browser.py --warm-cache   # keep ~/.cache/ntk-lab/jax
    python benchmarks/bench_app_browser.py --warmup wait  # app/serve.py: start-up warm-up, wait for it
    python benchmarks/bench_app_browser.py --warmup on    # ... and visit at once, while it runs

--warmup off (default) serves app/streamlit_app.py with NTK_LAB_WARMUP=0 (no
warm-up); on/wait serve app/serve.py, whose start-up hook computes every page's
defaults in a background thread (app/common/warmup.py). Pages are read from the
navigation (common.pages.lesson_pages), so new pages are measured too.

For each lesson it prints, in one Markdown table:
  * first load  — a visitor opening the page on a freshly started server: every
    JIT compile of the page's default settings is paid here (target < 10 s);
  * revisit     — a second visitor, same settings (compiled code and Streamlit
    caches are warm);
  * control change — one step of the page's first sidebar slider (new settings,
    so new numbers are computed; compiled code reused where shapes allow;
    target < 1 s warm), then one step back (cached values).
Times are wall-clock from the browser's side until the script run has finished
and every chart is drawn. "server compute" sums the times the page's progress
boxes report, "(1.2 s)": ~0 when the values came from Streamlit's cache.
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "app"))

from common.pages import lesson_pages
from conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer

PAGES = [p.url for p in lesson_pages()]  # "" = the default (Welcome) page
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def wait_done(page, timeout_ms=120_000):
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stSkeleton]').length === 0",
                           timeout=timeout_ms)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]'))"
        ".every(c => c.querySelector('.js-plotly-plot .main-svg'))", timeout=timeout_ms)


def load(browser, url, timeout_ms=300_000):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("[data-testid=stMain] h1", timeout=timeout_ms)  # the page's title: its run began
    wait_done(page, timeout_ms)
    return ctx, page, time.perf_counter() - t0


def compute_seconds(page) -> float:
    """Sum of the "(x.y s)" elapsed times shown by the page's progress boxes (common.state.progress)."""
    text = page.locator("[data-testid=stMain]").inner_text()
    return sum(float(x) for x in re.findall(r"\((\d+(?:\.\d+)?) s\)", text))


def wait_warmup(server, timeout_s=900.0) -> float:
    """Block until the server's warm-up thread logs that it is done; returns its total seconds."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        m = re.search(r"warm-up\] done: \d+ pages in ([\d.]+) s", server.output())
        if m:
            return float(m.group(1))
        time.sleep(1.0)
    raise TimeoutError("warm-up did not finish")


def slider_step(page, key):
    before = page.evaluate("() => location.search")
    t0 = time.perf_counter()
    page.keyboard.press(key)
    page.wait_for_function(f"() => location.search !== {before!r}", timeout=30_000)
    page.wait_for_timeout(50)  # let the rerun start before waiting for it to finish
    wait_done(page)
    return time.perf_counter() - t0


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill` still stops the server (finally)
    ap = argparse.ArgumentParser()
    ap.add_argument("--warm-cache", action="store_true", help="keep the on-disk JAX compilation cache")
    ap.add_argument("--warmup", choices=("off", "on", "wait"), default="off",
                    help="off: no start-up warm-up; on: warm-up running while visiting; wait: visit after it")
    ap.add_argument("--pages", nargs="*", help="only these URL paths (default: every page)")
    ap.add_argument("--first-only", action="store_true", help="measure first loads only (no revisit/change)")
    args = ap.parse_args()
    pages = PAGES if args.pages is None else [p.strip("/") for p in args.pages]
    if not args.warm_cache:
        os.environ["JAX_COMPILATION_CACHE_DIR"] = tempfile.mkdtemp(prefix="ntklab-jax-cache-")
    from playwright.sync_api import sync_playwright

    if args.warmup == "off":
        server = StreamlitServer(ROOT / "app" / "streamlit_app.py", env={"NTK_LAB_WARMUP": "0"})
    else:
        server = StreamlitServer(ROOT / "app" / "serve.py", env={"NTK_LAB_WARMUP": "1"})
    t_healthy = time.perf_counter()
    warm_total = wait_warmup(server) if args.warmup == "wait" else None
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for name in pages:
                url = f"{server.url}/{name}"
                ctx, page, first = load(browser, url)
                computed = compute_seconds(page)
                errors = page.locator("[data-testid=stException]").count()
                ctx.close()
                if args.first_only:
                    ctx.close()
                    rows.append((name, first, computed, float("nan"), "—", float("nan"), float("nan"), errors))
                    print(f"  /{name}: {first:.1f}s ({computed:.1f}s computed)", file=sys.stderr)
                    continue
                ctx, page, again = load(browser, url)
                if page.locator("[data-testid=stSidebar] input[type=range]").count() == 0:  # no slider
                    ctx.close()
                    rows.append((name, first, computed, again, "—", float("nan"), float("nan"), errors))
                    continue
                slider = page.locator("[data-testid=stSidebar] input[type=range]").first
                slider.focus()
                label = page.locator("[data-testid=stSidebar] [data-testid=stSlider]").first.inner_text().split("\n")[0]
                at_max = slider.evaluate("el => Number(el.value) >= Number(el.max)")
                forward, backward = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
                change = slider_step(page, forward)
                back = slider_step(page, backward)
                errors += page.locator("[data-testid=stException]").count()
                ctx.close()
                rows.append((name, first, computed, again, label, change, back, errors))
                print(f"  /{name}: {first:.1f}s ({computed:.1f}s computed) / {again:.1f}s / {change:.2f}s"
                      f" / {back:.2f}s", file=sys.stderr)
            browser.close()
        if args.warmup == "on":  # how far the warm-up got while the pages were visited
            warm_total = len(re.findall(r"warm-up\] /\S* [\d.]+ s", server.output()))
        elapsed = time.perf_counter() - t_healthy
    finally:
        server.stop()
    cache = "warm on-disk compile cache" if args.warm_cache else "empty compile cache"
    if args.warmup == "off":
        warm = "no warm-up"
    elif args.warmup == "on":
        warm = f"start-up warm-up running during the visits (it had warmed {warm_total} pages by the end)"
    else:
        warm = f"visits after the start-up warm-up ({warm_total:.0f} s) finished"
    print(f"\nFresh `streamlit run`, {cache}, {warm}, {os.cpu_count()} CPUs, {elapsed:.0f} s in all\n")
    print("| page | first load (s) | server compute at first load (s) | revisit (s) | control stepped | change (s) "
          "| step back, cached (s) | exceptions |")
    print("|---|---|---|---|---|---|---|---|")
    for name, first, computed, again, label, change, back, errors in rows:
        print(f"| /{name} | {first:.1f} | {computed:.1f} | {again:.1f} | {label} | {change:.2f} | {back:.2f} "
              f"| {errors} |")


if __name__ == "__main__":
    main()
