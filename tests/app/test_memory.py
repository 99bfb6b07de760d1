"""The memory budget (app/common/memory.py): the budget setting, the RSS reading, what an eviction
releases, that it is safe with computations running, and that a page renders right after one."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import streamlit as st
from apptest_util import run_script, specs

from common import memory

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py")


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.delenv(memory.BUDGET_ENV, raising=False)
    memory.reset()
    yield
    memory.reset()


def vmrss_mb() -> float:
    """VmRSS from /proc/self/status (kB): a second reading, independent of statm's page count."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_budget_setting(monkeypatch):
    logs: list[str] = []
    assert memory.budget_mb(logs.append) == memory.BUDGET_MB == 2000
    for raw, want in (("1500", 1500.0), (" 750.5 ", 750.5), ("0", 0.0)):
        monkeypatch.setenv(memory.BUDGET_ENV, raw)
        assert memory.budget_mb(logs.append) == want
    assert not logs
    for raw in ("lots", "-5", "nan", "inf", "1e999"):
        monkeypatch.setenv(memory.BUDGET_ENV, raw)
        assert memory.budget_mb(logs.append) == memory.BUDGET_MB
        assert len(logs) == 1 and memory.BUDGET_ENV in logs[0] and repr(raw) in logs[0]
        assert memory.budget_mb(logs.append) == memory.BUDGET_MB and len(logs) == 1  # logged once per value
        logs.clear()
    monkeypatch.setenv(memory.BUDGET_ENV, "0")
    assert memory.enforce(log=logs.append) is None  # 0: eviction off, whatever the process holds


def test_rss_reading_tracks_allocations():
    r0 = memory.rss_mb()
    assert abs(r0 - vmrss_mb()) < 20
    block = np.ones(200 * 2**20 // 8)  # 200 MB, touched
    grown = memory.rss_mb() - r0
    assert 180 < grown < 260, grown
    del block
    assert memory.rss_mb() - r0 < 60


def test_trim_heap_returns_freed_heap_to_the_os():
    # 1 kB objects come from malloc's heap (not mmap); keeping every 50th pins the heap's top,
    # so only malloc_trim (which also releases free pages inside the heap) can give the rest back.
    import ctypes

    libc = ctypes.CDLL("libc.so.6")
    libc.mallopt(-1, 2**30)  # M_TRIM_THRESHOLD: no automatic trimming during this test
    try:
        chunks = [bytes(1000) + i.to_bytes(4, "little") for i in range(200_000)]
        keep = chunks[::50]
        before_free = memory.rss_mb()
        del chunks
        after_free = memory.rss_mb()
        memory.trim_heap()
        after_trim = memory.rss_mb()
    finally:
        libc.mallopt(-1, 128 * 1024)
    assert len(keep) == 4000
    assert after_free > before_free - 50  # freeing alone leaves the heap resident
    assert after_free - after_trim > 80, (before_free, after_free, after_trim)


def test_eviction_drops_programs_then_the_largest_data_caches():
    # In the whole suite other tests' pages have filled larger data caches in this process: start
    # from empty ones, so the two below are the only (and known) contents.
    st.cache_data.clear()
    calls = {"big": 0, "small": 0}

    @st.cache_data(max_entries=4)
    def big(n: int) -> np.ndarray:
        calls["big"] += 1
        return np.full(n, 1.0)  # n * 8 bytes stored

    @st.cache_data(max_entries=4)
    def small(n: int) -> np.ndarray:
        calls["small"] += 1
        return np.zeros(n)

    @jax.jit
    def f(x):
        return jnp.sin(x) * 2

    big(4 * 2**20), small(10)  # 32 MB and 80 bytes stored
    f(jnp.ones(7)).block_until_ready()
    assert f._cache_size() == 1
    sizes = {name: size for name, size, _ in memory.data_cache_sizes()}
    name_big = next(n for n in sizes if n.endswith("big"))
    assert sizes[name_big] > 32 * 2**20 and sizes[name_big] == max(sizes.values())

    logs: list[str] = []
    # a budget below any process: programs go, then data caches largest first (the excess is
    # the whole process, so every non-empty data cache is cleared)
    ev = memory.enforce(budget=1.0, log=logs.append)
    assert ev is not None and memory.EVICTIONS == [ev]
    assert f._cache_size() == 0
    assert ev.data_cleared[0] == name_big and ev.after_mb <= ev.before_mb
    assert logs and "compiled programs dropped" in logs[0] and "still over the budget" in logs[-1]
    big(4 * 2**20), small(10)
    assert calls == {"big": 2, "small": 2}  # both recomputed
    np.testing.assert_allclose(f(jnp.ones(7)), 2 * np.sin(np.ones(7)), rtol=1e-6)
    # thrash guard: no new eviction until the process grows REGROW_MB above the last one
    assert memory.enforce(budget=1.0, log=logs.append) is None
    block = np.ones(int((memory.REGROW_MB + 30) * 2**20 / 8))
    assert memory.enforce(budget=1.0, log=logs.append) is not None and len(memory.EVICTIONS) == 2
    del block


def test_data_caches_stay_when_dropping_programs_suffices(monkeypatch):
    # readings: the check and the eviction's start (over the 900 MB budget), after the programs
    # (under DATA_FRACTION of it), at the end
    readings = iter([1000.0, 1000.0, 0.8 * 900 - 1, 0.8 * 900 - 1])
    monkeypatch.setattr(memory, "rss_mb", lambda: next(readings))
    monkeypatch.setattr(memory, "release_data", lambda excess: pytest.fail("data caches cleared"))
    released = []
    monkeypatch.setattr(memory, "release_programs", lambda: released.append(1))
    ev = memory.enforce(budget=900.0, log=lambda m: None)
    assert released == [1] and ev == memory.Eviction(1000.0, 719.0, 719.0, (), ev.seconds)
    # below the budget less the headroom: nothing happens (one cheap reading)
    memory.reset()
    monkeypatch.setattr(memory, "rss_mb", lambda: 900.0 - memory.HEADROOM_MB)
    assert memory.enforce(budget=900.0, log=lambda m: None) is None and released == [1]
    # ... and within the headroom, an eviction
    monkeypatch.setattr(memory, "rss_mb", lambda: 901.0 - memory.HEADROOM_MB)
    assert memory.enforce(budget=900.0, log=lambda m: None) is not None and released == [1, 1]


def test_clearing_while_other_threads_compute():
    """jax.clear_caches from one thread while others compile and run: no error, right results."""
    errors: list[BaseException] = []
    stop = threading.Event()

    def work(seed: int):
        try:
            i = 0
            while not stop.is_set():
                n = 8 + (seed * 7 + i) % 5  # several shapes: compiles and cache hits interleave
                x = jnp.arange(n, dtype=jnp.float32)
                y = jax.jit(lambda v: jnp.cumsum(jnp.tanh(v)) @ v)(x)
                np.testing.assert_allclose(float(y), float(np.cumsum(np.tanh(np.arange(n))) @ np.arange(n)),
                                           rtol=1e-5)
                i += 1
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(3)]
    for t in threads:
        t.start()
    try:
        for _ in range(30):
            memory.release_programs()
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors


def test_concurrent_enforce_evicts_once():
    """Several sessions ending runs at once: one evicts, the others skip (and never block)."""
    barrier = threading.Barrier(4)
    results = []

    def end_of_run():
        barrier.wait()
        results.append(memory.enforce(budget=1.0, log=lambda m: None))

    threads = [threading.Thread(target=end_of_run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1 and len(memory.EVICTIONS) == 1
    # the entrypoint's way: the check on the script thread, the eviction on its own thread
    memory.reset()
    results.clear()
    barrier.reset()

    def end_of_run_background():
        barrier.wait()
        results.append(memory.enforce(budget=1.0, log=lambda m: None, background=True))

    threads = [threading.Thread(target=end_of_run_background) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for t in threading.enumerate():
        if t.name == "ntk-lab-evict":
            t.join(60)
    assert results == [None] * 4 and len(memory.EVICTIONS) == 1


def test_page_renders_the_same_right_after_eviction(monkeypatch):
    """Through the entrypoint's hook: with a tiny budget every run ends in an eviction, and the next
    visitor (programs reloaded from the disk cache, values recomputed) sees the same figure."""
    first = specs(run_script(ENTRY, 300, {"width": "64"}))
    monkeypatch.setenv(memory.BUDGET_ENV, "1")
    at = run_script(ENTRY, 300, {"width": "64"})  # its run ends over budget: the hook evicts
    memory.join(60)  # (on its own thread)
    assert len(memory.EVICTIONS) == 1 and memory.EVICTIONS[0].data_cleared
    assert specs(at) == first
    memory.reset()
    after = run_script(ENTRY, 300, {"width": "64"})  # cold: everything released just before
    memory.join(60)
    assert len(memory.EVICTIONS) == 1
    assert specs(after) == first and not after.warning
    assert os.environ[memory.BUDGET_ENV] == "1"


def _mb(quantity: str) -> float:
    """'3g' / '3Gi' / '2000M' → MB (binary units)."""
    units = {"g": 1024, "gi": 1024, "m": 1, "mi": 1}
    num = quantity.rstrip("GgMmi")
    return float(num) * units[quantity[len(num):].lower()]


def test_deploy_examples_limit_memory_above_the_budget_and_restart():
    import yaml

    deploy = Path(__file__).resolve().parents[2] / "deploy"
    (svc,) = yaml.safe_load((deploy / "docker-compose.yml").read_text())["services"].values()
    budget = float(svc["environment"][memory.BUDGET_ENV])
    assert budget == memory.BUDGET_MB
    assert _mb(svc["mem_limit"]) >= budget + 700 and svc["restart"] in ("unless-stopped", "always")
    deployment = next(d for d in yaml.safe_load_all((deploy / "k8s.yaml").read_text()) if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert float(env[memory.BUDGET_ENV]) == memory.BUDGET_MB
    assert _mb(container["resources"]["limits"]["memory"]) >= memory.BUDGET_MB + 700
    assert pod["restartPolicy"] == "Always"
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/_stcore/health"
