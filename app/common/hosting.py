"""Process-wide safeguards for a public server, applied once at start-up (``common/__init__.py``).

- ``disable_client_cache_clear``: Streamlit (1.67) clears the data and resource caches of
  *every* session when any websocket client sends ``BackMsg(clear_cache=True)`` — no token,
  no setting to turn it off (``runtime/app_session.py``). One anonymous message would throw away
  the warm-up's work for everyone. The handler is replaced by one that ignores the request.
- ``hide_error_details``: visitors never see a traceback (server paths, code). Streamlit's
  ``client.showErrorDetails`` defaults to "full"; ``.streamlit/config.toml`` sets "none", but a
  host may pass its own value (Streamlit's source says Community Cloud uses the legacy ``False``,
  which shows the stack trace), so the app sets it again from code. The traceback still goes to
  the server log. ``NTK_LAB_ERROR_DETAILS=full`` (or stacktrace/type) shows more, for development.
- ``BlockPaths``: an ASGI middleware answering 404 for ``/_stcore/metrics`` (Streamlit 1.67 serves
  its OpenMetrics endpoint to anyone and has no setting to turn it off); ``app/serve.py`` installs
  it. Under ``streamlit run app/streamlit_app.py`` (Community Cloud) it cannot be installed: a
  reverse proxy in front should deny that path instead.
- ``repair_compilation_cache``: JAX never rewrites an on-disk compilation-cache entry it cannot
  read (e.g. truncated by a full disk): it logs "truncated stream" and recompiles on every
  restart. Unreadable entries are deleted before JAX looks at them.
"""

from __future__ import annotations

import logging
import os
import time
import zlib
from pathlib import Path

log = logging.getLogger("ntk_lab.hosting")

ALLOW_CLEAR_ENV = "NTK_LAB_ALLOW_CLIENT_CACHE_CLEAR"  # "1": keep Streamlit's behaviour (local development)
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
CACHE_SUFFIX, ATIME_SUFFIX = "-cache", "-atime"  # jax/_src/lru_cache.py's file names


BLOCKED_PATHS = ("/_stcore/metrics",)


class BlockPaths:
    """ASGI middleware: 404 for HTTP requests whose path ends with one of ``paths`` (any base URL)."""

    def __init__(self, app, paths: tuple[str, ...] = BLOCKED_PATHS) -> None:
        self.app, self.paths = app, tuple(paths)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope.get("path", "").rstrip("/").endswith(self.paths):
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": b"Not found"})
            return
        await self.app(scope, receive, send)


ERROR_DETAILS_ENV = "NTK_LAB_ERROR_DETAILS"
ERROR_DETAILS = ("full", "stacktrace", "type", "none")  # Streamlit 1.67's ShowErrorDetailsConfigOptions


def hide_error_details() -> str:
    """Set ``client.showErrorDetails`` to ``NTK_LAB_ERROR_DETAILS`` (default "none"); returns it."""
    value = os.environ.get(ERROR_DETAILS_ENV, "none").strip().lower()
    if value not in ERROR_DETAILS:
        log.warning("%s=%r is not one of %s; using none", ERROR_DETAILS_ENV, value, ", ".join(ERROR_DETAILS))
        value = "none"
    import streamlit as st

    st.set_option("client.showErrorDetails", value)
    return value


def _ignore_clear_cache(self) -> None:
    log.warning("Ignored a client's clear_cache request (caches are shared by every visitor; %s=1 allows it)",
                ALLOW_CLEAR_ENV)


def disable_client_cache_clear() -> bool:
    """Make Streamlit ignore ``clear_cache`` requests from browsers. Returns True if patched.

    A narrow override of one private method, ``AppSession._handle_clear_cache_request`` (the only
    thing the message does); the app never needs it, and ``st.cache_data.clear()`` from server code
    still works. Set ``NTK_LAB_ALLOW_CLIENT_CACHE_CLEAR=1`` to keep Streamlit's default.
    """
    if os.environ.get(ALLOW_CLEAR_ENV) == "1":
        return False
    from streamlit.runtime.app_session import AppSession

    if not hasattr(AppSession, "_handle_clear_cache_request"):  # Streamlit changed: say so, do not guess
        log.warning("Streamlit has no AppSession._handle_clear_cache_request; clear_cache is not guarded")
        return False
    AppSession._handle_clear_cache_request = _ignore_clear_cache
    return True


def _decompresses(data: bytes) -> bool:
    """Whether a cache entry (zstd or zlib, as JAX writes them) decompresses completely to > 4 bytes
    (JAX's layout: 4 bytes of compile time, then the serialized executable)."""
    try:
        if data[:4] == ZSTD_MAGIC:
            try:
                from compression import zstd  # Python ≥ 3.14

                out = zstd.decompress(data)
            except ImportError:
                import zstandard  # JAX's choice before 3.14; without it JAX cannot read the entry either

                out = zstandard.ZstdDecompressor().decompress(data)
            return len(out) > 4
        d = zlib.decompressobj()
        n = len(d.decompress(data)) + len(d.flush())
        return d.eof and not d.unused_data and n > 4
    except Exception:  # zlib.error, zstd errors, ImportError: JAX would fail on it the same way
        return False


MANIFEST = "ntk-lab-verified.txt"  # entries already checked: "name size mtime_ns" per line


def _manifest(root: Path) -> set[tuple[str, int, int]]:
    try:
        lines = (root / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    out = set()
    for line in lines:
        parts = line.rsplit(" ", 2)
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            out.add((parts[0], int(parts[1]), int(parts[2])))
    return out


def repair_compilation_cache(cache_dir: str | os.PathLike | None, min_age_s: float = 60.0) -> list[Path]:
    """Delete compilation-cache entries that do not decompress (and their access-time files).

    Entries modified in the last ``min_age_s`` seconds are left alone: another process may be
    writing them right now (JAX writes entries in place, not atomically). Entries found readable
    are listed (name, size, mtime) in ``MANIFEST`` and not decompressed again at the next start
    (~0.4 s per 25 MB of entries otherwise). Returns the deleted files.
    """
    if not cache_dir:
        return []
    root = Path(cache_dir)
    if not root.is_dir():
        return []
    known = _manifest(root)
    verified: list[tuple[str, int, int]] = []
    removed: list[Path] = []
    now = time.time()
    for entry in root.glob(f"*{CACHE_SUFFIX}"):
        try:
            st = entry.stat()
            sig = (entry.name, st.st_size, st.st_mtime_ns)
            if now - st.st_mtime < min_age_s:
                continue
            if sig in known or _decompresses(entry.read_bytes()):
                verified.append(sig)
                continue
            entry.unlink()
            removed.append(entry)
            entry.with_name(entry.name.removesuffix(CACHE_SUFFIX) + ATIME_SUFFIX).unlink(missing_ok=True)
        except OSError:  # vanished meanwhile, or not ours to delete: JAX copes
            continue
    if set(verified) != known:
        tmp = root / f".{MANIFEST}.{os.getpid()}"
        try:  # atomic replace: concurrent start-ups each write a complete list
            tmp.write_text("".join(f"{n} {size} {mt}\n" for n, size, mt in sorted(verified)), encoding="utf-8")
            tmp.replace(root / MANIFEST)
        except OSError:
            tmp.unlink(missing_ok=True)
    if removed:
        log.warning("Removed %d unreadable compilation-cache entries from %s", len(removed), root)
    return removed
