"""Cached computations for the lesson "Scaling of kernel regression" (url /scaling).

Infinite-width ReLU NTK (NTK parameterization, w_std = √2, b_std = 0.1) in
float64. One kernel per (dataset, depth) on a fixed pool of candidate training
points and a fixed test set; learning curves draw random subsets of the pool
(``ntkcore.scaling.learning_curve``), the spectrum is the eigendecomposition of
the kernel on the first ``N_SPEC`` pool points (``ntkcore.ntk_spectrum``).

- circle: P = 1024 random angles, 1000 evenly spaced test angles; target
  ``power_law_target`` (Fourier amplitudes k^(−r), random phases).
- sphere: P = 1024 and 1000 test points uniform on S² (``ntkcore.sphere_points``,
  seeds 0 and 1); target ``sphere_power_law_target`` (power per eigenmode ~ k^(−2r)).
- digits: scikit-learn's 8×8 digits, 1297 pool images, 500 test images,
  centred one-hot targets (10 outputs).
"""

from __future__ import annotations

import math

import jax
import numpy as np
import streamlit as st

import ntkcore as nc
from ntkcore import scaling as S

NS = (16, 32, 64, 128, 256, 512)
FIT_MIN_N = 32  # learning-curve fit over n ≥ this (the smallest n is pre-asymptotic)
N_SPEC = 1024
RANKS = (8, 256)  # rank range of the spectral fits
SEEDS = tuple(range(10))
W_STD, B_STD = math.sqrt(2.0), 0.1
P_CIRCLE, N_TEST_CIRCLE = 1024, 1000
P_SPHERE, N_TEST_SPHERE = 1024, 1000
DATASETS = ("circle", "sphere", "digits")
SYNTHETIC = ("circle", "sphere")  # targets built with b = 2r (the smoothness slider applies)
RIDGES = (0.0, 1e-6, 1e-4, 1e-2)


def model(depth: int) -> nc.MLP:
    return nc.MLP(width=1, depth=depth, activation="relu", w_std=W_STD, b_std=B_STD)


def _circle_inputs():
    g = np.random.default_rng(0).uniform(0, 2 * np.pi, P_CIRCLE)
    xt, gt = nc.circle_points(N_TEST_CIRCLE)
    return np.stack([np.cos(g), np.sin(g)], -1), g, xt, gt


def _sphere_inputs():
    return nc.sphere_points(P_SPHERE, seed=0), nc.sphere_points(N_TEST_SPHERE, seed=1)


def _digits():
    return nc.digits(n_train=1297, n_test=500, seed=0)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def kernels(dataset: str, depth: int) -> dict:
    """K(pool, pool) (P, P), K(test, pool) (M, P) in float64, and the spectrum on the first N_SPEC pool points."""
    if dataset == "circle":
        xp, _, xt, _ = _circle_inputs()
    elif dataset == "sphere":
        xp, xt = _sphere_inputs()
    else:
        d = _digits()
        xp, xt = d.x_train, d.x_test
    with jax.enable_x64(True):
        k = np.asarray(nc.infinite_kernels(model(depth), xp).ntk, np.float64)
        kt = np.asarray(nc.infinite_kernels(model(depth), xt, xp).ntk, np.float64)
    spec = nc.ntk_spectrum(k[:N_SPEC, :N_SPEC])
    return {"k": k, "kt": kt, "eigvals": spec.eigvals, "eigvecs": spec.eigvecs}


R_VALUES = tuple(0.75 + 0.25 * i for i in range(8))  # the smoothness slider's values (0.75 … 2.5)


def targets(dataset: str, r: float) -> tuple[np.ndarray, np.ndarray]:
    """(y_pool, y_test), each (P, K) / (M, K)."""
    if dataset == "circle":
        _, g, _, gt = _circle_inputs()
        return S.power_law_target(g, r)[:, None], S.power_law_target(gt, r)[:, None]
    if dataset == "sphere":
        xp, xt = _sphere_inputs()
        return S.sphere_power_law_target(xp, r)[:, None], S.sphere_power_law_target(xt, r)[:, None]
    d = _digits()
    return d.y_train, d.y_test


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _all_targets(dataset: str) -> tuple[np.ndarray, np.ndarray]:
    """Every target of the dataset as output columns: the R_VALUES side by side (P, 8) on the circle and
    the sphere, digits (P, 10)."""
    if dataset in SYNTHETIC:
        ys = [targets(dataset, r) for r in R_VALUES]
        return np.concatenate([a for a, _ in ys], 1), np.concatenate([b for _, b in ys], 1)
    return targets(dataset, 0.0)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def spectrum(dataset: str, depth: int, r: float) -> dict:
    """Eigenvalues, target power per mode, its tail, the fitted a and b, and the predicted exponent.

    ``b_used``: the target decay in the prediction — 2r on the circle and the sphere (by construction:
    power k^(−2r) per eigenmode; the spectral estimate ``b`` from 1024 random points is biased upward
    by ~0.1–0.4 at these ranks), the spectral estimate on digits (nothing better is known).
    """
    kk = kernels(dataset, depth)
    y_pool, _ = targets(dataset, r)
    power = S.target_power(kk["eigvecs"], y_pool[:N_SPEC])
    ex = S.spectral_exponents(kk["eigvals"], power, *RANKS)
    b_used = 2.0 * r if dataset in SYNTHETIC else ex.b
    return {
        "eigvals": kk["eigvals"], "power": power, "tail": S.tail_power(power),
        "a": ex.a, "a_stderr": ex.a_stderr, "b": ex.b, "b_stderr": ex.b_stderr,
        "eig_prefactor": ex.eig_fit.prefactor, "tail_prefactor": ex.tail_fit.prefactor,
        "b_used": b_used,
        "predicted": S.predicted_exponent(ex.a, b_used) if b_used > 1 else float("nan"),
    }


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def curve_seed(dataset: str, depth: int, ridge: float, seed: int) -> dict:
    """One random training set per size: relative test errors for every target at once.

    ``errors``: circle and sphere (len(NS), len(R_VALUES)) — one factorization serves every smoothness r,
    so moving the r slider costs nothing; digits (len(NS), 1) (summed over the 10 outputs). ``accuracy``:
    digits only.
    """
    kk = kernels(dataset, depth)
    y_pool, y_test = _all_targets(dataset)
    synthetic = dataset in SYNTHETIC
    lc = S.learning_curve(kk["k"], kk["kt"], y_pool, y_test, NS, (seed,), ridge=ridge, per_output=synthetic)
    if synthetic:
        return {"errors": lc.errors[0] / np.mean(y_test ** 2, 0), "accuracy": None}
    scale = float(np.mean(np.sum(y_test ** 2, -1)))
    return {"errors": lc.errors[0][:, None] / scale, "accuracy": lc.accuracy[0]}


def r_index(r: float) -> int:
    """Column of smoothness ``r`` in ``R_VALUES`` (within float noise); ValueError for a value off the grid."""
    for i, v in enumerate(R_VALUES):
        if math.isclose(r, v, rel_tol=1e-9, abs_tol=1e-12):
            return i
    raise ValueError(f"r must be one of {', '.join(f'{v:g}' for v in R_VALUES)}; got {r!r}")


def curve(per_seed: list[dict], dataset: str, r: float) -> dict:
    """The seeds' errors (S, len(NS)) for target r; geometric mean and the power-law fit over n ≥ FIT_MIN_N."""
    col = r_index(r) if dataset in SYNTHETIC else 0
    errors = np.stack([c["errors"][:, col] for c in per_seed])
    geo = np.exp(np.mean(np.log(np.maximum(errors, 1e-300)), 0))
    keep = np.asarray(NS) >= FIT_MIN_N
    fit = S.fit_power_law(np.asarray(NS)[keep], geo[keep])
    acc = None if per_seed[0]["accuracy"] is None else np.stack([c["accuracy"] for c in per_seed])
    return {
        "ns": np.asarray(NS), "errors": errors, "geo_mean": geo,
        "accuracy": acc, "slope": fit.slope, "stderr": fit.stderr, "prefactor": fit.prefactor,
    }
