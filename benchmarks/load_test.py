"""Load test on loopback: N concurrent headless-Chromium sessions moving controls across the pages.

    python benchmarks/load_test.py --sessions 10 --seconds 60
    python benchmarks/load_test.py --sessions 3 --seconds 20      # a short trial
    python benchmarks/load_test.py --url http://127.0.0.1:8501    # against a server already running

Starts a fresh ``streamlit run app/serve.py`` (unless ``--url``) and, by
default, waits until its start-up warm-up has finished (``--no-warmup`` serves
``app/streamlit_app.py`` without it). One Chromium (Debian's /usr/bin/chromium,
as the browser tests) with one context per session.

1. Arrival: all sessions open their first page at once, each a different page
   of the navigation (``common.pages.lesson_pages``) -- a class opening a link.
   Reported separately ("arrival"): it is mostly the browsers' own start-up
   (a fresh context parses Streamlit's and Plotly's JavaScript: ~7 s of CPU
   per tab measured here), which on loopback shares the server's two cores.
2. The timed minute: every session loops: step one sidebar slider (arrow key)
   ``--changes`` times, each time timing the re-render (from the key press until
   the script run has finished and every chart is drawn), then go to the next
   page the way a visitor does -- a click on its sidebar link (``--nav goto``
   reloads the whole app instead) -- and time that too ("page switches").
   After each finished re-render or page switch a session looks at the result
   for ``--think`` seconds (uniform in [0.5, 1.5] × think; 0 = a bot that
   acts again at once).

``--nice-browsers N`` runs Chromium at nice N: the browsers still share the
cores but no longer delay the server's work -- a stand-in, on one machine, for
visitors whose browsers run on their own computers (label such runs so).

A thread polls ``/_stcore/health`` every second throughout, and the CPU time of
the server process and of Chromium is read from /proc, so the table shows how
the two cores were shared. Prints one Markdown table: re-render latency
p50/p95/max, page switches, arrival, errors (timeouts, JavaScript errors),
Streamlit exceptions shown, health checks answered, CPU seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
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

from common import runlog
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
        self.slowest: list[tuple[float, str]] = []  # (seconds, "page: control")
        self.switches: list[float] = []
        self.arrivals: list[float] = []
        self.errors: list[str] = []
        self.exceptions = 0
        self.js_errors = 0


from playwright.async_api import TimeoutError as PWTimeout


# Poll every 50 ms rather than on every animation frame (Playwright's default): rAF
# polling keeps each headless tab drawing 60 frames/s while it waits, which on
# loopback takes CPU from the server being measured.
POLL_MS = 50


async def wait_done(page) -> None:
    await page.wait_for_function(DONE_JS, timeout=TIMEOUT_MS, polling=POLL_MS)
    await page.wait_for_timeout(100)  # a rerun may start right after; settle and check again
    await page.wait_for_function(DONE_JS, timeout=TIMEOUT_MS, polling=POLL_MS)


async def open_by_link(page, slug: str) -> None:
    """Go to another page as a visitor does: click its sidebar link (no reload of the app)."""
    link = page.locator(f"[data-testid=stSidebarNavLink][href$='/{slug}']").first
    if not await link.is_visible():
        more = page.locator("[data-testid=stSidebarNavViewButton]")
        if await more.count():
            await more.first.click()
    await link.click()
    want = f"/{slug}"
    await page.wait_for_function(f"() => location.pathname.endsWith({want!r})", timeout=TIMEOUT_MS,
                                 polling=POLL_MS)
    await page.wait_for_timeout(50)
    await wait_done(page)


async def think(rng: random.Random, seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds * rng.uniform(0.5, 1.5))


async def step_slider(page, rng: random.Random, n: int, stats: Stats, where: str) -> None:
    slider = page.locator(SLIDERS).nth(rng.randrange(n))
    await slider.focus()
    at_max = await slider.evaluate("el => Number(el.value) >= Number(el.max)")
    at_min = await slider.evaluate("el => Number(el.value) <= Number(el.min)")
    key = "ArrowLeft" if at_max or (not at_min and rng.random() < 0.5) else "ArrowRight"
    before = await page.evaluate("() => location.search")
    t0 = time.perf_counter()
    await page.keyboard.press(key)
    try:
        await page.wait_for_function(f"() => location.search !== {before!r}", timeout=5_000, polling=POLL_MS)
    except PWTimeout:  # the step did not change the value (e.g. a clamped slider)
        return
    await page.wait_for_timeout(50)
    await wait_done(page)
    dt = time.perf_counter() - t0
    stats.renders.append(dt)
    label = await slider.evaluate(
        "el => (el.closest('[data-testid=stSlider]')?.querySelector('label')?.innerText || '?')")
    stats.slowest.append((dt, f"/{where}: {label.strip()[:40]}"))


async def session(i: int, browser, base: str, urls: list[str], start: asyncio.Event, run_for: float,
                  changes: int, nav: str, think_s: float, stats: Stats, arrived: list,
                  arrived_needed: int) -> None:
    rng = random.Random(i)
    ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await ctx.new_page()
    page.on("pageerror", lambda e: setattr(stats, "js_errors", stats.js_errors + 1))
    k = i % len(urls)
    try:
        try:
            t0 = time.perf_counter()
            await page.goto(f"{base}/{urls[k]}")
            await page.wait_for_selector("[data-testid=stMain] h1", timeout=TIMEOUT_MS)
            await wait_done(page)
            stats.arrivals.append(time.perf_counter() - t0)
        except Exception as e:  # noqa: BLE001
            stats.errors.append(f"session {i} arrival /{urls[k]}: {type(e).__name__}: {str(e).splitlines()[0][:120]}")
        arrived.append(i)
        if len(arrived) == arrived_needed:  # the last one to arrive starts everyone's clock
            start.set()
        await start.wait()
        stop_at = time.monotonic() + run_for
        while time.monotonic() < stop_at:
            url = urls[k % len(urls)]
            try:
                n = await page.locator(SLIDERS).count()
                for _ in range(changes if n else 0):
                    if time.monotonic() >= stop_at:
                        break
                    await step_slider(page, rng, n, stats, url)
                    await think(rng, think_s)
                stats.exceptions += await page.locator("[data-testid=stException]").count()
                if time.monotonic() >= stop_at:
                    break
                k += 1
                url = urls[k % len(urls)]
                t0 = time.perf_counter()
                if nav == "goto":
                    await page.goto(f"{base}/{url}")
                    await page.wait_for_selector("[data-testid=stMain] h1", timeout=TIMEOUT_MS)
                    await wait_done(page)
                else:
                    await open_by_link(page, url)
                stats.switches.append(time.perf_counter() - t0)
                await think(rng, think_s)
            except Exception as e:  # noqa: BLE001  (a timeout or a crashed page is an error of the run)
                stats.errors.append(f"session {i} /{url}: {type(e).__name__}: {str(e).splitlines()[0][:120]}")
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


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the given processes (their own, not their children's)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass  # the process ended
    return total / os.sysconf("SC_CLK_TCK")


def pids_named(pattern: str) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if pattern in (d / "cmdline").read_bytes().decode(errors="replace"):
                    out.append(int(d.name))
            except OSError:
                pass
    return out


def nice_wrapper(nice: int) -> str:
    """An executable that starts Chromium at the given niceness (its renderers inherit it)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="ntk-load-")) / "chromium-nice"
    path.write_text(f'#!/bin/sh\nexec nice -n {int(nice)} {CHROMIUM} "$@"\n')
    path.chmod(0o755)
    return str(path)


async def run(base: str, sessions: int, seconds: float, changes: int, nav: str, think_s: float,
              stats: Stats, cpu: dict, nice: int = 0) -> None:
    from playwright.async_api import async_playwright

    urls = [p.url for p in lesson_pages()]
    async with async_playwright() as pw:
        exe = nice_wrapper(nice) if nice else CHROMIUM
        browser = await pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        start = asyncio.Event()
        arrived: list = []

        async def clock() -> None:  # CPU time over the timed part (read before the contexts close)
            await start.wait()
            cpu["t0"] = (time.perf_counter(), cpu_seconds(cpu["server"]), cpu_seconds(pids_named("chromium")))
            cpu["wall0"] = time.time()
            await asyncio.sleep(seconds)
            cpu["t1"] = (time.perf_counter(), cpu_seconds(cpu["server"]), cpu_seconds(pids_named("chromium")))
            cpu["wall1"] = time.time()

        tasks = [session(i, browser, base, urls, start, seconds, changes, nav, think_s, stats, arrived,
                         sessions)
                 for i in range(sessions)]
        await asyncio.gather(clock(), *tasks)
        await browser.close()


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill` still stops the server (finally)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the timed part, after all arrived")
    ap.add_argument("--changes", type=int, default=3, help="control changes per page visit")
    ap.add_argument("--nav", choices=("click", "goto"), default="click",
                    help="next page by its sidebar link (default) or by reloading the app at its URL")
    ap.add_argument("--think", type=float, default=0.0,
                    help="seconds a session looks at each result before acting again (0: at once)")
    ap.add_argument("--nice-browsers", type=int, default=0, metavar="N",
                    help="run Chromium at nice N (the server keeps priority over the browsers)")
    ap.add_argument("--url", help="test a server that is already running instead of starting one")
    ap.add_argument("--server-pid", type=int, help="with --url: the server's pid, for its CPU time")
    ap.add_argument("--no-warmup", action="store_true", help="serve without the start-up warm-up")
    args = ap.parse_args()

    server = None
    run_log = None
    if args.url:
        base = args.url.rstrip("/")
        server_pids = [args.server_pid] if args.server_pid else []
    else:
        import tempfile

        run_log = tempfile.NamedTemporaryFile(prefix="ntk-runs-", suffix=".log", delete=False).name
        if args.no_warmup:
            server = StreamlitServer(ROOT / "app" / "streamlit_app.py",
                                     env={"NTK_LAB_WARMUP": "0", runlog.ENV: run_log})
        else:
            server = StreamlitServer(ROOT / "app" / "serve.py", env={"NTK_LAB_WARMUP": "1", runlog.ENV: run_log})
            from bench_app_browser import wait_warmup

            took = wait_warmup(server)
            rss = re.search(r"warm-up\] done: .* resident (\d+) MB", server.output())
            print(f"warm-up: {took:.0f} s, server resident {rss.group(1) if rss else '?'} MB after it",
                  file=sys.stderr)
        base = server.url
        server_pids = [server.proc.pid]
    stats, health = Stats(), {"total": 0, "ok": 0, "max_s": 0.0}
    cpu: dict = {"server": server_pids}
    stop = threading.Event()
    poller = threading.Thread(target=poll_health, args=(base, stop, health), daemon=True)
    poller.start()
    try:
        asyncio.run(run(base, args.sessions, args.seconds, args.changes, args.nav, args.think, stats, cpu,
                        args.nice_browsers))
    finally:
        stop.set()
        poller.join()
        if server is not None:
            server.stop()

    (t0, s0, c0), (t1, s1, c1) = cpu.get("t0", (0, 0, 0)), cpu.get("t1", (0, 0, 0))
    wall = t1 - t0
    r, sw, arr = stats.renders, stats.switches, stats.arrivals
    med = lambda xs: statistics.median(xs) if xs else float("nan")  # noqa: E731
    print(f"\n{args.sessions} sessions, arrival then {args.seconds:.0f} s of control changes "
          f"(next page by {args.nav}, think time {args.think:g} s"
          f"{f', Chromium at nice {args.nice_browsers}' if args.nice_browsers else ''}), {os.cpu_count()} CPUs, {len(lesson_pages())} pages\n")
    print("| sessions | re-renders | p50 (s) | p95 (s) | max (s) | page switches | switch p50 / p95 (s) "
          "| arrival p50 / max (s) | errors | exceptions shown | JS errors | health ok | health max (s) "
          "| CPU s server / Chromium (timed part) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    server_cpu = f"{s1 - s0:.0f}" if server_pids else "–"
    print(f"| {args.sessions} | {len(r)} | {pct(r, .5):.2f} | {pct(r, .95):.2f} | {max(r, default=float('nan')):.2f} "
          f"| {len(sw)} | {pct(sw, .5):.2f} / {pct(sw, .95):.2f} | {med(arr):.1f} / {max(arr, default=float('nan')):.1f} "
          f"| {len(stats.errors)} | {stats.exceptions} | {stats.js_errors} | {health['ok']}/{health['total']} "
          f"| {health['max_s']:.2f} | {server_cpu} / {c1 - c0:.0f} of {os.cpu_count() * wall:.0f} |")
    if run_log and "wall0" in cpu:
        logged = runlog.read(run_log, cpu["wall0"], cpu["wall1"])
        runs = [sec for _, sec, _, _ in logged]
        print(f"\nServer side (NTK_LAB_RUN_LOG): {len(runs)} completed script runs in the timed part, "
              f"p50 {pct(runs, .5):.2f} s, p95 {pct(runs, .95):.2f} s, max {max(runs, default=float('nan')):.2f} s "
              "(script start to end, in the server, while the browsers share the cores)")
        # the settings behind the server's tail, as links: open one alone to see its cost without load
        print("Slowest server runs: " + "; ".join(
            f"{sec:.1f} s /{page}?{query}" for _, sec, page, query in sorted(logged, key=lambda r: -r[1])[:8]))
        print(f"Run log: {run_log}")
    for e in stats.errors[:20]:
        print(f"- {e}")
    if stats.slowest:
        print("\nSlowest re-renders: " + "; ".join(f"{w} {dt:.1f} s" for dt, w in sorted(stats.slowest)[::-1][:8]))
    ok = r and pct(r, .95) < 5 and not stats.errors and not stats.exceptions and health["ok"] == health["total"]
    print(f"\nTarget (p95 < 5 s, no errors, no exception shown, health answering): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
