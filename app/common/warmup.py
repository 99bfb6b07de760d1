"""Warm-up: compute every lesson page's default settings once per server process.

Streamlit has no on-start hook, so ``app/streamlit_app.py`` calls
``start_background()`` on every run; the first call (the first visitor's
session, or the health check's first script run) starts one daemon thread per
process, later calls do nothing. The thread runs each page script of
``common.pages.lesson_pages()`` (default page first) in Streamlit's "bare"
mode: without a script-run context every ``st.*`` element is a no-op and every
widget returns its default value, so the page calls exactly the cached compute
and plot functions a visitor with default settings calls — the defaults are
read from the pages themselves, including pages added later. What it leaves
behind is shared with every session:

- ``st.cache_data`` / ``st.cache_resource`` entries (the server's one cache
  store; a visitor asking for a value the thread is computing waits for it on
  Streamlit's per-key compute lock instead of computing it twice);
- compiled JAX programs (in memory and in the persistent compilation cache,
  see ``common/__init__.py``), reused by every other setting with the same
  shapes.

The thread lowers its own CPU priority (nice 10, Linux) after JAX has started
its thread pools, so a visitor arriving during the warm-up keeps most of the
CPU. ``NTK_LAB_WARMUP=0`` disables it (the browser tests do, to keep their
CPU use to the pages they test); ``NTK_LAB_WARMUP_PAGES=training,drift``
warms only those pages. ``python -m app.warmup`` runs the same warm-up
in the foreground (e.g. to fill the persistent compilation cache in a Docker
build).

Extra settings (a page's "WARMUP" list): a page whose non-default settings are
too slow for a cold visit declares, at module level, ``WARMUP = [callable, …]``
— zero-argument functions that call the page's cached compute functions with
those settings (other sections, depths, widths…). After *every* page's default
has been warmed, the thread runs each page's WARMUP entries in page order (the
defaults come first because most visitors see them first). They fill the same
shared caches: ``st.cache_data`` entries and compiled programs (also the
persistent compilation cache, so a restarted server skips the XLA compiles).
``NTK_LAB_WARMUP_EXTRA=0`` skips them. Keep each entry to what a visitor can
select, and list the likeliest first.

Neighbours (after the extras): a class that opens a lesson's link moves its
sliders from the defaults first, so the thread then runs each page again with
one ordered control (slider, select-slider, number) one step below and above
its default, the others at their defaults (``common.state.neighbours``; the
values are set for the warm-up thread only, ``common.state.overridden_controls``).
``NTK_LAB_WARMUP_NEIGHBOURS=0`` skips them.

Memory (the server thread, ``warm(release=True)``): compiled programs are dropped
after the extras (``release_compiled``), and again after any page's neighbours
that add more than ``PAGE_KEEP_MB`` (200 MB) on their own; neighbours are run
only while the process stays under ``NTK_LAB_WARMUP_KEEP_MB`` (default 1450 MB)
with room for one more page (and at most ``NTK_LAB_MEMORY_MB`` less
``memory.HEADROOM_MB`` and ``memory.REGROW_MB``). The programs kept serve settings a few steps from the
defaults without re-tracing. After every page and every extra or neighbour
setting the thread also applies the process budget (``common.memory.enforce``),
as every visitor's run does.

Caveat for page authors: in bare mode ``st.stop()`` does not stop, so a page
whose *default* path ends in ``st.stop()`` (e.g. "press Run first") would run
on. None does today.
"""

from __future__ import annotations

import functools
import logging
import os
import runpy
import sys
import threading
import time
from collections.abc import Callable, Sequence

from common import memory
from common.pages import LessonPage, lesson_pages

ENV = "NTK_LAB_WARMUP"
PAGES_ENV = "NTK_LAB_WARMUP_PAGES"
EXTRA_ENV = "NTK_LAB_WARMUP_EXTRA"
NEIGHBOURS_ENV = "NTK_LAB_WARMUP_NEIGHBOURS"
KEEP_MB_ENV = "NTK_LAB_WARMUP_KEEP_MB"
KEEP_MB = 1450  # default budget: compiled programs are kept while the server stays below it
# A page whose one-step settings alone add more than this many MB of programs is not worth
# keeping (measured: /kernel-at-init +312 MB -- each depth step recompiles its Monte Carlo sweep
# over all widths, +74 and +129 MB outside the server; σ_w, σ_b and width steps compile
# nothing -- the others +35-120).
PAGE_KEEP_MB = 200
# Before a page's neighbours the process needs this much room under the budget (or more: the
# largest growth of a page kept so far; measured 35-130 MB), else the rest are not warmed.
RESERVE_MB = 100
THREAD_NAME = "ntk-lab-warmup"
NICE = 10

# Progress of this process's warm-up, for logs and benchmarks:
# state "idle" | "running" | "done"; seconds per page URL; errors per page URL.
STATUS: dict = {"state": "idle", "seconds": {}, "errors": {}, "total": None}
_lock = threading.Lock()


def selected_pages() -> list[LessonPage]:
    """The pages to warm: all, or those whose url_path is listed in NTK_LAB_WARMUP_PAGES (comma-separated)."""
    pages = lesson_pages()
    only = {u.strip().strip("/") for u in os.environ.get(PAGES_ENV, "").split(",") if u.strip()}
    return [p for p in pages if p.url_path in only or p.url in only] if only else pages


def _keep_mb() -> float:
    """NTK_LAB_WARMUP_KEEP_MB, at most where ``common.memory`` starts evicting less ``memory.REGROW_MB``."""
    try:
        keep = max(0.0, float(os.environ.get(KEEP_MB_ENV, KEEP_MB)))
    except ValueError:
        _log(f"{KEEP_MB_ENV} must be a number of MB (>= 0); using {KEEP_MB}")
        keep = float(KEEP_MB)
    budget = memory.budget_mb()
    return min(keep, max(0.0, memory.trigger_mb(budget) - memory.REGROW_MB)) if budget else keep


def _on(env: str) -> bool:
    return os.environ.get(env, "1").strip().lower() not in ("0", "false", "no", "off")


def enabled() -> bool:
    return _on(ENV)


def _log(msg: str) -> None:
    print(f"[ntk-lab warm-up] {msg}", file=sys.stderr, flush=True)


class _QuietWarmupThread(logging.Filter):
    """Drop Streamlit's per-element "missing ScriptRunContext" warnings of the warm-up thread."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName == THREAD_NAME and "ScriptRunContext" in record.getMessage())


def run_page(page: LessonPage, values: dict | None = None) -> tuple[list[Callable[[], object]], list]:
    """Execute one page script (bare mode: no elements are sent) with default settings, or with
    ``values`` for the controls they name; returns the page's extra warm-up entries (its
    module-level ``WARMUP`` list, or []) and the Controls it rendered."""
    from common.state import overridden_controls

    with overridden_controls(values or {}) as controls:
        extra = list(runpy.run_path(str(page.script), run_name="__main__").get("WARMUP", ()))
    return extra, list(controls)


def _neighbour_settings(controls: Sequence) -> list[dict]:
    """One control one step off its default, the others at their defaults; nearest controls first."""
    from common.state import neighbours

    return [{c.key: v} for c in controls for v in neighbours(c)]


def _run_jobs(page: LessonPage, jobs: Sequence[tuple[str, Callable[[], object]]],
              log: Callable[[str], None]) -> float:
    """Run (label, job) pairs for ``page``; an error is logged and recorded under "/<url> <label>"
    and does not stop the others. Returns the seconds taken."""
    t0 = time.perf_counter()
    for label, job in jobs:
        try:
            job()
        except Exception as e:  # noqa: BLE001  (best effort: a broken setting must not stop the warm-up)
            STATUS["errors"][f"/{page.url} {label}"] = f"{type(e).__name__}: {e}"
            log(f"/{page.url} {label}: {type(e).__name__}: {e}")
        memory.enforce()  # the extras alone pass 2.5 GB (CNN sweeps): hold the process budget meanwhile
    return time.perf_counter() - t0


def warm(pages: Sequence[LessonPage] | None = None, log: Callable[[str], None] = _log,
         release: bool = False) -> dict[str, float]:
    """Run every page with its defaults; returns seconds per page URL. Errors are logged, not raised.

    ``release``: drop the compiled programs (``release_compiled``) after the extras, before the
    neighbours -- the extras' programs (CNN sweeps, ~1.5 GB) are large and rarely reused, while
    those the neighbours leave in memory serve the settings visitors reach next: a setting whose
    shapes are compiled in this process skips tracing and lowering (measured: cold runs two
    steps from the defaults 25 % faster on average, /kernel-at-init 2.9 s -> 0.6 s). They are
    kept within a memory budget, ``NTK_LAB_WARMUP_KEEP_MB`` (default 1450 MB resident; 0 keeps
    none): a page's neighbours run only while the process has room for them (``RESERVE_MB``, or
    the largest growth of a page kept so far), and the remaining pages' are left to visitors --
    JAX can only drop all programs at once, so overflowing the budget on the last page would
    lose every page's. A page whose settings alone add more than ``PAGE_KEEP_MB`` (or overflow
    the budget despite the reserve) has its programs dropped, with all others kept so far.
    """
    keep_mb = _keep_mb()
    pages = selected_pages() if pages is None else pages
    STATUS.update(state="running")
    t_all = time.perf_counter()
    extras: list[tuple[LessonPage, list]] = []
    rendered: list[tuple[LessonPage, list]] = []
    for page in pages:
        t0 = time.perf_counter()
        try:
            entries, controls = run_page(page)
            extras.append((page, entries))
            rendered.append((page, controls))
        except Exception as e:  # noqa: BLE001  (best effort: a broken page must not stop the others or the server)
            STATUS["errors"][f"/{page.url}"] = f"{type(e).__name__}: {e}"
            log(f"/{page.url}: {type(e).__name__}: {e}")
        memory.enforce()
        dt = time.perf_counter() - t0
        STATUS["seconds"][f"/{page.url}"] = dt
        log(f"/{page.url} {dt:.1f} s")
    if _on(EXTRA_ENV):
        for page, entries in extras:
            if entries:
                dt = _run_jobs(page, [("(extra)", entry) for entry in entries], log)
                STATUS["seconds"][f"/{page.url} (extra)"] = dt
                log(f"/{page.url} extra settings ({len(entries)}) {dt:.1f} s")
    if release:
        release_compiled(log)
    if _on(NEIGHBOURS_ENV):
        budgeted = release and keep_mb > 0  # keep programs within the budget (else keep all / none)
        reserve = RESERVE_MB  # room a page's neighbours may need: the largest growth kept so far
        for n, (page, controls) in enumerate(rendered):
            settings = _neighbour_settings(controls)
            if not settings:
                continue
            rss0 = _rss_mb()
            if budgeted and not rss0 + reserve <= keep_mb:  # (NaN: stop, to be safe)
                # Releasing is all or nothing: running a page that overflows the budget would cost
                # every program kept so far, so the remaining pages' neighbours are left to visitors.
                rest = ", ".join(f"/{p.url}" for p, c in rendered[n:] if _neighbour_settings(c))
                log(f"budget: resident {rss0:.0f} MB + {reserve:.0f} MB reserve > {keep_mb:.0f} MB, "
                    f"neighbours not warmed: {rest}")
                break
            dt = _run_jobs(page, [(str(v), functools.partial(run_page, page, v)) for v in settings], log)
            STATUS["seconds"][f"/{page.url} (neighbours)"] = dt
            rss = _rss_mb()
            log(f"/{page.url} one step from the defaults ({len(settings)} settings) {dt:.1f} s, "
                f"resident {rss:.0f} MB")
            if budgeted and rss <= keep_mb and rss - rss0 <= PAGE_KEEP_MB:
                reserve = max(reserve, rss - rss0)
            elif budgeted:  # one page too big (or a reserve too small): drop all
                release_compiled(log)
        if release and not budgeted:  # budget 0: the neighbours' values are cached, no programs kept
            release_compiled(log)
    STATUS.update(state="done", total=time.perf_counter() - t_all)
    log(f"done: {len(pages)} pages in {STATUS['total']:.1f} s, resident {_rss_mb():.0f} MB")
    return dict(STATUS["seconds"])


def _thread_main() -> None:
    import jax

    jax.devices()  # start JAX's CPU client (and its worker threads) at normal priority
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError):
        pass
    warm(release=True)


def _rss_mb() -> float:
    return memory.rss_mb()


def release_compiled(log: Callable[[str], None] = _log) -> None:
    """Drop the warm-up's compiled JAX programs from memory (``memory.release_programs``); they
    stay in the persistent compilation cache on disk, and the computed values stay in Streamlit's cache.

    Measured: the warm-up (defaults, extras, neighbours) left the server at ~3.3 GB
    resident, ~1.5 GB of it compiled programs for shapes most visits never use again
    (the CNN sweeps of /beyond-mlps alone). A visitor who later needs one of those
    shapes reloads it from the disk cache instead of recompiling.
    """
    before = _rss_mb()
    memory.release_programs()
    log(f"released compiled programs: resident {before:.0f} MB -> {_rss_mb():.0f} MB")


def _in_real_server() -> bool:
    """True under ``streamlit run`` (not under AppTest, not in plain Python)."""
    from streamlit import config, runtime

    # (st.get_option does not see AppTest's patched "global.appTest"; config.get_option does.)
    return runtime.exists() and not config.get_option("global.appTest")


def start_background() -> bool:
    """Start the warm-up thread once per server process; True if this call started it."""
    global _started
    if _started or not enabled():
        return False
    with _lock:
        if _started or not _in_real_server():
            return False
        _started = True
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.state.session_state_proxy", "streamlit"):
        logging.getLogger(name).addFilter(_QuietWarmupThread())
    _log("starting (set NTK_LAB_WARMUP=0 to disable)")
    threading.Thread(target=_thread_main, name=THREAD_NAME, daemon=True).start()
    return True


_started = False
