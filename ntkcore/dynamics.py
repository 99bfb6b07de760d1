"""Closed-form kernel dynamics of MSE training, and Gaussian-process posteriors.

Loss L = (1/2N) Σ‖f − y‖² (as in ``training``), so with a fixed kernel Θ the
training outputs obey df/dt = −(η/N) Θ (f − Y): with t counted in steps,

    gradient flow:  f_t(X) = Y + e^{−ηΘt/N} (f_0(X) − Y)
    discrete GD:    f_t(X) = Y + (I − ηΘ/N)^t (f_0(X) − Y)   (exact for the linearized model)
    test inputs:    f_t(x) = f_0(x) + Θ(x, X) Θ⁻¹ (I − M_t) (Y − f_0(X)),  M_t the factor above.

Everything goes through the eigendecomposition Θ = V diag(λ) Vᵀ, with
Θ⁻¹(I − M_t) evaluated as V diag((1 − m_t(λ))/λ) Vᵀ, which stays finite as
λ → 0 (it tends to ηt/N) — no explicit inverse of an ill-conditioned Θ.
Shapes: N training, M test points, K outputs, T times.

These are small dense linear-algebra problems solved once per figure: they
run in float64 NumPy/SciPy on the host (no JIT compile, and the small
eigenvalues that set the slow modes keep their accuracy), and return arrays in
the default JAX float precision (float32 unless float64 is enabled).
"""
from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
from scipy import linalg

from . import _validate as V

MODES = ("flow", "gd")


def _decay(lam, t, lr, n, mode):
    """m_t(λ) and g_t(λ) = (1 − m_t(λ))/λ for eigenvalues λ (E,) and times t (T,) → (T, E) each.

    Null directions (λ ≤ 0 after rounding) never move: m = 1 and, as t → ∞,
    g = 0 (the pseudo-inverse); for finite t, g → ηt/N as λ → 0.
    """
    a = lr / n
    lam = np.maximum(lam, 0.0)[None, :]
    safe = np.where(lam > 0, lam, 1.0)
    t = t[:, None]
    finite_t = np.where(np.isinf(t), 0.0, t)
    x = a * lam * finite_t
    if mode == "flow":
        m = np.exp(-x)
        g = np.where(x > 1e-6, -np.expm1(-x) / safe, a * finite_t * (1 - x / 2))
        m = np.where(np.isinf(t) & (lam > 0), 0.0, m)
    else:
        base = 1 - a * lam
        with np.errstate(over="ignore", invalid="ignore"):  # |1 − ηλ/N| > 1 diverges, legitimately
            m = np.where(lam > 0, base ** t, 1.0)
        g = np.where(x > 1e-6, (1 - m) / safe, a * finite_t)
    g = np.where(np.isinf(t), np.where(lam > 0, (1 - m) / safe, 0.0), g)
    return m, g


def _f64(name, x, ndim, dim=None):
    return np.asarray(V.check_array(name, x, ndim, dim), np.float64)


def _out(*arrays):
    """Cast results to the default float precision (float32 unless float64 is enabled)."""
    dtype = jnp.result_type(float)
    with np.errstate(over="ignore"):  # a divergent learning rate legitimately overflows to inf
        return tuple(None if a is None else np.asarray(a, dtype) for a in arrays)


def _check(theta, y, f0, name="theta_train"):
    theta = _f64(name, theta, 2)
    n = theta.shape[0]
    if theta.shape != (n, n):
        raise ValueError(f"{name} must be square (N, N); got {tuple(theta.shape)}")
    y = _f64("y_train", y, (1, 2))
    y = y.reshape(n, -1) if y.shape[0] == n else None
    if y is None:
        raise ValueError(f"y_train must have {n} rows to match {name}")
    f0 = np.zeros_like(y) if f0 is None else _f64("f0_train", f0, (1, 2)).reshape(y.shape)
    return theta, y, f0


def _times(t):
    t = np.atleast_1d(np.asarray(t, dtype=float))
    if np.any(np.isnan(t)) or np.any(t < 0):
        raise ValueError("t must be ≥ 0 (steps; inf for convergence)")
    return t


def kernel_predictions(theta_train, y_train, t, lr: float, *, theta_test_train=None, f0_train=None, f0_test=None,
                       mode: str = "gd"):
    """Predictions of kernel gradient descent with a fixed kernel.

    Args:
      theta_train: Θ(X, X) (N, N); y_train: (N,) or (N, K).
      t: step counts (T,) (non-integers and ``inf`` allowed).
      lr: learning rate η.
      theta_test_train: Θ(x, X) (M, N) for test predictions, optional.
      f0_train (N, K), f0_test (M, K): outputs at initialization (default 0,
        i.e. the infinite-ensemble mean).
      mode: "gd" (discrete, (I − ηΘ/N)^t) or "flow" (e^{−ηΘt/N}).

    Returns:
      (f_train (T, N, K), f_test (T, M, K) or None).
    """
    V.check_choice("mode", mode, MODES)
    lr = V.check_float("lr", lr, 0.0, lo_open=True)
    theta, y, f0 = _check(theta_train, y_train, f0_train)
    t = _times(t)
    lam, vec = np.linalg.eigh((theta + theta.T) / 2)
    m, g = _decay(lam, t, lr, theta.shape[0], mode)
    r0 = vec.T @ (f0 - y)  # residual in the eigenbasis (E, K)
    f_train = y[None] + np.einsum("ne,te,ek->tnk", vec, m, r0)
    f_test = None
    if theta_test_train is not None:
        tt = _f64("theta_test_train", theta_test_train, 2, theta.shape[0])
        f0t = np.zeros((tt.shape[0], y.shape[1])) if f0_test is None else \
            _f64("f0_test", f0_test, (1, 2)).reshape(tt.shape[0], -1)
        proj = tt @ vec  # (M, E)
        f_test = f0t[None] + np.einsum("me,te,ek->tmk", proj, g, -r0)
    return _out(f_train, f_test)


class EnsemblePrediction(NamedTuple):
    """Mean (T, M, K) and covariance (T, M, M) over the infinite ensemble of initializations."""

    mean: np.ndarray
    cov: np.ndarray


def ensemble_predictions(ntk_train, ntk_test_train, nngp_train, nngp_test_train, nngp_test, y_train, t, lr: float,
                         *, mode: str = "flow") -> EnsemblePrediction:
    """Infinite-width ensemble of networks trained on MSE (Lee et al. 2019).

    With f_0 ~ GP(0, K) (K = NNGP) and A_t = Θ_xX Θ⁻¹(I − M_t):
      mean_t = A_t Y,
      cov_t  = K_xx + A_t K_XX A_tᵀ − (A_t K_Xx + (A_t K_Xx)ᵀ).
    At t = inf the mean is Θ_xX Θ⁻¹ Y (kernel regression with the NTK).
    """
    V.check_choice("mode", mode, MODES)
    lr = V.check_float("lr", lr, 0.0, lo_open=True)
    theta, y, _ = _check(ntk_train, y_train, None, "ntk_train")
    n = theta.shape[0]
    tt = _f64("ntk_test_train", ntk_test_train, 2, n)
    k = _f64("nngp_train", nngp_train, 2, n)
    kt = _f64("nngp_test_train", nngp_test_train, 2, n)
    ktt = _f64("nngp_test", nngp_test, 2, tt.shape[0])
    t = _times(t)
    lam, vec = np.linalg.eigh((theta + theta.T) / 2)
    _, g = _decay(lam, t, lr, n, mode)
    a = np.einsum("me,te,ne->tmn", tt @ vec, g, vec)  # A_t (T, M, N)
    mean = a @ y
    akx = a @ kt.T  # (T, M, M)
    cov = ktt[None] + a @ k @ np.swapaxes(a, 1, 2) - (akx + np.swapaxes(akx, 1, 2))
    return EnsemblePrediction(*_out(mean, cov))


class Posterior(NamedTuple):
    mean: np.ndarray  # (M, K)
    cov: np.ndarray  # (M, M)


def gp_posterior(k_train, k_test_train, k_test, y_train, *, noise: float = 0.0) -> Posterior:
    """GP regression posterior: mean K_xX (K + σ²I)⁻¹ Y, cov K_xx − K_xX (K + σ²I)⁻¹ K_Xx.

    With the NNGP this is the exact Bayesian posterior of the infinitely wide
    network; with the NTK it is the "NTK-GP" posterior. ``noise`` σ² ≥ 0 is the
    observation-noise variance; a jitter of 1e-6·mean(diag K) keeps the
    Cholesky factorisation stable when σ² = 0.
    """
    noise = V.check_float("noise", noise, 0.0)
    k = _f64("k_train", k_train, 2)
    n = k.shape[0]
    kt = _f64("k_test_train", k_test_train, 2, n)
    ktt = _f64("k_test", k_test, 2, kt.shape[0])
    y = _f64("y_train", y_train, (1, 2)).reshape(n, -1)
    jitter = 1e-6 * np.mean(np.diag(k))
    chol = linalg.cholesky(k + (noise + jitter) * np.eye(n), lower=True)
    alpha = linalg.cho_solve((chol, True), y)
    v = linalg.solve_triangular(chol, kt.T, lower=True)
    return Posterior(*_out(kt @ alpha, ktt - v.T @ v))
