"""Preset gallery data: named one-click configurations of the lessons.

Each preset lands on a lesson (``page`` = its ``url_path``) with URL parameters
``params`` (control key → value as written in the URL; a select control is written with its
option's short key, e.g. ``param="ntk"``, never its display label) and
says in one sentence what to look at. The gallery page (``app/lessons/presets.py``) turns
them into cards; tests/app/test_classroom.py checks that every page exists and
every parameter is a valid value of that page's control (no fallback warning).
Only add presets for pages that exist in ``app/streamlit_app.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Preset:
    name: str
    page: str  # url_path of the target page
    params: dict[str, str] = field(default_factory=dict)
    what: str = ""  # one sentence: what to see
    source: str = ""  # the paper / reference it reproduces


PRESETS: tuple[Preset, ...] = (
    Preset(
        "Jacot et al. Fig. 1", "kernel-at-init",
        {"width": "1024", "depth": "3", "activation": "relu", "b_std": "0.1"},
        "Ten random ReLU networks' kernel slices Θ(x₀, x) hug the infinite-width Θ∞; the width sweep "
        "shows the spread falling about like width^−½ (fitted slope ≈ −0.56).",
        "Jacot et al. 2018, Fig. 1 (their widths 500 and 10 000; here 1024)",
    ),
    Preset(
        "Lee et al. width scaling", "drift",
        {"param": "ntk", "alpha": "1", "steps": "2000"},
        "Under NTK parameterization the weight change falls about like width^−½ and the kernel change "
        "faster (measured here: fitted slopes ≈ −0.52 and −0.93): read them on the log–log plot.",
        "Lee et al. 2019 (the width scaling they report; this project's own circle run)",
    ),
    Preset(
        "neural-tangents cookbook", "nngp",
        {"width": "512", "nets": "10", "noise": "0.1", "steps": "1000"},
        "An ensemble of trained Erf networks (blue band) lies close to the infinite-width NTK prediction "
        "(green); the NNGP posterior (purple) differs slightly and, with noise σ = 0.1, misses the points.",
        "Novak et al. 2020 (neural-tangents), cookbook notebook's task; Lee et al. 2019",
    ),
    Preset(
        "Lazy vs rich by output scale", "drift",
        {"alpha": "0.1", "lr_frac": "0.1", "width": "128"},
        "At small output scale α the neurons travel far and Θₜ − Θ₀ changes by order one (rich); press "
        "▶ Play, then set α = 10 and watch them freeze (lazy).",
        "Chizat, Oyallon & Bach 2019",
    ),
    Preset(
        "Spectral bias", "spectrum",
        {"target": "mix", "steps": "3000"},
        "Low frequencies (large eigenvalues) are fitted within tens of steps, cos 6γ only after "
        "thousands: the residual of each mode falls like (1 − ηλ)^t, which the linearized model follows "
        "exactly and this wide network closely.",
        "Rahaman et al. 2019; Basri et al. 2019",
    ),
    Preset(
        "Missing odd frequencies", "spectrum",
        {"depth": "1", "b_std": "0", "target": "sin3"},
        "A bias-free one-hidden-layer ReLU network cannot represent sin 3γ at any width (its NTK's odd "
        "modes k ≥ 3 are exactly zero): ½ sin 3γ is not learned at all, only the random initial function "
        "is fitted away.",
        "Basri et al. 2019",
    ),
    Preset(
        "Catapult", "lr-phases",
        {"c": "1.5", "width": "1024", "param": "ntk"},
        "Above the linearized model's bound (η = 1.5 · 2/λ0) the network's loss spikes about 20×, λ_max "
        "falls below 2/η, and training then converges; the sweep marks the lazy, catapult and divergent "
        "ranges of η measured for this network.",
        "Lewkowycz et al. 2020",
    ),
    Preset(
        "Order/chaos edge", "depth-init",
        {"activation": "erf", "sw2": "1.4", "sb2": "0.05", "depth": "40"},
        "Next to the critical line (χ1 ≈ 1.01) the depth scale is ≈ 150 layers and a 40-layer network cuts "
        "its loss ~2000×; move σ_w² to 0.8 (ordered) and it stalls at ~98 % of its initial loss, to 3.5 "
        "(chaotic) and ~20 % is left.",
        "Schoenholz et al. 2017; Xiao et al. 2020",
    ),
    Preset(
        "Features win", "features",
        {"part": "lazy vs rich", "target": "abs", "fa": "0.1"},
        "Trained at small output scale α the network finds the hidden direction and beats infinite-width "
        "NTK regression by far (test error ≈ 0.13–0.25 vs 0.66); the phase diagram's lazy/rich boundary "
        "follows α·√width (fitted exponent ratio ≈ 0.53 vs 0.5).",
        "Chizat, Oyallon & Bach 2019; Geiger et al. 2020",
    ),
    Preset(
        "CNTK sees shifts", "beyond-mlps",
        {"part": "digit kernels", "depth": "2", "digit": "37", "dx": "2", "dy": "0"},
        "Shifted two pixels, digit #37 stays among the few digits most similar to itself under the "
        "CNN-GAP kernel (pooling; rank 4 of 100), but not under the MLP kernel (rank 48), which compares "
        "pixel by pixel.",
        "Arora et al. 2019; Novak et al. 2019",
    ),
    Preset(
        "Wide networks are linear", "training",
        {"width": "4096", "task": "sine"},
        "At width 4096 the network, its linearization and the infinite-width kernel regression "
        "stay within about 0.03 of each other (RMS) for the whole training run.",
        "Lee et al. 2019",
    ),
    Preset(
        "Double descent", "generalization",
        {"part": "double descent", "noise": "0.5", "ridge": "0"},
        "The linearized network's test error explodes where its P = 4·width + 1 features just reach the "
        "n = 64 training points, then falls again towards the infinite-width kernel's; set the ridge to 0.01 "
        "and the peak is gone.",
        "Belkin et al. 2019",
    ),
)


def lesson_scripts() -> dict[str, Path]:
    """url_path → page script, read from the entrypoint (without running it)."""
    try:
        from common.pages import lesson_pages

        return {p.url_path: p.script for p in lesson_pages()}
    except ImportError:  # fallback: parse the st.Page(LESSONS / "x.py", ..., url_path="...") calls
        import re

        app = Path(__file__).resolve().parent
        text = (app / "streamlit_app.py").read_text(encoding="utf-8")
        calls = re.findall(r'st\.Page\(\s*LESSONS\s*/\s*"([^"]+)"(.*?)\)', text, flags=re.DOTALL)
        out = {}
        for script, rest in calls:
            m = re.search(r'url_path="([^"]+)"', rest)
            out[m.group(1) if m else Path(script).stem] = app / "lessons" / script
        return out


def available() -> list[Preset]:
    """The presets whose page exists in the navigation."""
    pages = lesson_scripts()
    return [p for p in PRESETS if p.page in pages]
