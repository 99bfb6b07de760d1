"""Fixtures for end-to-end tests: a real `streamlit run` server + Debian chromium.

Playwright cannot download its own browsers here, so Chromium is launched from
/usr/bin/chromium (scripts/test.sh apt-installs it when missing).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from stbrowser import screenshot, wait_for_app_idle  # noqa: F401  (re-exported)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """`streamlit run <script>` in a subprocess (own process group)."""

    def __init__(self, script: Path, env: dict[str, str] | None = None) -> None:
        self.script = script
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(
            "w+", prefix=f"streamlit-{script.stem}-", suffix=".log", delete=False
        )
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(script),
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ]
        # The start-up warm-up (app/common/warmup.py) is off unless asked for: tests use their pages only.
        environ = {**os.environ, "NTK_LAB_WARMUP": os.environ.get("NTK_LAB_WARMUP", "0"), **(env or {})}
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env=environ,
        )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return
            except OSError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"streamlit not healthy after {SERVER_START_TIMEOUT}s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="session")
def app_server() -> Iterator[StreamlitServer]:
    server = StreamlitServer(ROOT / "app" / "streamlit_app.py")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(app_server: StreamlitServer) -> str:
    """Base URL of the running NTK Lab app, e.g. http://127.0.0.1:45678."""
    return app_server.url


@pytest.fixture(scope="session")
def state_demo_url() -> Iterator[str]:
    """A second server running tests/app/state_demo_app.py (controls only)."""
    server = StreamlitServer(ROOT / "tests" / "app" / "state_demo_app.py")
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    # launch() always starts from a new, empty temporary profile (user data dir)
    # and removes it on close; every test additionally gets its own context.
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page in a new (empty) browser context, 1400x900."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
