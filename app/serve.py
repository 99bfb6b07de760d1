"""Production entrypoint: ``streamlit run app/serve.py`` — the app of ``streamlit_app.py`` plus a start-up hook
and a middleware that hides ``/_stcore/metrics``.

``st.App`` (Streamlit ≥ 1.5x, ASGI) runs ``lifespan`` once when the server starts,
before any visitor: it starts the warm-up thread (``common/warmup.py``), which
computes every page's default settings in the background. ``streamlit run
app/streamlit_app.py`` serves the same app without this hook; there the warm-up
starts with the first visitor's script run instead (Streamlit Community Cloud).
"""

from __future__ import annotations

import sys
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st

APP_DIR = Path(__file__).resolve().parent
for p in (str(APP_DIR.parent), str(APP_DIR)):
    if p not in sys.path:
        sys.path.insert(0, p)


# Before the server accepts connections: JAX environment defaults and the public-server
# safeguards (common/hosting.py: clear_cache from browsers ignored, no tracebacks for visitors,
# unreadable compilation-cache entries removed).
import common  # noqa: E402,F401
from common import hosting  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402


@asynccontextmanager
async def lifespan(_app):
    from common.warmup import start_background

    start_background()
    yield


# /_stcore/metrics (Streamlit's OpenMetrics, public by default and not configurable) answers 404.
app = st.App("streamlit_app.py", lifespan=lifespan, middleware=[Middleware(hosting.BlockPaths)])
