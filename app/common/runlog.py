"""Optional log of how long each completed script run took on the server (for load tests).

``NTK_LAB_RUN_LOG=/path/file`` makes ``app/streamlit_app.py`` append one line per
completed run: ``<unix time> <seconds> <page url path>``. Runs interrupted by a
newer rerun (or stopped) are not logged. ``benchmarks/load_test.py`` sets it on
the server it starts and reports the server's own share of each re-render.
"""

from __future__ import annotations

import os
import threading
import time

ENV = "NTK_LAB_RUN_LOG"
_lock = threading.Lock()


def record(page: str, seconds: float) -> None:
    path = os.environ.get(ENV)
    if not path:
        return
    with _lock, open(path, "a", encoding="utf-8") as f:
        f.write(f"{time.time():.3f} {seconds:.4f} {page}\n")


def read(path: str, since: float = 0.0, until: float = float("inf")) -> list[tuple[float, float, str]]:
    """(unix time, seconds, page) of the runs logged in ``path`` that ended in [since, until]."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            t, s, *page = line.split()
            if since <= float(t) <= until:
                out.append((float(t), float(s), page[0] if page else ""))
    return out
