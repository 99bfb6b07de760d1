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

Random settings (``--random N``, what a class exploring freely does):

    python benchmarks/bench_memory.py --random 300 --warmup      # as hosted: app/serve.py, warm-up first
    python benchmarks/bench_memory.py --random 300 --budget 1200 # NTK_LAB_MEMORY_MB for the server

opens N links, each a page chosen uniformly among the navigation's pages with
every control drawn uniformly from its allowed values (options, or the slider's
grid min, min+step, …, max; a page whose first control is a selectbox choosing a
section, like /beyond-mlps's ``part``, has its controls discovered per section),
one after the other in one headless-Chromium tab (each link a new session, as a
shared link is), and reads the server's resident memory after each. Prints a
table (request #, page, seconds, RSS, evictions so far; every row with
``--all-rows``) and a summary. Target: peak under the budget
(``NTK_LAB_MEMORY_MB``, default 2000 MB), no growth after the first hundred.
The controls come from one AppTest run per page (and section) that stops right
after the page's controls (``tests/app/pagecontrols.controls_only``).
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

from common.memory import BUDGET_MB
from common.pages import lesson_pages
from conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer
from load_test import DONE_JS, SLIDERS, TIMEOUT_MS, PWTimeout, wait_done


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


# -- random valid settings (--random N) ------------------------------------------------------

def page_control_sets() -> list[tuple[str, list[tuple[dict, tuple]]]]:
    """For every page: (url, [(fixed URL values, Controls), …]) — one entry, or one per section when
    the page's first control is a selectbox whose options change the other controls."""
    sys.path.insert(0, str(ROOT / "tests" / "app"))
    from pagecontrols import controls_only, recording

    def controls(page, params: dict) -> tuple:
        with recording(stop_after=True) as calls:
            controls_only(page, params)
        return tuple(c for _, cs, _ in calls for c in cs)

    out = []
    for page in lesson_pages():
        base = controls(page, {})
        sets: list[tuple[dict, tuple]] = [({}, base)]
        first = base[0] if base else None
        if first is not None and first.kind == "selectbox":
            variants = [({first.key: first.fmt(o)}, controls(page, {first.key: first.fmt(o)}))
                        for o in first.options]
            if len({tuple(c.key for c in cs) for _, cs in variants}) > 1:
                sets = [(fixed, cs[1:]) for fixed, cs in variants]  # sections: pick one, then its controls
        out.append((page.url, sets))
        print(f"  /{page.url}: " + "; ".join(f"{fixed or 'controls'} {[c.key for c in cs]}" for fixed, cs in sets),
              file=sys.stderr)
    return out


def grid(c) -> list:
    """Every value a control allows: its options, or min, min+step, …, max (toggle: both)."""
    from common.state import canonical

    if c.kind in ("select_slider", "selectbox"):
        return list(c.options)
    if c.kind == "toggle":
        return [False, True]
    step = c.step if c.step is not None else (1 if c.is_int else 0.01)
    n = int(round((c.max - c.min) / step))
    return [int(c.min + k * step) if c.is_int else canonical(c, float(c.min + k * step)) for k in range(n + 1)]


def url_value(c, v) -> str:
    if c.kind == "toggle":
        return "true" if v else "false"
    if c.kind in ("select_slider", "selectbox"):
        return c.fmt(v)
    return f"{v:g}" if isinstance(v, float) else str(v)


def random_links(sets, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` (page url, query string) pairs: a page uniformly, a section uniformly, every control uniformly."""
    import urllib.parse

    grids = {(url, i): [(c, grid(c)) for c in cs] for url, variants in sets for i, (_, cs) in enumerate(variants)}
    links = []
    for _ in range(n):
        url, variants = rng.choice(sets)
        i = rng.randrange(len(variants))
        query = dict(variants[i][0]) | {c.key: url_value(c, rng.choice(values)) for c, values in grids[url, i]}
        links.append((url, urllib.parse.urlencode(query)))
    return links


def evictions(server: StreamlitServer) -> int:
    """Evictions the server has logged so far (``common.memory``: one line each)."""
    server.log.flush()
    return Path(server.log.name).read_text(errors="replace").count("compiled programs dropped")


async def run_random(server: StreamlitServer, links: list[tuple[str, str]], timeout_s: float) -> list[tuple]:
    """Open every link in one tab, one after the other; rows (#, url, query, s, RSS MB, evictions, exceptions)."""
    from playwright.async_api import async_playwright

    pid, rows = server.proc.pid, []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
        page = await ctx.new_page()
        for n, (url, query) in enumerate(links, 1):
            t0 = time.perf_counter()
            status = 0
            try:
                await page.goto(f"{server.url}/{url}?{query}")
                await page.wait_for_selector("[data-testid=stMain] h1", timeout=timeout_s * 1000)
                await page.wait_for_function(DONE_JS, timeout=timeout_s * 1000, polling=200)
                await page.wait_for_timeout(100)
                await page.wait_for_function(DONE_JS, timeout=timeout_s * 1000, polling=200)
                status = await page.locator("[data-testid=stException]").count()
                if status:
                    text = (await page.locator("[data-testid=stException]").first.inner_text()).splitlines()[0]
                    print(f"  exception on /{url}?{query}: {text[:160]}", file=sys.stderr)
            except PWTimeout:
                status = -1
                print(f"  timeout on /{url}?{query}", file=sys.stderr)
            rows.append((n, url, query, time.perf_counter() - t0, rss_mb(pid), evictions(server), status))
            print(f"  {n:4d} /{url}?{query}  {rows[-1][3]:.1f} s  {rows[-1][4]:.0f} MB  "
                  f"evictions {rows[-1][5]}", file=sys.stderr, flush=True)
        await browser.close()
    return rows


def print_random(rows: list[tuple], budget: str, warmup_mb: float | None, seconds: float, all_rows: bool) -> None:
    rss = [r[4] for r in rows]
    print(f"\nServer RSS (VmRSS, process + children) over {len(rows)} random valid settings, "
          f"{len(lesson_pages())} pages, budget {budget}, {seconds:.0f} s"
          + (f", {warmup_mb:.0f} MB after the warm-up" if warmup_mb is not None else "") + "\n")
    print("| request # | page | time (s) | RSS (MB) | evictions so far | exceptions |")
    print("|---|---|---|---|---|---|")
    for n, url, query, dt, mb, ev, status in rows:
        if all_rows or n % 10 == 0 or n == 1 or mb == max(rss):
            exc = "timeout" if status < 0 else status
            print(f"| {n} | /{url}?{query} | {dt:.1f} | {mb:.0f} | {ev} | {exc} |")
    first, rest = rss[:100], rss[100:]
    times = sorted(r[3] for r in rows)
    print(f"\npeak {max(rss):.0f} MB (request {rss.index(max(rss)) + 1}); max of requests 1-100 "
          f"{max(first):.0f} MB" + (f", of 101-{len(rss)} {max(rest):.0f} MB, mean of the last 50 "
                                    f"{sum(rss[-50:]) / len(rss[-50:]):.0f} MB" if rest else "")
          + f"; evictions {rows[-1][5]}; exceptions {sum(r[6] for r in rows if r[6] > 0)}, "
          f"timeouts {sum(r[6] < 0 for r in rows)}; time per link median {times[len(times) // 2]:.1f} s, "
          f"max {times[-1]:.1f} s")


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill` still stops the server (finally)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--sessions", type=int, default=2, help="concurrent sessions per round")
    ap.add_argument("--settle", type=float, default=5.0, help="seconds to wait before each reading")
    ap.add_argument("--warmup", action="store_true", help="serve app/serve.py and wait for its warm-up")
    ap.add_argument("--random", type=int, default=0, metavar="N",
                    help="open N random valid settings across all pages instead of the rounds")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random settings")
    ap.add_argument("--budget", default=None, help="NTK_LAB_MEMORY_MB for the server (default: its own)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for one random link")
    ap.add_argument("--all-rows", action="store_true", help="print every request (default: every 10th)")
    args = ap.parse_args()
    links = random_links(page_control_sets(), args.random, random.Random(args.seed)) if args.random else []
    env = {} if args.budget is None else {"NTK_LAB_MEMORY_MB": args.budget}
    if args.warmup:
        server = StreamlitServer(ROOT / "app" / "serve.py", env={"NTK_LAB_WARMUP": "1", **env})
        from bench_app_browser import wait_warmup

        try:
            wait_warmup(server, timeout_s=3600)
        except BaseException:  # (SIGTERM, timeout) stop the server too
            server.stop()
            raise
    else:
        server = StreamlitServer(ROOT / "app" / "streamlit_app.py", env={"NTK_LAB_WARMUP": "0", **env})
    t0 = time.perf_counter()
    if links:
        warmup_mb = rss_mb(server.proc.pid) if args.warmup else None
        try:
            rows = asyncio.run(run_random(server, links, args.timeout))
        finally:
            server.stop()
        print_random(rows, f"{args.budget} MB" if args.budget else f"{BUDGET_MB:.0f} MB (default)", warmup_mb, time.perf_counter() - t0, args.all_rows)
        return
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
