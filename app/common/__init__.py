"""Shared helpers for the NTK Lab pages.

Importing this package first sets process-wide JAX defaults through environment
variables. They only take effect if JAX has not been imported yet, which is why
``app/streamlit_app.py`` imports ``common`` before any page (and so before
``ntkcore``/``jax``) runs. Never call ``jax.config.update`` from a page: it is
process-wide and would change every other session.
"""

from __future__ import annotations

import os
from pathlib import Path

# CPU only (Streamlit Community Cloud has no accelerator) and a persistent
# compilation cache so a restarted server does not recompile everything.
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault(
    "JAX_COMPILATION_CACHE_DIR",
    str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ntk-lab" / "jax"),
)
# Cache every compiled program, not only those taking > 1 s (JAX's default):
# each new width/shape costs several ~0.5 s compiles on a 2-core CPU.
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

# Public-server safeguards, once per process (common/hosting.py): a truncated cache entry is
# deleted before JAX reads it, browsers cannot clear the caches every visitor shares, and
# visitors see no tracebacks.
from common import hosting  # noqa: E402

hosting.repair_compilation_cache(os.environ["JAX_COMPILATION_CACHE_DIR"])
hosting.disable_client_cache_clear()
hosting.hide_error_details()

from common import palette  # noqa: E402
from common.figures import animated_figure, base_layout, heatmap, line, show  # noqa: E402
from common.state import (  # noqa: E402
    Control,
    divergence_warning,
    progress,
    render_controls,
)

__all__ = [
    "Control",
    "animated_figure",
    "base_layout",
    "divergence_warning",
    "heatmap",
    "line",
    "palette",
    "progress",
    "render_controls",
    "show",
]
