"""NTK Lab entrypoint: page config, navigation, nothing else.

Run with ``streamlit run app/streamlit_app.py``. Each lesson lives in its own
script in ``app/lessons/``; shared helpers are in ``app/common/``.
"""

from __future__ import annotations

import sys
import time
import urllib.parse
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
REPO_ROOT = APP_DIR.parent
# `import ntkcore` (repo root) and `from common import ...` (app dir) must work
# under `streamlit run`, AppTest and the browser tests, installed or not.
for p in (str(REPO_ROOT), str(APP_DIR)):
    if p not in sys.path:
        sys.path.insert(0, p)

import common  # noqa: E402,F401  (sets JAX env defaults before any page imports jax)
import streamlit as st  # noqa: E402

st.set_page_config(page_title="NTK Lab", page_icon=":material/hub:", layout="wide")

from common import memory, runlog  # noqa: E402
from common.warmup import start_background  # noqa: E402

start_background()  # once per server process: every page's defaults in a background thread

LESSONS = APP_DIR / "lessons"
PAGES = [
    # The default page is served at "/"; its own pathname is only reserved, never shown.
    st.Page(LESSONS / "welcome.py", title="Welcome", icon=":material/waving_hand:", url_path="home",
            default=True),
    st.Page(LESSONS / "kernel_at_init.py", title="The kernel at initialization",
            icon=":material/grid_on:", url_path="kernel-at-init"),
    st.Page(LESSONS / "training.py", title="Training is kernel regression",
            icon=":material/model_training:", url_path="training"),
    st.Page(LESSONS / "drift.py", title="Kernel drift: lazy vs rich",
            icon=":material/moving:", url_path="drift"),
    st.Page(LESSONS / "spectrum.py", title="Spectrum and spectral bias",
            icon=":material/equalizer:", url_path="spectrum"),
    st.Page(LESSONS / "nngp.py", title="NNGP and ensembles",
            icon=":material/stacked_line_chart:", url_path="nngp"),
]
# Later lessons go in their own sidebar sections (append pages; empty sections are not shown).
BEYOND_MLPS: list = [       # issue 4: other architectures
    st.Page(LESSONS / "beyond_mlps.py", title="Beyond MLPs: CNN, RNN, attention",
            icon=":material/account_tree:", url_path="beyond-mlps"),
]
BEYOND_LAZY: list = [       # issue 5: where the kernel picture breaks
    st.Page(LESSONS / "lr_phases.py", title="Learning-rate phases: catapult",
            icon=":material/rocket_launch:", url_path="lr-phases"),
    st.Page(LESSONS / "depth_init.py", title="Depth and initialization: order/chaos",
            icon=":material/blur_on:", url_path="depth-init"),
    st.Page(LESSONS / "features.py", title="When features win", icon=":material/insights:", url_path="features"),
    st.Page(LESSONS / "scaling.py", title="Scaling of kernel regression", icon=":material/show_chart:",
            url_path="scaling"),
    st.Page(LESSONS / "generalization.py", title="Interpolation and generalization", icon=":material/blur_linear:",
            url_path="generalization"),
]
CLASSROOM: list = [         # issue 6: presets, guided tours
    st.Page(LESSONS / "presets.py", title="Preset gallery", icon=":material/collections_bookmark:",
            url_path="presets"),
]
SECTIONS = {"Lessons": PAGES, "Other architectures": BEYOND_MLPS, "Beyond the lazy regime": BEYOND_LAZY,
            "Classroom": CLASSROOM}



def _welcome_alias() -> None:
    # Streamlit serves the default page at "/", so a shared link to /welcome would otherwise
    # open a "Page not found" dialog; forward it (with its settings) to the real page.
    st.switch_page(PAGES[0], query_params=st.query_params.to_dict())


ALIASES = [st.Page(_welcome_alias, title="Welcome", url_path="welcome", visibility="hidden")]

COURSE = [page for pages in SECTIONS.values() for page in pages]  # the course in reading order


def _previous_next(current) -> None:
    """Links to the lessons before and after ``current`` in the course, at the end of every page."""
    paths = [p.url_path for p in COURSE]
    if current.url_path not in paths:
        return
    i = paths.index(current.url_path)
    st.divider()
    left, right = st.columns(2)
    if i > 0:
        left.page_link(COURSE[i - 1], label=f"Previous: {COURSE[i - 1].title}", icon=":material/arrow_back:")
    if i + 1 < len(COURSE):
        right.page_link(COURSE[i + 1], label=f"Next: {COURSE[i + 1].title}", icon=":material/arrow_forward:")


SECTIONS = {name: pages + (ALIASES if name == "Lessons" else []) for name, pages in SECTIONS.items() if pages}
_page = st.navigation(SECTIONS, position="sidebar")
_t0 = time.perf_counter()
try:
    _page.run()
    _previous_next(_page)
finally:  # also after st.stop/st.rerun and exceptions: over NTK_LAB_MEMORY_MB -> release (common/memory.py)
    memory.enforce(background=True)
runlog.record(_page.url_path or "home", time.perf_counter() - _t0,
              urllib.parse.urlencode(st.query_params.to_dict()))  # a no-op unless NTK_LAB_RUN_LOG is set
