"""Cached computations for the lesson "Depth and initialization" (/depth-init).

Phase diagrams come from the infinite-width variance and correlation maps
(``ntkcore.criticality``) on one fixed grid per activation. The depth profile uses
the infinite-width kernels of MLPs of every depth 0..MAX_DEPTH on ``N_KERNEL``
points of the circle of radius √2 (so x·x/d = 1), computed in one pass. The
trainability run is a real finite network (``criticality.deep_mlp_gd``: one
compiled program for every depth).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import ntkcore as nc
from ntkcore import criticality as cr

ACTIVATIONS = ("erf", "tanh", "relu")
SW2_GRID = tuple(float(v) for v in np.round(np.linspace(0.25, 4.0, 51), 4))
SB2_GRID = tuple(float(v) for v in np.round(np.linspace(0.0, 0.5, 26), 4))
# tanh has no closed form (2-D quadrature, ~30× the cost): a coarser grid keeps its first load in budget
COARSE = {"tanh": (tuple(float(v) for v in np.round(np.linspace(0.25, 4.0, 26), 4)),
                   tuple(float(v) for v in np.round(np.linspace(0.0, 0.5, 14), 4)))}
SB2_LINE = tuple(float(v) for v in np.round(np.linspace(0.0, 0.5, 101), 4))  # the critical line, finer
MAX_DEPTH = 50
N_KERNEL = 16
PAIRS = ((0, 2, "π/4"), (0, 4, "π/2"), (0, 8, "π"))  # input pairs (index i, j, angle between them)
WIDTH = 64
STEPS = 200
COND_MAX = 1e7  # largest condition number float32 kernels resolve
LR_C = 0.25  # η = LR_C · 2/λ_max (a quarter of the stability bound: few finite-width spikes)
PUBLISHED = {  # reference critical σ_w² at σ_b² = 0, 0.05, 0.1, 0.3 from an independent quadrature of χ1 = 1
    # (docs/claims.md; not a table of Schoenholz et al. 2017, who draw the tanh line in a figure)
    "tanh": (1.00, 1.76, 1.99, 2.51), "erf": (0.785, 1.38, 1.55, 1.96), "relu": (2.0, None, None, None),
}
PUBLISHED_SB2 = (0.0, 0.05, 0.1, 0.3)
Q_LINE = SW2_GRID[-1] + SB2_GRID[-1] + 1.0  # largest variance searched along the critical line


def inputs() -> tuple[np.ndarray, np.ndarray]:
    x, gamma = nc.circle_points(N_KERNEL)
    return np.sqrt(2.0) * x, np.cos(2 * gamma)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def diagram(activation: str) -> dict:
    """The phase diagram on the fixed grid and the critical line on a finer σ_b² grid."""
    sw2_grid, sb2_grid = COARSE.get(activation, (SW2_GRID, SB2_GRID))
    pd = cr.phase_diagram(activation, np.array(sw2_grid), np.array(sb2_grid))
    # one call (one compile) for the line and the published σ_b² values
    both = cr.critical_sigma_w2(activation, np.array(SB2_LINE + PUBLISHED_SB2), q_max=Q_LINE)
    line, published = both[:len(SB2_LINE)], both[len(SB2_LINE):]
    return pd._asdict() | {"line_sb2": np.array(SB2_LINE), "line_sw2": line, "activation": activation,
                           "published_sb2": np.array(PUBLISHED_SB2), "published_sw2": PUBLISHED[activation],
                           "measured_critical": published}


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def critical_here(activation: str, sb2: float) -> float:
    """Critical σ_w² at this σ_b² (NaN where the line does not reach it)."""
    return float(cr.critical_sigma_w2(activation, sb2, q_max=Q_LINE))


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def point(activation: str, sw2: float, sb2: float) -> dict:
    """q*, c*, χ1, χ_c, ξ_c at the chosen point."""
    crit = cr.criticality(activation, sw2, sb2)
    return {k: float(v) for k, v in crit._asdict().items()}


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def depth_profile(activation: str, sw2: float, sb2: float) -> dict:
    """Θ∞ and K∞ at every depth: condition number, input correlations, infinite-width trainability."""
    x, y = inputs()
    dk = cr.kernels_by_depth(activation, sw2, sb2, x, MAX_DEPTH)
    depths = dk.depths[1:]  # at least one hidden layer
    nngp, ntk = np.asarray(dk.nngp[1:], np.float64), np.asarray(dk.ntk[1:], np.float64)
    finite = np.all(np.isfinite(ntk), axis=(1, 2)) & np.all(np.isfinite(nngp), axis=(1, 2))
    diag = np.sqrt(np.abs(np.einsum("lii->li", nngp)))
    corr = {label: np.where(finite, nngp[:, i, j] / (diag[:, i] * diag[:, j]), np.nan) for i, j, label in PAIRS}
    cond = np.full(len(depths), np.nan)
    loss_ratio = np.full(len(depths), np.nan)
    for l in np.flatnonzero(finite):
        lam, vec = np.linalg.eigh((ntk[l] + ntk[l].T) / 2 / N_KERNEL)
        cond[l] = nc.condition_number(lam)
        # infinite-width GD (= the linearized network, f0 = 0) for STEPS steps at η = LR_C·2/λ_max
        r0 = vec.T @ y
        decay = (1 - LR_C * 2 / lam[-1] * np.maximum(lam, 0)) ** (2 * STEPS)
        loss_ratio[l] = float(np.sum(decay * r0 ** 2) / np.sum(r0 ** 2))
    # float32 kernels: a condition number beyond COND_MAX is below rounding (λ_min ~ 1e-7 λ_max)
    resolved = np.isfinite(cond) & (cond <= COND_MAX)
    cond = np.where(resolved, cond, np.nan)
    return {"depths": depths, "corr": corr, "cond": cond, "cond_resolved": resolved, "loss_ratio": loss_ratio, "finite": finite, "ntk": ntk}


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def training(activation: str, sw2: float, sb2: float, depth: int, seed: int) -> dict:
    """A finite network (width ``WIDTH``) trained for ``STEPS`` steps, and the infinite-width prediction."""
    x, y = inputs()
    run = cr.deep_mlp_gd(activation, sw2, sb2, depth, WIDTH, x, y, STEPS, c=LR_C, seed=seed)
    loss = np.asarray(run.loss)
    ok = np.isfinite(loss)
    first_bad = int(np.argmin(ok)) if not ok.all() else None
    theta = depth_profile(activation, sw2, sb2)["ntk"][depth - 1]
    pred = None
    if np.all(np.isfinite(theta)):
        lam, vec = np.linalg.eigh((theta + theta.T) / 2 / N_KERNEL)
        r0 = vec.T @ y
        t = np.arange(STEPS + 1)[:, None]
        lr = LR_C * 2 / lam[-1]
        pred = 0.5 * np.sum((1 - lr * np.maximum(lam, 0))[None, :] ** (2 * t) * r0[None, :] ** 2, 1) / N_KERNEL
    return {"steps": np.arange(STEPS + 1), "loss": loss, "first_bad": first_bad, "lr": run.lr,
            "cond": nc.condition_number(run.eigvals), "pred": pred, "depth": depth, "width": WIDTH, "lr_c": LR_C}
