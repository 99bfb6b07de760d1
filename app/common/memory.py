"""Memory budget: keep the server's resident memory under ``NTK_LAB_MEMORY_MB`` (default 2000 MB).

What grows when visitors open new settings (measured, ``benchmarks/bench_memory.py``):
compiled JAX programs (each width, depth and activation of an MLP is its own XLA
executable, ~20–30 MB for /kernel-at-init's Monte Carlo draw; a new (depth, activation)
there compiles 4–5 of them and the infinite-width kernel: +70–330 MB), and the values in
Streamlit's ``st.cache_data`` stores (every function has ``max_entries`` and a
``ttl``, ~100 MB in all). Neither shrinks by itself, so ``app/streamlit_app.py``
calls ``enforce(background=True)`` after every script run (the eviction itself runs
on its own thread, so no visitor waits for it), and the warm-up ``enforce()`` after
every page:

1. read the resident set size (``/proc/self/statm``, a few µs);
2. within ``HEADROOM_MB`` of the budget (a cold run of the heaviest pages adds up to
   ~300 MB, and the check comes after the run) → drop every compiled program
   (``jax.clear_caches()``; they stay in the persistent compilation cache on disk,
   so a setting that needs one again pays JAX's tracing and a disk load, not XLA's
   compile: /kernel-at-init's depth-3 sweep at a new seed took 0.9 s with its
   programs in memory, 3.6–4.9 s after a release, on the loaded 2-core machine),
   collect garbage and hand freed heap back to the OS (glibc ``malloc_trim(0)``:
   without it the freed programs stay resident — measured 710 → 699 MB by
   clearing alone, → 345 MB after the trim);
3. still above ``DATA_FRACTION`` of the budget → clear the largest
   ``st.cache_data`` functions until their stored bytes cover the excess
   (values are recomputed on the next visit, so they go last).

Thrash guard: after an eviction the next one waits until the process has grown
``REGROW_MB`` above the level the eviction reached, so a budget set below what
the app needs at rest logs once per growth step instead of clearing on every run.

Thread safety: script runs of several sessions (and the warm-up thread) call
``enforce`` concurrently; one evicts at a time, the others skip (non-blocking
lock). Clearing while another thread computes is safe: a running computation
holds its own executable, and the next call of a cleared function recompiles or
reloads it (``tests/app/test_memory.py`` runs computations across clears).
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

BUDGET_ENV = "NTK_LAB_MEMORY_MB"
BUDGET_MB = 2000.0  # Streamlit Community Cloud gives ~2.7 GB; the rest is margin for a run in flight
HEADROOM_MB = 300.0  # evict this far below the budget: what one cold run can add before the next check
REGROW_MB = 150.0  # growth after an eviction before the next one (thrash guard)
DATA_FRACTION = 0.8  # after dropping programs, data caches are trimmed until this fraction of the budget

_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20 if hasattr(os, "sysconf") else 4096 / 2**20
_lock = threading.Lock()
_floor = 0.0  # resident MB right after the last eviction
_thread: threading.Thread | None = None  # the last background eviction
_warned: set[str] = set()


@dataclass(frozen=True)
class Eviction:
    """One enforcement that released memory: resident MB before, after the programs, after the data."""

    before_mb: float
    programs_mb: float
    after_mb: float
    data_cleared: tuple[str, ...]  # st.cache_data functions cleared (largest first), if any
    seconds: float


# Evictions of this process, newest last (at most 100; for logs, tests and the memory benchmark).
EVICTIONS: list[Eviction] = []


def _log(msg: str) -> None:
    print(f"[ntk-lab memory] {msg}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    """Resident set size of this process in MB (``/proc/self/statm``, field 2, in pages); NaN if unreadable."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE_MB
    except (OSError, IndexError, ValueError):
        return float("nan")


def budget_mb(log: Callable[[str], None] = _log) -> float:
    """``NTK_LAB_MEMORY_MB`` as a number of MB (> 0), else the default; ``0`` turns eviction off.

    A malformed value (not a number, negative, NaN/inf) falls back to ``BUDGET_MB`` with one log line.
    """
    raw = os.environ.get(BUDGET_ENV, "").strip()
    if not raw:
        return BUDGET_MB
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if value == 0:
        return 0.0
    if not (value > 0 and value != float("inf")):  # NaN, negative, inf
        if raw not in _warned:
            _warned.add(raw)
            log(f"{BUDGET_ENV}={raw!r} is not a number of MB > 0 (0 turns eviction off); "
                f"using {BUDGET_MB:.0f}")
        return BUDGET_MB
    return value


def trim_heap() -> None:
    """Return freed heap pages to the OS (glibc ``malloc_trim(0)``, all arenas); a no-op elsewhere."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def release_programs() -> None:
    """Drop every compiled JAX program from memory (they stay in the on-disk compilation cache)."""
    if "jax" in sys.modules:  # nothing compiled if JAX was never imported
        sys.modules["jax"].clear_caches()
    gc.collect()
    trim_heap()


def data_cache_sizes() -> list[tuple[str, int, Callable[[], None]]]:
    """(function name, stored bytes, clear) of every global ``st.cache_data`` function, largest first.

    Uses Streamlit's cache registry (the sizes ``/_stcore/metrics`` reports); the pinned Streamlit
    version is checked by ``tests/app/test_memory.py``.
    """
    from streamlit.runtime.caching.cache_data_api import _data_caches

    with _data_caches._caches_lock:
        caches = list(_data_caches._function_caches.get(None, {}).values())
    sizes = []
    for cache in caches:
        stats = [s for family in cache.get_stats().values() for s in family]
        sizes.append((cache.display_name, sum(s.byte_length for s in stats), cache.clear))
    return sorted(sizes, key=lambda s: -s[1])


def release_data(excess_mb: float) -> tuple[str, ...]:
    """Clear the largest ``st.cache_data`` functions until their stored bytes cover ``excess_mb``."""
    cleared, freed = [], 0.0
    for name, size, clear in data_cache_sizes():
        if freed >= excess_mb or size == 0:
            break
        clear()
        cleared.append(name)
        freed += size / 2**20
    gc.collect()
    trim_heap()
    return tuple(cleared)


def enforce(budget: float | None = None, log: Callable[[str], None] = _log,
            background: bool = False) -> Eviction | None:
    """Release memory if the process is over the budget (see the module docstring); cheap otherwise.

    Returns the ``Eviction`` it made, or None (under budget, eviction off, within the thrash
    guard, another thread evicting right now, or ``background``). ``background``: evict on a
    daemon thread (``join()`` waits for it), so the visitor whose run crossed the budget does not
    wait for it (measured 0.3–4 s, most of it freeing executables; longer on a loaded machine).
    """
    global _thread
    budget = budget_mb(log) if budget is None else budget
    if not _due(budget, rss_mb()):
        return None
    if background:
        if not _lock.locked():
            _thread = threading.Thread(target=_evict, args=(budget, log), name="ntk-lab-evict", daemon=True)
            _thread.start()
        return None
    return _evict(budget, log)


def _due(budget: float, rss: float) -> bool:
    """Within HEADROOM_MB of a (non-zero) budget and past the thrash guard (NaN: never)."""
    return bool(budget) and rss > trigger_mb(budget) and rss > _floor + REGROW_MB


def trigger_mb(budget: float) -> float:
    """The resident memory at which an eviction starts: ``HEADROOM_MB`` below the budget."""
    return budget - HEADROOM_MB


def _evict(budget: float, log: Callable[[str], None]) -> Eviction | None:
    global _floor
    if not _lock.acquire(blocking=False):
        return None
    try:
        t0 = time.perf_counter()
        rss = rss_mb()
        if not _due(budget, rss):  # another thread evicted between the check and here
            return None
        release_programs()
        programs = rss_mb()
        cleared: tuple[str, ...] = ()
        if programs > DATA_FRACTION * budget:
            cleared = release_data(programs - DATA_FRACTION * budget)
        after = rss_mb()
        _floor = after
        ev = Eviction(rss, programs, after, cleared, time.perf_counter() - t0)
        EVICTIONS.append(ev)
        del EVICTIONS[:-100]
        log(f"resident {rss:.0f} MB > {trigger_mb(budget):.0f} MB (budget {budget:.0f} MB, {BUDGET_ENV}, less "
            f"{HEADROOM_MB:.0f} MB headroom): compiled programs dropped "
            f"-> {programs:.0f} MB" + (f", data caches cleared ({', '.join(cleared)}) -> {after:.0f} MB"
                                       if cleared else "") + f" in {ev.seconds:.2f} s")
        if after > trigger_mb(budget):
            log(f"still over the budget after releasing what it can: {BUDGET_ENV} is below what the app "
                f"needs at rest; next eviction after {REGROW_MB:.0f} MB more growth")
        return ev
    except Exception as e:  # noqa: BLE001  (a failed eviction must never break a visitor's page)
        logging.getLogger(__name__).exception("eviction failed")
        log(f"eviction failed: {type(e).__name__}: {e}")
        return None
    finally:
        _lock.release()


def join(timeout: float | None = None) -> None:
    """Wait for a background eviction started by ``enforce(background=True)``, if any."""
    if _thread is not None:
        _thread.join(timeout)


def reset() -> None:
    """Forget the thrash guard's floor and the eviction log (tests)."""
    global _floor
    join()
    _floor = 0.0
    EVICTIONS.clear()
