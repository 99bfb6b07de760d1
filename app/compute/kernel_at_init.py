"""Cached computations for the lesson "The kernel at initialization".

Inputs are ``N_POINTS`` equally spaced points on the unit circle, ordered by
angle γ (the setting of Jacot et al. 2018, Fig. 1). For every width the page
needs, ``ntk_samples`` draws ``N_SEEDS`` networks (seeds seed … seed+9) with
``ntkcore.monte_carlo_kernels`` and keeps every sample, so the heatmap (the
first sample = the chosen seed), the Jacot slice (all samples) and the width
sweep share one cached computation per width.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import streamlit as st

import ntkcore as nc

N_POINTS = 64  # circle points (one fixed size: JIT compiles are reused)
N_SEEDS = 10  # networks per width (Jacot et al. use 10)
WIDTHS = (16, 64, 256, 1024, 4096)  # the width control and the sweep
ACTIVATIONS = ("relu", "erf", "tanh", "gelu", "identity")
B_STDS = (0.0, 0.05, 0.1, 0.2, 0.5, 1.0)  # few values: each is a new JIT compile per width
# Cost of drawing one network ∝ (depth − 1)·width² (its hidden weight matrices):
# measured on the 2-core machine, 10 networks at depth 3, width 1024 take ~0.4–1.2 s,
# at width 4096 ~25 s. Allow at most the equivalent of depth 3 at width 1024.
MAX_HIDDEN_WEIGHTS = 2 * 1024**2


def allowed(width: int, depth: int) -> bool:
    """Can ``N_SEEDS`` networks of this size be drawn live (≲ 1.5 s)?"""
    return (depth - 1) * width**2 <= MAX_HIDDEN_WEIGHTS


def allowed_widths(depth: int) -> tuple[int, ...]:
    return tuple(w for w in WIDTHS if allowed(w, depth))


def circle_inputs() -> tuple[np.ndarray, np.ndarray]:
    """(x (N, 2), γ (N,)) with γ_i = 2πi/N; x_0 = (1, 0)."""
    return nc.circle_points(N_POINTS)


def _model(width: int, depth: int, activation: str, w_std: float, b_std: float) -> nc.MLP:
    return nc.MLP(width=width, depth=depth, activation=activation, w_std=w_std, b_std=b_std,
                  parameterization="ntk")


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def infinite_ntk(depth: int, activation: str, w_std: float, b_std: float) -> np.ndarray:
    """Θ∞ on the circle inputs, (N, N) float64."""
    x, _ = circle_inputs()
    model = _model(1, depth, activation, w_std, b_std)  # width is irrelevant in the limit
    return np.asarray(nc.infinite_kernels(model, x).ntk, np.float64)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def ntk_samples(width: int, depth: int, activation: str, w_std: float, b_std: float,
                seed: int) -> np.ndarray:
    """Empirical Θ of ``N_SEEDS`` networks (seeds seed, seed+1, …): (N_SEEDS, N, N) float32.

    Sample 0 is exactly the network ``model.init(jax.random.key(seed), 2)``.
    """
    if not allowed(width, depth):
        raise ValueError(f"width {width} at depth {depth} is too expensive to sample live")
    x, _ = circle_inputs()
    mc = nc.monte_carlo_kernels(_model(width, depth, activation, w_std, b_std), x,
                                n_samples=N_SEEDS, seed=seed, keep_samples=True)
    return np.asarray(mc.ntk_samples, np.float32)


def relative_errors(samples: np.ndarray, theta_inf: np.ndarray) -> np.ndarray:
    """‖Θ_s − Θ∞‖_F / ‖Θ∞‖_F for every sample s: (S,)."""
    diff = np.asarray(samples, np.float64) - theta_inf[None]
    return np.linalg.norm(diff.reshape(len(diff), -1), axis=1) / np.linalg.norm(theta_inf)


class Sweep(NamedTuple):
    widths: np.ndarray  # (W,)
    errors: np.ndarray  # (W, N_SEEDS) relative Frobenius errors
    rms: np.ndarray  # (W,) root mean square over seeds
    slope: float  # fitted exponent of rms ∝ width^slope
    intercept: float  # log10 rms = intercept + slope · log10 width


def fit_power_law(widths, values) -> tuple[float, float]:
    """Least-squares line through (log10 width, log10 value): (slope, intercept)."""
    slope, intercept = np.polyfit(np.log10(np.asarray(widths, float)), np.log10(np.asarray(values, float)), 1)
    return float(slope), float(intercept)


def sweep(widths, errors) -> Sweep:
    widths = np.asarray(widths, float)
    errors = np.asarray(errors, float)
    rms = np.sqrt(np.mean(errors**2, axis=1))
    slope, intercept = fit_power_law(widths, rms) if len(widths) >= 2 else (math.nan, math.nan)
    return Sweep(widths, errors, rms, slope, intercept)


def slice_order(gamma: np.ndarray) -> np.ndarray:
    """Indices that reorder the circle points to γ ∈ [−π, π) (peak at γ = 0 in the middle)."""
    g = np.where(gamma >= np.pi, gamma - 2 * np.pi, gamma)
    return np.argsort(g, kind="stable")
