"""Responsiveness of the app in a real browser (headless Debian Chromium via Playwright).

    python benchmarks/bench_app_browser.py           # fresh server, empty JAX compile cache
    python benchmarks/bench_app_browser.py --warm-cache   # keep ~/.cache/ntk-lab/jax

For each lesson it prints, in one Markdown table:
  * first load  — a visitor opening the page on a freshly started server: every
    JIT compile of the page's default settings is paid here (target < 10 s);
  * revisit     — a second visitor, same settings (compiled code and Streamlit
    caches are warm);
  * control change — one step of the page's first sidebar slider (new settings,
    so new numbers are computed; compiled code reused where shapes allow;
    target < 1 s warm), then one step back (cached values).
Times are wall-clock from the browser's side until the script run has finished
and every chart is drawn.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer  # noqa: E402

PAGES = ["", "kernel-at-init", "training", "drift", "spectrum", "nngp"]  # "" = the Welcome page
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def wait_done(page, timeout_ms=120_000):
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stSkeleton]').length === 0",
                           timeout=timeout_ms)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]'))"
        ".every(c => c.querySelector('.js-plotly-plot .main-svg'))", timeout=timeout_ms)


def load(browser, url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("[data-testid=stPlotlyChart]", timeout=120_000)
    wait_done(page)
    return ctx, page, time.perf_counter() - t0


def slider_step(page, key):
    before = page.evaluate("() => location.search")
    t0 = time.perf_counter()
    page.keyboard.press(key)
    page.wait_for_function(f"() => location.search !== {before!r}", timeout=30_000)
    page.wait_for_timeout(50)  # let the rerun start before waiting for it to finish
    wait_done(page)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warm-cache", action="store_true", help="keep the on-disk JAX compilation cache")
    args = ap.parse_args()
    if not args.warm_cache:
        os.environ["JAX_COMPILATION_CACHE_DIR"] = tempfile.mkdtemp(prefix="ntklab-jax-cache-")
    from playwright.sync_api import sync_playwright

    server = StreamlitServer(ROOT / "app" / "streamlit_app.py")
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for name in PAGES:
                url = f"{server.url}/{name}"
                ctx, page, first = load(browser, url)
                errors = page.locator("[data-testid=stException]").count()
                ctx.close()
                ctx, page, again = load(browser, url)
                slider = page.locator("[data-testid=stSidebar] input[type=range]").first
                slider.focus()
                label = page.locator("[data-testid=stSidebar] [data-testid=stSlider]").first.inner_text().split("\n")[0]
                at_max = slider.evaluate("el => Number(el.value) >= Number(el.max)")
                forward, backward = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
                change = slider_step(page, forward)
                back = slider_step(page, backward)
                errors += page.locator("[data-testid=stException]").count()
                ctx.close()
                rows.append((name, first, again, label, change, back, errors))
                print(f"  /{name}: {first:.1f}s / {again:.1f}s / {change:.2f}s / {back:.2f}s", file=sys.stderr)
            browser.close()
    finally:
        server.stop()
    cache = "warm on-disk compile cache" if args.warm_cache else "empty compile cache"
    print(f"\nFresh `streamlit run`, {cache}, {os.cpu_count()} CPUs\n")
    print("| page | first load (s) | revisit (s) | control stepped | change (s) | step back, cached (s) | exceptions |")
    print("|---|---|---|---|---|---|---|")
    for name, first, again, label, change, back, errors in rows:
        print(f"| /{name} | {first:.1f} | {again:.1f} | {label} | {change:.2f} | {back:.2f} | {errors} |")


if __name__ == "__main__":
    main()
