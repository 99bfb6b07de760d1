"""Resident memory of the Streamlit server: one session visiting every page, then sessions coming and going.

    python benchmarks/bench_memory.py                      # 4 rounds of 2 sessions
    python benchmarks/bench_memory.py --rounds 8 --sessions 3
    python benchmarks/bench_memory.py --warmup             # serve app/serve.py (start-up warm-up)

Starts a fresh ``streamlit run app/streamlit_app.py`` and reads the server's
resident set size (VmRSS of the process and its children, from /proc):

1. idle, right after start-up (and after the warm-up, with ``--warmup``);
2. after one headless-Chromium session has opened every page of the
   navigation (``common.pages.lesson_pages``) with default settings;
3. after each round of ``--sessions`` concurrent sessions, each opening every
   page and stepping one random sidebar slider there (new settings → new cache
   entries and new compiled shapes), then closing.

Target: (2) < 1.5 GB, and (3) levels off instead of growing round after
round (every st.cache_data/cache_resource has max_entries and a ttl).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "app"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common.pages import lesson_pages
from conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer
from load_test import SLIDERS, TIMEOUT_MS, PWTimeout, wait_done


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def rss_mb(pid: int) -> float:
    """VmRSS of ``pid`` and all its descendants, in MB."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
        todo += _children(p)
    return total


async def visit_all(browser, base: str, urls: list[str], rng: random.Random | None) -> int:
    """One session: open every page (step one random slider if ``rng``); returns exceptions shown."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await ctx.new_page()
    exceptions = 0
    try:
        for u in urls:
            await page.goto(f"{base}/{u}")
            await page.wait_for_selector("[data-testid=stMain] h1", timeout=TIMEOUT_MS)
            await wait_done(page)
            n = await page.locator(SLIDERS).count()
            if rng is not None and n:
                slider = page.locator(SLIDERS).nth(rng.randrange(n))
                await slider.focus()
                before = await page.evaluate("() => location.search")
                at_max = await slider.evaluate("el => Number(el.value) >= Number(el.max)")
                await page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
                try:
                    await page.wait_for_function(f"() => location.search !== {before!r}", timeout=5_000)
                    await page.wait_for_timeout(50)
                    await wait_done(page)
                except PWTimeout:  # the step did not change the value
                    pass
            n_exc = await page.locator("[data-testid=stException]").count()
            if n_exc:
                text = (await page.locator("[data-testid=stException]").first.inner_text()).splitlines()[0][:120]
                print(f"  exception on /{u}: {text}", file=sys.stderr)
            exceptions += n_exc
    finally:
        await ctx.close()
    return exceptions


async def run(server: StreamlitServer, rounds: int, sessions: int, settle: float) -> list[tuple[str, float, int]]:
    from playwright.async_api import async_playwright

    urls = [p.url for p in lesson_pages()]
    pid = server.proc.pid
    rows = [("idle after start-up", rss_mb(pid), 0)]
    print(f"  {rows[-1]}", file=sys.stderr)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        exc = await visit_all(browser, server.url, urls, None)
        await asyncio.sleep(settle)
        rows.append(("one session visited every page (defaults)", rss_mb(pid), exc))
        print(f"  {rows[-1]}", file=sys.stderr)
        for r in range(1, rounds + 1):
            excs = await asyncio.gather(*(visit_all(browser, server.url, urls, random.Random(100 * r + s))
                                          for s in range(sessions)))
            await asyncio.sleep(settle)
            rows.append((f"after round {r}: {sessions} more sessions, one slider step per page", rss_mb(pid),
                         sum(excs)))
            print(f"  {rows[-1]}", file=sys.stderr)
        await browser.close()
    return rows


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill` still stops the server (finally)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--sessions", type=int, default=2, help="concurrent sessions per round")
    ap.add_argument("--settle", type=float, default=5.0, help="seconds to wait before each reading")
    ap.add_argument("--warmup", action="store_true", help="serve app/serve.py and wait for its warm-up")
    args = ap.parse_args()
    if args.warmup:
        server = StreamlitServer(ROOT / "app" / "serve.py", env={"NTK_LAB_WARMUP": "1"})
        from bench_app_browser import wait_warmup

        wait_warmup(server)
    else:
        server = StreamlitServer(ROOT / "app" / "streamlit_app.py", env={"NTK_LAB_WARMUP": "0"})
    t0 = time.perf_counter()
    try:
        rows = asyncio.run(run(server, args.rounds, args.sessions, args.settle))
    finally:
        server.stop()
    print(f"\nServer RSS (VmRSS, process + children), {len(lesson_pages())} pages, "
          f"{'with' if args.warmup else 'without'} start-up warm-up, {time.perf_counter() - t0:.0f} s\n")
    print("| moment | RSS (MB) | exceptions shown |")
    print("|---|---|---|")
    for label, mb, exc in rows:
        print(f"| {label} | {mb:.0f} | {exc} |")


if __name__ == "__main__":
    main()
