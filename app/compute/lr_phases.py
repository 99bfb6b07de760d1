"""Cached computations for the lesson "Learning-rate phases" (/lr-phases).

A one-hidden-layer ReLU network (σ_w = 1, no bias) on ``N_TRAIN`` equally spaced
points of the unit circle, target ½ cos 2γ, trained by full-batch GD for
``STEPS`` steps with η = c · 2/λ0 (λ0 = top eigenvalue of Θ0/N at the seeded
initialization). One fixed data size and step count: every setting reuses the
compiled code of its (width, parameterization).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import ntkcore as nc
from ntkcore import phases as ph

N_TRAIN = 32
STEPS = 300
WIDTHS = (512, 1024, 2048)
PARAMETERIZATIONS = ("ntk", "standard")
SWEEP_CS = tuple(float(c) for c in np.round(np.arange(0.25, 3.0001, 0.125), 4))  # 23 values
REFINE = 3  # extra runs bisecting the catapult → divergence bracket


def data() -> tuple[np.ndarray, np.ndarray]:
    x, gamma = nc.circle_points(N_TRAIN)
    return x, 0.5 * np.cos(2 * gamma)[:, None]


def _model(width: int, parameterization: str) -> nc.MLP:
    return nc.MLP(width=width, depth=1, activation="relu", w_std=1.0, b_std=0.0, parameterization=parameterization)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def run(width: int, parameterization: str, c: float, seed: int) -> dict:
    """One run at η = c · 2/λ0 with λ_max recorded at every step."""
    x, y = data()
    r = ph.lr_phase_run(_model(width, parameterization), x, y, c, STEPS, seed=seed)
    return r._asdict() | {"steps": np.arange(len(r.loss))}


SWEEP_RECORDS = 4  # NTK snapshots per sweep run (only the last one, λ_final, is used)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def sweep_point(width: int, parameterization: str, seed: int, c: float) -> ph.PhaseRun:
    """One sweep run (few NTK snapshots), cached on its own so the sweep can report progress."""
    x, y = data()
    return ph.lr_phase_run(_model(width, parameterization), x, y, c, STEPS, seed=seed, n_records=SWEEP_RECORDS)


def sweep(width: int, parameterization: str, seed: int, progress=None) -> dict:
    """The c sweep (``SWEEP_CS`` plus ``REFINE`` bisection runs at the divergence boundary).

    ``progress(fraction, text)`` is called after each run (each is cached, so a warm sweep is instant).
    """
    x, y = data()
    cb = None if progress is None else (lambda i, n: progress(i / n, f"Sweep over c: run {i} of {n}"))
    s = ph.lr_phase_sweep(_model(width, parameterization), x, y, SWEEP_CS, STEPS, seed=seed, refine=REFINE,
                          callback=cb, run_fn=lambda c: sweep_point(width, parameterization, seed, c))
    return s._asdict() | {"final_lr_lambda": s.final_lr_lambda, "c_catapult": s.c_catapult,
                          "c_divergent": s.c_divergent}
