"""Screenshots of app pages at the room's three screens: phone, laptop, projector (presenter mode).

    python scripts/screenshots.py /training "/spectrum?lr=1.1" --out test-output/shots
    python scripts/screenshots.py --all                      # every page of the navigation
    python scripts/screenshots.py /nngp --url http://127.0.0.1:8501   # an already running server

Starts its own ``streamlit run app/streamlit_app.py`` (warm-up off) unless ``--url`` is given,
drives Debian's Chromium through Playwright and writes ``<out>/<page>-<screen>.png`` (full page).
Phone: 390×844, touch, device scale 1; laptop: 1280×720; projector: 1920×1080 with ``present=1``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

SCREENS = {
    "phone": dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True),
    "laptop": dict(viewport={"width": 1280, "height": 720}),
    "projector": dict(viewport={"width": 1920, "height": 1080}),
}


MAX_HEIGHT = 9000
HEIGHT_JS = "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stMainBlockContainer]')].map(e => e.scrollHeight), window.innerHeight)"
# Widest element past the window's right edge (the document itself and the main container's scroll area).
OVERFLOW_JS = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  return Math.max(document.documentElement.scrollWidth - window.innerWidth,
                  main ? main.scrollWidth - main.clientWidth : 0);
}"""


def _with_param(path: str, param: str) -> str:
    return path + ("&" if "?" in path else "?") + param


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", help="page paths with optional query, e.g. /training?width=64")
    ap.add_argument("--all", action="store_true", help="every page of the navigation at its defaults")
    ap.add_argument("--out", default=str(ROOT / "test-output" / "shots"))
    ap.add_argument("--url", help="base URL of a running server (default: start one)")
    ap.add_argument("--screens", default="phone,laptop,projector")
    args = ap.parse_args(argv)

    from conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer
    from playwright.sync_api import sync_playwright
    from stbrowser import wait_for_app_idle

    paths = list(args.paths)
    if args.all:
        sys.path.insert(0, str(ROOT / "app"))
        from common.pages import lesson_pages

        paths += ["/" + (p.url_path if p.url_path != "home" else "") for p in lesson_pages()]
    if not paths:
        ap.error("name at least one page path, or --all")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    server = None if args.url else StreamlitServer(ROOT / "app" / "streamlit_app.py")
    base = args.url or server.url
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for screen in args.screens.split(","):
                ctx = browser.new_context(**SCREENS[screen])
                page = ctx.new_page()
                page.set_default_timeout(180_000)
                for path in paths:
                    url = base + (_with_param(path, "present=1") if screen == "projector" else path)
                    page.goto(url)
                    wait_for_app_idle(page, timeout_ms=300_000)
                    page.wait_for_timeout(800)  # let Plotly finish its second (width) draw
                    name = re.sub(r"[^A-Za-z0-9_.=-]+", "_", path.strip("/") or "home")
                    dest = out / f"{name}-{screen}.png"
                    overflow = page.evaluate(OVERFLOW_JS)
                    # Streamlit scrolls inside its main container, so a full-page shot of the document
                    # is one screen: grow the window to the content's height for the shot.
                    size = SCREENS[screen]["viewport"]
                    tall = min(page.evaluate(HEIGHT_JS), MAX_HEIGHT)
                    if tall > size["height"]:
                        page.set_viewport_size({"width": size["width"], "height": tall})
                        page.wait_for_timeout(1500)
                    page.screenshot(path=str(dest), full_page=True)
                    page.set_viewport_size(size)
                    print(f"{dest}  height {tall}px  horizontal overflow {overflow}px")
                ctx.close()
            browser.close()
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
