"""Warm the compile caches in the foreground: ``python -m app.warmup`` (from the repository root).

Runs every lesson page once with its default settings (see ``app/common/warmup.py``)
and prints the time per page. The server does the same in a background thread at
start-up; running this first (e.g. in a Docker build) fills the persistent JAX
compilation cache so even that background warm-up mostly loads compiled code.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
for p in (str(APP_DIR.parent), str(APP_DIR)):
    if p not in sys.path:
        sys.path.insert(0, p)

import common  # noqa: F401  (JAX environment defaults before jax is imported)
from common.warmup import STATUS, warm


def main() -> int:
    import logging

    # Bare mode: Streamlit warns about the missing runtime on every element; keep the output readable.
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    warm(log=print)
    return 1 if STATUS["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
