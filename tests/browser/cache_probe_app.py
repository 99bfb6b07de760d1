"""A tiny app with one st.cache_data and one st.cache_resource value (process clock stamps).

It imports ``common`` as app/streamlit_app.py does, so the public-server safeguards of
app/common/hosting.py apply (tests/browser/test_browser_hostile.py sends it ``clear_cache``).
"""

import sys
import time
from pathlib import Path

APP_DIR = Path(__file__).resolve().parents[2] / "app"
if str(APP_DIR) not in sys.path:
    sys.path.insert(0, str(APP_DIR))

import common  # noqa: E402,F401  (common.hosting: clear_cache from a client is ignored)
import streamlit as st  # noqa: E402


@st.cache_data
def data_stamp() -> int:
    return time.time_ns()


@st.cache_resource
def resource_stamp() -> list[int]:
    return [time.time_ns()]


st.markdown(f"STAMPS {data_stamp()} {resource_stamp()[0]}")
