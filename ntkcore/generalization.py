"""Generalization of kernel regression with label noise: learning-curve theory, the
random-feature view of the linearized network, and early stopping as a ridge.

Setting. Training labels y_μ = f*(x_μ) + ε_μ with ε_μ ~ N(0, σ²) i.i.d., n points
x_μ i.i.d. from a distribution p(x). Kernel (ridge) regression predicts
f̂(x) = k(x, X) (K + ρ I)⁻¹ y with K = k(X, X) (n, n); ρ = 0 is ridgeless and
interpolates: f̂(x_μ) = y_μ, noise included.

Spectral theory (Bordelon, Canatar & Pehlevan 2020; Canatar, Bordelon & Pehlevan
2021, Nature Communications 12:2914, Eq. (4)). Write the kernel in its eigenbasis
on p(x), k(x, x') = Σ_k λ_k φ_k(x) φ_k(x'), and the target f* = Σ_k c_k φ_k
(c_k² the power in mode k). With κ the positive solution of

    κ = ρ + κ Σ_k λ_k / (n λ_k + κ),                                      (κ)
    γ = Σ_k n λ_k² / (n λ_k + κ)²,

the expected excess test error (over training sets and noise, against f*) is

    E_g(n) = 1/(1 − γ) · Σ_k κ² c_k² / (n λ_k + κ)²   +   σ² γ / (1 − γ)
             ─────────── bias ──────────────────────       ─── variance ───

(the test error against noisy test labels adds σ², the Bayes error). Modes with
n λ_k ≫ κ are learned, those with n λ_k ≪ κ are not; the noise is fitted into
every direction the kernel can move, and γ/(1 − γ) says how much of it reaches
the test error.

Overfitting taxonomy (Mallinar et al. 2022): as n → ∞ an interpolating method
is *benign* if its test error tends to the Bayes error σ², *tempered* if it tends
to a constant above it, *catastrophic* if it diverges. For a linear smoother
f̂(x) = a(x)ᵀ y the noise part of the expected error is exactly σ² · V(n) with
V(n) = E_x ‖a(x)‖², so the verdict is read off the trend of V(n).

Random features. The linearized network f_lin(x) = f_0(x) + ∇_θ f(x; θ_0)·(θ − θ_0)
is linear regression on the P features φ(x) = ∇_θ f(x; θ_0), whose Gram matrix
φ(x)·φ(x') is the empirical NTK; as the width → ∞ it tends to Θ∞. The
minimum-norm least-squares fit interpolates once P ≥ n.

Early stopping. GD with step η on L = (1/2N)Σ(f − y)² with a fixed kernel learns
the mode of normalized eigenvalue λ (of Θ/N) by the factor 1 − (1 − ηλ)^t after t
steps; ridge regression (Θ + Nρ I)⁻¹ by λ/(λ + ρ). Both pass modes λ ≫ ρ and
stop modes λ ≪ ρ, and ρ = 1/(ηt) puts the two transitions at the same scale.
"""
from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import jax
import numpy as np
import jax.numpy as jnp
from scipy import linalg

from . import _validate as V


class LearningCurvePrediction(NamedTuple):
    """The spectral theory's learning curve, each field (len(ns),): κ, γ, the bias and variance
    terms of E_g and their sum ``error`` (excess over the noise σ², against the clean target)."""

    ns: np.ndarray
    kappa: np.ndarray
    gamma: np.ndarray
    bias: np.ndarray
    variance: np.ndarray
    error: np.ndarray


def _spectrum(eigvals, power):
    lam = np.asarray(V.check_array("eigvals", eigvals, 1), np.float64)
    if np.any(lam < 0):
        raise ValueError("eigvals must be ≥ 0 (eigenvalues of a positive semi-definite kernel)")
    if power is None:
        return lam, None
    c2 = np.asarray(V.check_array("power", power, 1), np.float64)
    if c2.shape != lam.shape:
        raise ValueError(f"power must have the same length as eigvals ({lam.size}); got {c2.size}")
    if np.any(c2 < 0):
        raise ValueError("power must be ≥ 0 (squared target coefficients c_k²)")
    return lam, c2


def solve_kappa(eigvals, n: float, ridge: float = 0.0) -> float:
    """The positive root κ of κ = ρ + κ Σ_k λ_k/(nλ_k + κ) (see the module docstring).

    Args:
      eigvals: λ_k ≥ 0 (E,), eigenvalues of the kernel on the data distribution
        (e.g. ``ntk_spectrum(K_pool).eigvals`` = eig(K)/P on P samples of it).
      n: training-set size (> 0).
      ridge: ρ ≥ 0 in the convention (K + ρ I)⁻¹ with K the n×n kernel matrix.

    Ridgeless (ρ = 0) needs more positive eigenvalues than n (else κ = 0: the
    kernel's span is fitted exactly and the theory's interpolation regime ends).
    Solved by bisection on log κ (the residual ρ/κ + Σ λ/(nλ + κ) − 1 falls monotonically).
    """
    lam, _ = _spectrum(eigvals, None)
    n = V.check_float("n", n, 0.0, lo_open=True)
    ridge = V.check_float("ridge", ridge, 0.0)
    positive = int(np.sum(lam > 0))
    if ridge == 0 and positive <= n:
        raise ValueError(f"n must be below the number of positive eigenvalues ({positive}) for ridgeless "
                         f"regression; got n = {n:g}")

    def resid(k):
        return ridge / k + np.sum(lam / (n * lam + k)) - 1.0

    hi = ridge + float(np.sum(lam)) + 1e-300
    lo = hi
    while resid(lo) < 0 and lo > 1e-300:
        lo *= 1e-3
    for _ in range(200):
        mid = np.sqrt(lo * hi)
        if resid(mid) > 0:
            lo = mid
        else:
            hi = mid
        if hi / lo < 1 + 1e-13:
            break
    return float(np.sqrt(lo * hi))


def learning_curve_prediction(eigvals, power, ns: Sequence[float], noise: float = 0.0,
                              ridge: float = 0.0) -> LearningCurvePrediction:
    """E_g(n) of kernel (ridge) regression with label noise, from the spectrum (module docstring).

    Args:
      eigvals: λ_k ≥ 0 (E,) on the data distribution.
      power: c_k² ≥ 0 (E,), the clean target's power per mode (``scaling.target_power``).
      ns: training-set sizes (each > 0; ridgeless: below the number of positive eigenvalues).
      noise: σ ≥ 0, the standard deviation of the label noise.
      ridge: ρ ≥ 0 as in ``solve_kappa``.

    Returns ``LearningCurvePrediction`` with arrays (len(ns),); ``error`` = bias + variance is the
    expected mean squared error against the clean target (add σ² for noisy test labels).
    """
    lam, c2 = _spectrum(eigvals, power)
    noise = V.check_float("noise", noise, 0.0)
    ns = np.asarray([V.check_float("ns", n, 0.0, lo_open=True) for n in ns], np.float64)
    if ns.size == 0:
        raise ValueError("ns must contain at least one training-set size")
    kappa = np.array([solve_kappa(lam, n, ridge) for n in ns])
    den = ns[:, None] * lam[None] + kappa[:, None]               # (len(ns), E)
    gamma = np.sum(ns[:, None] * lam[None] ** 2 / den ** 2, 1)
    bias = np.sum(kappa[:, None] ** 2 * c2[None] / den ** 2, 1) / (1 - gamma)
    variance = noise ** 2 * gamma / (1 - gamma)
    return LearningCurvePrediction(ns, kappa, gamma, bias, variance, bias + variance)


class Risk(NamedTuple):
    """Measured errors of one linear smoother f̂(x) = a(x)ᵀ y on one training set.

    ``bias``: mean over test points of (f̂_clean(x) − f*(x))², f̂_clean fitted to the clean labels;
    ``variance_factor``: V = mean over test points of ‖a(x)‖², so the noise adds σ²·V in expectation;
    ``train_error``: mean over training points of (f̂(x_μ) − y_μ)² for the labels given (0 when interpolating).
    """

    bias: float
    variance_factor: float
    train_error: float


def kernel_regression_risk(k_train, k_test_train, y_train_clean, y_test_clean, ridge: float = 0.0,
                           y_train=None) -> Risk:
    """Bias, noise factor and training error of kernel (ridge) regression, in float64.

    Args:
      k_train: K(X, X) (n, n), positive semi-definite.
      k_test_train: K(x_test, X) (M, n).
      y_train_clean (n,), y_test_clean (M,): the clean target f* at the points.
      ridge: ρ ≥ 0 (absolute, (K + ρ I)⁻¹); 0 is ridgeless (a Cholesky solve: K must be positive
        definite; use ``scipy`` least squares yourself for a singular K).
      y_train: the labels actually fitted (n,) for ``train_error`` (default: the clean ones).

    Expected test error against f* over the label noise: ``bias + σ²·variance_factor`` (exact for a
    linear smoother: the cross term has mean zero).
    """
    k = np.asarray(V.check_array("k_train", k_train, 2), np.float64)
    n = k.shape[0]
    if k.shape != (n, n):
        raise ValueError(f"k_train must be square (n, n); got {k.shape}")
    kt = np.asarray(V.check_array("k_test_train", k_test_train, 2, n), np.float64)
    y = np.asarray(V.check_array("y_train_clean", y_train_clean, 1), np.float64)
    yt = np.asarray(V.check_array("y_test_clean", y_test_clean, 1), np.float64)
    if y.shape != (n,) or yt.shape != (kt.shape[0],):
        raise ValueError(f"y_train_clean must have shape ({n},) and y_test_clean ({kt.shape[0]},); "
                         f"got {y.shape} and {yt.shape}")
    ridge = V.check_float("ridge", ridge, 0.0)
    yfit = y if y_train is None else np.asarray(V.check_array("y_train", y_train, 1), np.float64)
    if yfit.shape != (n,):
        raise ValueError(f"y_train must have shape ({n},); got {yfit.shape}")
    cho = linalg.cho_factor(k + ridge * np.eye(n), check_finite=False)
    a = linalg.cho_solve(cho, kt.T, check_finite=False).T       # (M, n): rows a(x)ᵀ
    bias = float(np.mean((a @ y - yt) ** 2))
    fit = k @ linalg.cho_solve(cho, yfit, check_finite=False)
    return Risk(bias, float(np.mean(np.sum(a ** 2, 1))), float(np.mean((fit - yfit) ** 2)))


VERDICTS = ("benign", "tempered", "catastrophic")


def overfitting_verdict(ns, variance_factor, tol: float = 0.25) -> str:
    """Mallinar et al.'s class of an interpolating method, read off the measured noise factor V(n).

    The noise adds σ²·V(n) to the test error (``kernel_regression_risk``); the Bayes error is σ².
    With s the least-squares slope of log V against log n over the given sizes (pass the largest
    few): "benign" if s < −tol (V falls towards 0: the excess over σ² vanishes), "catastrophic" if
    s > tol (V grows), else "tempered" (V levels off at a constant: a finite excess over σ²).
    A finite range of n can only suggest the limit; ``tol`` (> 0) is the slope treated as flat.
    """
    x = np.asarray(V.check_array("ns", ns, 1), np.float64)
    v = np.asarray(V.check_array("variance_factor", variance_factor, 1), np.float64)
    if x.shape != v.shape or x.size < 2 or np.any(x <= 0) or np.any(v <= 0):
        raise ValueError("ns and variance_factor must be positive arrays of the same length ≥ 2")
    tol = V.check_float("tol", tol, 0.0, 10.0, lo_open=True)
    slope = float(np.polyfit(np.log(x), np.log(v), 1)[0])
    return "benign" if slope < -tol else "catastrophic" if slope > tol else "tempered"


def sphere_eigenvalues(model: Any, max_degree: int = 200, n_quad: int = 2000) -> np.ndarray:
    """Eigenvalues λ_ℓ (max_degree + 1,) of a model's infinite-width NTK on the uniform sphere S² (d = 3).

    A dot-product kernel K(x·x') on S² has the degree-ℓ spherical harmonics (2ℓ + 1 of them, unit
    mean square) as eigenfunctions with eigenvalue (Funk–Hecke)
        λ_ℓ = ½ ∫₋₁¹ K(t) P_ℓ(t) dt,
    computed with ``n_quad``-point Gauss–Legendre quadrature of Θ∞ between the north pole and
    points at x₃ = t (float64). ``per_mode`` repeats each λ_ℓ 2ℓ + 1 times. Valid for models whose
    infinite-width kernel depends on x·x' only (an MLP on unit vectors).
    """
    from .infinite import infinite_kernels

    max_degree = V.check_int("max_degree", max_degree, 0, 2000)
    n_quad = V.check_int("n_quad", n_quad, max_degree + 2, 100_000)
    t, w = np.polynomial.legendre.leggauss(n_quad)
    pts = np.stack([np.sqrt(1 - t ** 2), np.zeros_like(t), t], -1)
    with jax.enable_x64(True):
        k = np.asarray(infinite_kernels(model, np.array([[0.0, 0.0, 1.0]]), pts).ntk, np.float64)[0]
    out = np.zeros(max_degree + 1)
    p_prev, p = np.ones_like(t), t  # Legendre recurrence (ℓ+1) P_{ℓ+1} = (2ℓ+1) t P_ℓ − ℓ P_{ℓ−1}
    out[0] = 0.5 * np.sum(w * k)
    for ell in range(1, max_degree + 1):
        out[ell] = 0.5 * np.sum(w * k * p)
        p_prev, p = p, ((2 * ell + 1) * t * p - ell * p_prev) / (ell + 1)
    return out


def per_mode(per_degree) -> np.ndarray:
    """Expand a per-degree quantity q_ℓ (L + 1,) on S² to its 2ℓ + 1 modes: ((L + 1)²,).

    Eigenvalues repeat (``per_mode(λ_ℓ)``); for powers pass the power per mode (total/(2ℓ + 1)).
    """
    q = np.asarray(V.check_array("per_degree", per_degree, 1), np.float64)
    return np.repeat(q, 2 * np.arange(q.size) + 1)


def sphere_power_law_degree_power(exponent: float, max_degree: int = 64) -> np.ndarray:
    """Power A_ℓ² per degree ℓ = 0 … max_degree of ``scaling.sphere_power_law_target(x, exponent,
    max_degree)``: A_ℓ² ∝ (2ℓ + 1) ℓ^(−4r) for ℓ ≥ 1, A_0 = 0, Σ A_ℓ² = 1 (each degree's random
    harmonic has unit mean square). Shape (max_degree + 1,)."""
    exponent = V.check_float("exponent", exponent, 0.5, 10.0, lo_open=True)
    max_degree = V.check_int("max_degree", max_degree, 1, 512)
    ell = np.arange(1, max_degree + 1)
    a2 = (2 * ell + 1.0) * ell ** (-4.0 * exponent)
    return np.concatenate([[0.0], a2 / a2.sum()])


def jacobian_features(model: Any, params: Any, x) -> np.ndarray:
    """The linearized network's features φ(x) = ∂f(x; θ)/∂θ at ``params``, flattened: (n, P), float64.

    For a scalar-output model φ(x)·φ(x') is the empirical NTK Θ(x, x') (``empirical_ntk``; for K
    outputs the features of output 0 are returned). P counts every parameter, in the order of
    ``jax.flatten_util.ravel_pytree(params)`` (one-hidden-layer MLP on d inputs, width w:
    P = w(d + 2) + 1). The features need not be linearly independent: for ReLU, relu(z) = z·relu′(z)
    makes each neuron's readout gradient a combination of its input-weight and bias gradients.
    Computed in float64 (in float32 rounding breaks such exact collinearities at the 1e-7 level,
    and a ridgeless fit then amplifies the rounding).
    """
    x = V.check_array("x", x, 2)
    with jax.enable_x64(True):
        p64 = jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float64), params)
        return np.asarray(_jacobian(model, p64, jnp.asarray(np.asarray(x), jnp.float64)), np.float64)


@jax.jit
def _jacobian(model, params, x):
    def f(p, xi):
        return model.apply(p, xi[None])[0, 0]

    grads = jax.vmap(jax.grad(f), in_axes=(None, 0))(params, x)
    return jnp.concatenate([g.reshape(x.shape[0], -1) for g in jax.tree_util.tree_leaves(grads)], 1)


def feature_smoothers(phi_train, phi_test, ridges: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Linear (ridge) regression on features as a linear smoother, for several ridges at once.

    β = argmin ‖Φβ − y‖² + ρ‖β‖² is linear in y: the predictions are A_train y and A_test y with
    (one SVD Φ = U diag(s) Wᵀ)

        A_train = U diag(s²/(s² + ρ)) Uᵀ,   A_test = Φ_test W diag(s/(s² + ρ)) Uᵀ.

    ρ = 0 gives the minimum-norm least-squares fit (pseudo-inverse): the least-squares fit for
    P < n, the interpolant of smallest ‖β‖ for P ≥ n — where GD on the linearized model goes from
    θ_0 when f_0 = 0. Singular values below 1e-12·s_max count as zero (exact collinearities among
    the features leave rounding-level ones).

    Args: phi_train Φ (n, P), phi_test (M, P), float64; ridges: ρ ≥ 0 (absolute), (R,).
    Returns (A_train (R, n, n), A_test (R, M, n)).
    """
    phi = np.asarray(V.check_array("phi_train", phi_train, 2), np.float64)
    pt = np.asarray(V.check_array("phi_test", phi_test, 2, phi.shape[1]), np.float64)
    rho = np.asarray([V.check_float("ridges", r, 0.0) for r in ridges], np.float64)
    if rho.size == 0:
        raise ValueError("ridges must contain at least one ridge")
    u, sv, wt = np.linalg.svd(phi, full_matrices=False)
    keep = sv > 1e-12 * sv[0]
    u, sv, wt = u[:, keep], sv[keep], wt[keep]
    proj = pt @ wt.T                                             # (M, r)
    den = sv[None] ** 2 + rho[:, None]                           # (R, r)
    a_train = (u[None] * (sv[None] ** 2 / den)[:, None]) @ u.T    # (R, n, n)
    a_test = (proj[None] * (sv[None] / den)[:, None]) @ u.T       # (R, M, n)
    return a_train, a_test


def feature_regression(phi_train, y_train, phi_test, ridge: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Linear (ridge) regression on features Φ (n, P): predictions on the training points (n, …) and
    on ``phi_test`` (M, P) → (M, …) for y_train (n,) or (n, K); see ``feature_smoothers``."""
    y = np.asarray(V.check_array("y_train", y_train, (1, 2)), np.float64)
    a_train, a_test = feature_smoothers(phi_train, phi_test, [ridge])
    if y.shape[0] != a_train.shape[1]:
        raise ValueError(f"y_train must have {a_train.shape[1]} rows to match phi_train; got {y.shape}")
    return a_train[0] @ y, a_test[0] @ y


def gd_filter(eigvals, lr: float, t) -> np.ndarray:
    """1 − (1 − ηλ)^t: how much of mode λ (of Θ/N) GD has learned after t steps, (T, E).

    Args: eigvals λ ≥ 0 (E,); lr η > 0 with ηλ ≤ 2 (the filter stays bounded; every mode with
    ηλ < 2 converges, one with ηλ = 2 oscillates); t: steps ≥ 0 (T,).
    """
    lam, _ = _spectrum(eigvals, None)
    lr = V.check_float("lr", lr, 0.0, lo_open=True)
    if lr * lam.max() > 2:
        raise ValueError(f"lr must be ≤ 2/λ_max = {2 / lam.max():.4g} (above it GD diverges); got {lr:g}")
    t = np.atleast_1d(np.asarray(t, np.float64))
    if np.any(~np.isfinite(t)) or np.any(t < 0):
        raise ValueError("t must be finite steps ≥ 0")
    return 1.0 - (1.0 - lr * lam[None]) ** t[:, None]


def ridge_filter(eigvals, ridge) -> np.ndarray:
    """λ/(λ + ρ): how much of mode λ (of Θ/N) ridge regression (Θ + Nρ I)⁻¹ learns, (R, E) for ρ (R,) > 0."""
    lam, _ = _spectrum(eigvals, None)
    rho = np.atleast_1d(np.asarray(ridge, np.float64))
    if np.any(~np.isfinite(rho)) or np.any(rho <= 0):
        raise ValueError("ridge must be finite and > 0")
    return lam[None] / (lam[None] + rho[:, None])


def matching_ridge(lr: float, t) -> np.ndarray:
    """ρ = 1/(ηt): the ridge (on the scale of Θ/N's eigenvalues) whose filter λ/(λ + ρ) switches
    on at the same λ as GD's 1 − (1 − ηλ)^t ≈ 1 − e^(−ηλt). t > 0 steps, any shape."""
    lr = V.check_float("lr", lr, 0.0, lo_open=True)
    t = np.asarray(t, np.float64)
    if np.any(~np.isfinite(t)) or np.any(t <= 0):
        raise ValueError("t must be finite steps > 0")
    return 1.0 / (lr * t)
