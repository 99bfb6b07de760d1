"""Write requirements.lock: every package requirements.txt pulls in, pinned to the installed version.

    python scripts/lock_requirements.py          # after `pip install -r requirements.txt`

The closure follows each installed distribution's own requirements (extras not requested are
skipped, environment markers evaluated for this interpreter), like `pip freeze` restricted to
what the app needs (no test tools). The Dockerfile installs from the lock file.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(roots: list[Requirement]) -> dict[str, str]:
    """{canonical name: installed version} of ``roots`` and all their (marker-applicable) dependencies."""
    pinned: dict[str, str] = {}
    todo = [(r, frozenset(r.extras)) for r in roots]
    seen: set[tuple[str, frozenset]] = set()
    while todo:
        req, extras = todo.pop()
        key = (_norm(req.name), extras)
        if key in seen:
            continue
        seen.add(key)
        dist = metadata.distribution(req.name)
        pinned[_norm(dist.metadata["Name"])] = dist.version
        for dep in map(Requirement, dist.requires or ()):
            env = [{"extra": e} for e in extras] or [{"extra": ""}]
            if dep.marker is None or any(dep.marker.evaluate(e) for e in env):
                todo.append((dep, frozenset(dep.extras)))
    return pinned


def main() -> None:
    roots = [Requirement(line.split("#")[0].strip()) for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line.split("#")[0].strip() and not line.strip().startswith("-")]
    pinned = closure(roots)
    lines = [
        "# Every package requirements.txt pulls in, pinned (python scripts/lock_requirements.py;",
        f"# Python {sys.version_info.major}.{sys.version_info.minor}, Linux x86_64). The Dockerfile installs this file,",
        "# then ntkcore with `pip install --no-deps -e .`.",
        *(f"{name}=={version}" for name, version in sorted(pinned.items())),
    ]
    (ROOT / "requirements.lock").write_text("\n".join(lines) + "\n")
    print(f"requirements.lock: {len(pinned)} packages")


if __name__ == "__main__":
    main()
