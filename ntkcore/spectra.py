"""NTK spectra: eigenmodes, their predicted decay, and learning-rate bounds.

Eigenvalues are loss-normalized, λ_i = eig(Θ)/N for the loss (1/2N)Σ‖f − y‖²
of ``training``: with the kernel held fixed (the linearized model, or Θ∞ as
width → ∞) residual mode i decays by (1 − ηλ_i) per GD step (e^{−ηλ_i t} in
gradient flow), so GD on the linearized model is stable iff η < 2/λ_max. The
network's own kernel moves; above the bound it may still converge (catapult,
``ntkcore.phases``).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validate as V


class Spectrum(NamedTuple):
    """Loss-normalized eigenvalues (E,) in decreasing order and eigenvectors (N, E) as columns."""

    eigvals: np.ndarray
    eigvecs: np.ndarray


def ntk_spectrum(theta) -> Spectrum:
    """Eigendecomposition of Θ/N for a symmetric kernel Θ (N, N), largest first.

    Computed in float64 on the host: spectra span many decades and the small
    eigenvalues are the interesting ones.
    """
    theta = np.asarray(V.check_array("theta", theta, 2), np.float64)
    n = theta.shape[0]
    if theta.shape != (n, n):
        raise ValueError(f"theta must be square (N, N); got {theta.shape}")
    lam, vec = np.linalg.eigh((theta + theta.T) / (2 * n))
    return Spectrum(lam[::-1].copy(), vec[:, ::-1].copy())


def max_stable_lr(lambda_max: float) -> float:
    """2/λ_max: GD on the linearized model converges iff η < 2/λ_max (at η = 2/λ_max the top mode oscillates)."""
    lambda_max = V.check_float("lambda_max", lambda_max, 0.0, lo_open=True)
    return 2.0 / lambda_max


def condition_number(eigvals) -> float:
    """λ_max/λ_min over the strictly positive eigenvalues (inf if none or one is ≤ 0)."""
    lam = np.asarray(eigvals, np.float64)
    if lam.size == 0 or lam.min() <= 0:
        return float("inf")
    return float(lam.max() / lam.min())


def mode_residuals(eigvecs, predictions, y) -> np.ndarray:
    """Projections of the residual f_t − y on each eigenvector: (T, E) (summed over outputs in quadrature).

    Args:
      eigvecs: (N, E) from ``ntk_spectrum``.
      predictions: (T, N) or (T, N, K) training-set outputs over time.
      y: (N,) or (N, K) targets.
    """
    vec = np.asarray(eigvecs)
    pred = np.asarray(predictions)
    pred = pred.reshape(pred.shape[0], pred.shape[1], -1)
    res = pred - np.asarray(y).reshape(1, pred.shape[1], -1)
    proj = np.einsum("ne,tnk->tek", vec, res)
    return np.sqrt(np.sum(proj ** 2, -1))


def predicted_mode_decay(eigvals, steps, lr: float, *, mode: str = "gd") -> np.ndarray:
    """Factor by which each mode's residual has shrunk after ``steps``: (T, E).

    "gd": |1 − ηλ|^t; "flow": e^{−ηλt}. Multiply by the step-0 residual to
    compare with ``mode_residuals``.
    """
    V.check_choice("mode", mode, ("gd", "flow"))
    lr = V.check_float("lr", lr, 0.0, lo_open=True)
    lam = np.asarray(eigvals, np.float64)[None, :]
    t = np.asarray(steps, np.float64)[:, None]
    if mode == "flow":
        return np.exp(-lr * lam * t)
    return np.abs(1 - lr * lam) ** t
