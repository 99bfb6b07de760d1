import os
import sys
from pathlib import Path

# Tests read exception messages (at.exception); visitors get "none" (app/common/hosting.py).
os.environ.setdefault("NTK_LAB_ERROR_DETAILS", "full")

ROOT = Path(__file__).resolve().parents[2]
# `from common.state import Control` in tests (the app adds these itself at run time).
for p in (str(ROOT), str(ROOT / "app")):
    if p not in sys.path:
        sys.path.insert(0, p)
