"""Optional log of how long each completed script run took on the server (for load tests).

``NTK_LAB_RUN_LOG=/path/file`` makes ``app/streamlit_app.py`` append one line per
completed run: ``<unix time> <seconds> <page url path> <query string>``. Runs interrupted by a
newer rerun (or stopped) are not logged. ``benchmarks/load_test.py`` sets it on
the server it starts and reports the server's own share of each re-render; the query string lets a slow run be replayed alone.
"""

from __future__ import annotations

import os
import threading
import time

ENV = "NTK_LAB_RUN_LOG"
_lock = threading.Lock()


def record(page: str, seconds: float, query: str = "") -> None:
    """Append one run; ``query`` is the URL-encoded query string (no spaces)."""
    path = os.environ.get(ENV)
    if not path:
        return
    with _lock, open(path, "a", encoding="utf-8") as f:
        f.write(f"{time.time():.3f} {seconds:.4f} {page} {query}".rstrip() + "\n")


def read(path: str, since: float = 0.0, until: float = float("inf")) -> list[tuple[float, float, str, str]]:
    """(unix time, seconds, page, query) of the runs logged in ``path`` that ended in [since, until]."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            t, s, *rest = line.split()
            if since <= float(t) <= until:
                out.append((float(t), float(s), rest[0] if rest else "", rest[1] if len(rest) > 1 else ""))
    return out
