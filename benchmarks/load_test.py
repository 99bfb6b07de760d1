"""Load test on loopback: N concurrent headless-Chromium sessions moving controls across the pages.

    python benchmarks/load_test.py --sessions 10 --seconds 60
    python benchmarks/load_test.py --sessions 3 --seconds 20      # a short trial
    python benchmarks/load_test.py --url http://127.0.0.1:8501    # against a server already running

Starts a fresh ``streamlit run app/streamlit_app.py`` (unless ``--url``) and,
by default, waits until its start-up warm-up has finished (``--no-warmup``
serves without it). One Chromium (Debian's /usr/bin/chromium, as the browser
tests) with one context per session; every session starts on a different page
of the navigation (``common.pages.lesson_pages``), then loops: step one
sidebar slider (arrow key) ``--changes`` times, each time timing the re-render
(from the key press until the script run has finished and every chart is
drawn), then open the next page. A thread polls ``/_stcore/health`` every
second throughout. Prints one Markdown table: re-render latency p50/p95/max,
page loads, errors (timeouts, JavaScript errors), Streamlit exceptions shown,
health checks answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "app"))

from common.pages import lesson_pages
from conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
SLIDERS = "[data-testid=stSidebar] input[type=range]"
TIMEOUT_MS = 60_000
DONE_JS = """() => document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]')
  && document.querySelectorAll('[data-testid=stSkeleton]').length === 0
  && Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]'))
       .every(c => c.querySelector('.js-plotly-plot .main-svg'))"""


class Stats:
    def __init__(self) -> None:
        self.renders: list[float] = []
        self.loads: list[float] = []
        self.errors: list[str] = []
        self.exceptions = 0
        self.js_errors = 0


from playwright.async_api import TimeoutError as PWTimeout


async def wait_done(page) -> None:
    await page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)
    await page.wait_for_timeout(100)  # a rerun may start right after; settle and check again
    await page.wait_for_function(DONE_JS, timeout=TIMEOUT_MS)


async def session(i: int, browser, base: str, urls: list[str], stop_at: float, changes: int,
                  stats: Stats) -> None:
    rng = random.Random(i)
    ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await ctx.new_page()
    page.on("pageerror", lambda e: setattr(stats, "js_errors", stats.js_errors + 1))
    k = i % len(urls)
    try:
        while time.monotonic() < stop_at:
            url = f"{base}/{urls[k % len(urls)]}"
            k += 1
            try:
                t0 = time.perf_counter()
                await page.goto(url)
                await page.wait_for_selector("[data-testid=stMain] h1", timeout=TIMEOUT_MS)
                await wait_done(page)
                stats.loads.append(time.perf_counter() - t0)
                n = await page.locator(SLIDERS).count()
                for _ in range(changes if n else 0):
                    if time.monotonic() >= stop_at:
                        break
                    slider = page.locator(SLIDERS).nth(rng.randrange(n))
                    await slider.focus()
                    at_max = await slider.evaluate("el => Number(el.value) >= Number(el.max)")
                    at_min = await slider.evaluate("el => Number(el.value) <= Number(el.min)")
                    key = "ArrowLeft" if at_max or (not at_min and rng.random() < 0.5) else "ArrowRight"
                    before = await page.evaluate("() => location.search")
                    t0 = time.perf_counter()
                    await page.keyboard.press(key)
                    try:
                        await page.wait_for_function(f"() => location.search !== {before!r}", timeout=5_000)
                    except PWTimeout:  # the step did not change the value (e.g. a clamped slider)
                        continue
                    await page.wait_for_timeout(50)
                    await wait_done(page)
                    stats.renders.append(time.perf_counter() - t0)
                stats.exceptions += await page.locator("[data-testid=stException]").count()
            except Exception as e:  # noqa: BLE001  (a timeout or a crashed page is an error of the run)
                stats.errors.append(f"session {i} {url}: {type(e).__name__}: {str(e).splitlines()[0][:120]}")
    finally:
        await ctx.close()


def poll_health(base: str, stop: threading.Event, out: dict) -> None:
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as r:
                ok = r.read().decode().strip() == "ok"
        except OSError:
            ok = False
        dt = time.perf_counter() - t0
        out["total"] += 1
        out["ok"] += ok
        out["max_s"] = max(out["max_s"], dt)
        stop.wait(max(0.0, 1.0 - dt))


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


async def run(base: str, sessions: int, seconds: float, changes: int, stats: Stats) -> None:
    from playwright.async_api import async_playwright

    urls = [p.url for p in lesson_pages()]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(session(i, browser, base, urls, stop_at, changes, stats)
                               for i in range(sessions)))
        await browser.close()


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill` still stops the server (finally)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--changes", type=int, default=3, help="control changes per page visit")
    ap.add_argument("--url", help="test a server that is already running instead of starting one")
    ap.add_argument("--no-warmup", action="store_true", help="serve without the start-up warm-up")
    args = ap.parse_args()

    server = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        if args.no_warmup:
            server = StreamlitServer(ROOT / "app" / "streamlit_app.py", env={"NTK_LAB_WARMUP": "0"})
        else:
            server = StreamlitServer(ROOT / "app" / "serve.py", env={"NTK_LAB_WARMUP": "1"})
            from bench_app_browser import wait_warmup

            print(f"warm-up: {wait_warmup(server):.0f} s", file=sys.stderr)
        base = server.url
    stats, health = Stats(), {"total": 0, "ok": 0, "max_s": 0.0}
    stop = threading.Event()
    poller = threading.Thread(target=poll_health, args=(base, stop, health), daemon=True)
    poller.start()
    t0 = time.perf_counter()
    try:
        asyncio.run(run(base, args.sessions, args.seconds, args.changes, stats))
    finally:
        stop.set()
        poller.join()
        if server is not None:
            server.stop()
    wall = time.perf_counter() - t0

    r = stats.renders
    print(f"\n{args.sessions} sessions × {args.seconds:.0f} s, {os.cpu_count()} CPUs, "
          f"{len(lesson_pages())} pages, {wall:.0f} s wall\n")
    print("| sessions | re-renders | p50 (s) | p95 (s) | max (s) | page loads | page load p50 (s) "
          "| errors | exceptions shown | JS errors | health ok | health max (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {args.sessions} | {len(r)} | {pct(r, .5):.2f} | {pct(r, .95):.2f} | {max(r, default=float('nan')):.2f} "
          f"| {len(stats.loads)} | {statistics.median(stats.loads) if stats.loads else float('nan'):.2f} "
          f"| {len(stats.errors)} | {stats.exceptions} | {stats.js_errors} | {health['ok']}/{health['total']} "
          f"| {health['max_s']:.2f} |")
    for e in stats.errors[:20]:
        print(f"- {e}")
    target = "met" if r and pct(r, .95) < 5 and not stats.errors and not stats.exceptions else "NOT met"
    print(f"\nTarget (p95 < 5 s, no errors, no exception shown, health answering): {target}")


if __name__ == "__main__":
    main()
