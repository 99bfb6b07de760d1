"""Helpers for the browser tests (import as `from stbrowser import ...`).

Kept out of conftest.py so test modules can import them by a unique name.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
APP_IDLE_TIMEOUT_MS = 120_000
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def wait_for_app_idle(page, timeout_ms: int = APP_IDLE_TIMEOUT_MS) -> None:
    """Wait until the current script run has finished and nothing is loading."""
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=stSkeleton]').length === 0",
        timeout=timeout_ms,
    )
    # A rerun can start right after the first one finishes (e.g. a widget change
    # that was just sent); settle briefly and check again.
    page.wait_for_timeout(250)
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a PNG under test-output/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
