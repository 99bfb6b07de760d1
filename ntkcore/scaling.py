"""Learning curves of kernel regression and their power laws.

Kernel ("ridgeless") regression with n training points predicts
f̂(x) = K(x, X) (K(X, X) + ρ I)⁻¹ Y, the t → ∞ limit of training the
infinite-width network (``dynamics.kernel_predictions`` with t = inf). Its test
error E(n) = mean‖f̂(x) − f*(x)‖² typically falls as a power law E ∝ n^(−β).

Predicted exponent (Bordelon, Canatar & Pehlevan 2020; Spigler, Geiger & Wyart
2020). Write the kernel in its eigenbasis on the data distribution,
K(x, x') = Σ_k λ_k φ_k(x) φ_k(x'), with λ_k ~ k^(−a) (a > 1), and the target
f* = Σ_k c_k φ_k with power c_k² ~ k^(−b) (b > 1, finite variance). In the
ridgeless, noiseless limit the self-consistent theory gives, for each mode,
an error factor (κ/(nλ_k + κ))² with κ ~ n λ_n: modes k ≪ n are learned up to
(k/n)^(2a), modes k ≫ n are not learned at all. Hence

    E(n) ≈ Σ_{k<n} c_k² (k/n)^(2a) + Σ_{k>n} c_k²  ~  n^(−min(b − 1, 2a)),

i.e. β = min(b − 1, 2a): the error is the target power the first ~n modes
cannot reach (b − 1), unless the target is so smooth (b > 2a + 1) that the
imperfectly learned leading modes dominate (2a). Assumptions: power laws hold
over the ranks probed, eigenfunctions of the kernel on the data distribution,
training points i.i.d. from it, n in the asymptotic range, no label noise,
ridge small compared with λ_n.

Both a and b are estimated here from one eigendecomposition of the kernel on
many points (``ntk_spectrum``): a from the eigenvalues, b from the projections
of the targets on the eigenvectors (``target_power``), whose tail sum
Σ_{j≥k} c_j² ~ k^(−(b−1)) is a steadier estimate than the noisy c_k² itself.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import numpy as np
from scipy import linalg

from . import _validate as V


class PowerLaw(NamedTuple):
    """y ≈ prefactor · x^slope, with the standard error of the fitted slope."""

    slope: float
    prefactor: float
    stderr: float


def fit_power_law(x, y) -> PowerLaw:
    """Least-squares line through (log x, log y) over the positive finite pairs.

    Args:
      x, y: arrays of the same shape (n,), n ≥ 2 usable points.

    Returns:
      ``PowerLaw(slope, prefactor, stderr)``; stderr is the usual OLS standard
      error of the slope (0 with exactly two points).
    """
    x = np.asarray(x, np.float64).ravel()
    y = np.asarray(y, np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length; got {x.shape[0]} and {y.shape[0]}")
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if ok.sum() < 2:
        raise ValueError(f"x and y need at least 2 positive finite pairs to fit a power law; got {int(ok.sum())}")
    lx, ly = np.log(x[ok]), np.log(y[ok])
    a = np.stack([lx, np.ones_like(lx)], -1)
    coef, *_ = np.linalg.lstsq(a, ly, rcond=None)
    slope, intercept = float(coef[0]), float(coef[1])
    m = lx.size
    stderr = 0.0
    if m > 2:
        resid = ly - a @ coef
        sxx = np.sum((lx - lx.mean()) ** 2)
        stderr = float(np.sqrt(np.sum(resid ** 2) / (m - 2) / sxx)) if sxx > 0 else float("inf")
    return PowerLaw(slope, float(np.exp(intercept)), stderr)


class LearningCurve(NamedTuple):
    """Test errors of kernel regression: ``errors`` (S, len(ns)) per seed, their ``mean``, ``std`` and
    geometric mean ``geo_mean`` = exp(mean log error) (len(ns),).

    Error = mean over test points of ‖f̂(x) − y(x)‖² (summed over outputs). The
    error of one random training set is heavy-tailed (an unlucky gap between
    points costs a lot), so fit power laws to ``geo_mean``: it is far less
    sensitive to one bad draw than the arithmetic mean.
    ``accuracy`` (S, len(ns)): argmax accuracy for multi-output targets, else None.
    """

    ns: np.ndarray
    errors: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    geo_mean: np.ndarray
    accuracy: np.ndarray | None


def learning_curve(kernel_pool, kernel_test_pool, y_pool, y_test, ns: Sequence[int], seeds: Sequence[int] = (0, 1, 2),
                   *, ridge: float = 0.0, per_output: bool = False,
                   progress: Callable[[float], None] | None = None) -> LearningCurve:
    """Kernel regression on random subsets of a pool of P candidate training points.

    Args:
      kernel_pool: K(X_pool, X_pool) (P, P), e.g. ``infinite_kernels(model, x_pool).ntk``.
      kernel_test_pool: K(X_test, X_pool) (M, P).
      y_pool (P,) or (P, K), y_test (M,) or (M, K): targets.
      ns: training-set sizes, each in [1, P].
      seeds: one random subset (without replacement) of each size per seed.
      ridge: ρ relative to the mean diagonal of K: (K + ρ·mean(diag K)·I)⁻¹;
        0 uses a jitter of 1e-12·mean(diag K) only (ridgeless).
      per_output: treat the K output columns as K separate targets: ``errors``
        (S, len(ns), K) and statistics (len(ns), K), no accuracy. One
        factorization then serves every target (e.g. a family of targets).
      progress: optional callback receiving the fraction done in [0, 1].

    The solves run in float64 on the host (pass float64 kernels for errors
    below ~1e-6: float32 kernels set a floor there).
    """
    k = np.asarray(V.check_array("kernel_pool", kernel_pool, 2), np.float64)
    p = k.shape[0]
    if k.shape != (p, p):
        raise ValueError(f"kernel_pool must be square (P, P); got {k.shape}")
    kt = np.asarray(V.check_array("kernel_test_pool", kernel_test_pool, 2, p), np.float64)
    y = np.asarray(V.check_array("y_pool", y_pool, (1, 2)), np.float64)
    if y.shape[0] != p:
        raise ValueError(f"y_pool must have {p} rows to match kernel_pool; got {y.shape}")
    y = y.reshape(p, -1)
    yt = np.asarray(V.check_array("y_test", y_test, (1, 2)), np.float64)
    if yt.shape[0] != kt.shape[0]:
        raise ValueError(f"y_test must have {kt.shape[0]} rows to match kernel_test_pool; got {yt.shape}")
    yt = yt.reshape(kt.shape[0], -1)
    if yt.shape[1] != y.shape[1]:
        raise ValueError(f"y_test must have {y.shape[1]} output(s) like y_pool; got {np.shape(y_test)}")
    ns = [V.check_int("ns", n, 1, p) for n in ns]
    if not ns:
        raise ValueError("ns must contain at least one training-set size")
    seeds = [V.check_int("seeds", s, 0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must contain at least one seed")
    ridge = V.check_float("ridge", ridge, 0.0, 1e6)
    reg = max(ridge, 1e-12) * float(np.mean(np.diag(k)))
    if not isinstance(per_output, bool):
        raise ValueError(f"per_output must be True or False; got {per_output!r}")
    errors = np.zeros((len(seeds), len(ns), y.shape[1]))
    acc = np.zeros((len(seeds), len(ns))) if (y.shape[1] > 1 and not per_output) else None
    total, done = len(seeds) * len(ns), 0
    for i, s in enumerate(seeds):
        perm = np.random.default_rng(s).permutation(p)
        for j, n in enumerate(ns):
            idx = perm[:n]
            kk = k[np.ix_(idx, idx)] + reg * np.eye(n)
            coef = linalg.solve(kk, y[idx], assume_a="pos", check_finite=False)
            pred = kt[:, idx] @ coef
            errors[i, j] = np.mean((pred - yt) ** 2, 0)
            if acc is not None:
                acc[i, j] = np.mean(np.argmax(pred, -1) == np.argmax(yt, -1))
            done += 1
            if progress is not None:
                progress(done / total)
    if not per_output:
        errors = errors.sum(-1)
    geo = np.exp(np.mean(np.log(np.maximum(errors, 1e-300)), 0))
    return LearningCurve(np.asarray(ns), errors, errors.mean(0), errors.std(0), geo, acc)


def target_power(eigvecs, y) -> np.ndarray:
    """Power of the targets in each eigenmode: c_k² = ‖v_kᵀ Y‖²/P for eigenvectors (P, E), y (P,) or (P, K) → (E,).

    With v_k unit eigenvectors of K/P on P samples, c_k are the (empirical)
    coefficients of the target in the kernel's eigenfunctions; Σ_k c_k² = mean‖y‖².
    """
    vec = np.asarray(V.check_array("eigvecs", eigvecs, 2), np.float64)
    p = vec.shape[0]
    yy = np.asarray(V.check_array("y", y, (1, 2)), np.float64)
    if yy.shape[0] != p:
        raise ValueError(f"y must have {p} rows to match eigvecs; got {yy.shape}")
    proj = vec.T @ yy.reshape(p, -1)
    return np.sum(proj ** 2, -1) / p


def tail_power(power) -> np.ndarray:
    """Σ_{j≥k} c_j² for each k (E,): the target power left after the first k − 1 modes."""
    power = np.asarray(power, np.float64)
    return np.cumsum(power[::-1])[::-1]


class SpectralExponents(NamedTuple):
    """Fitted decays over ranks [k_min, k_max]: λ_k ~ k^(−a), Σ_{j≥k} c_j² ~ k^(−(b−1)); their standard errors."""

    a: float
    a_stderr: float
    b: float
    b_stderr: float
    eig_fit: PowerLaw
    tail_fit: PowerLaw


def spectral_exponents(eigvals, power, k_min: int, k_max: int) -> SpectralExponents:
    """Fit the eigenvalue decay a and the target decay b over ranks k_min … k_max (1-based, inclusive).

    Args:
      eigvals: kernel eigenvalues (E,) in decreasing order (``ntk_spectrum(K).eigvals``).
      power: target power per mode (E,) in the same order (``target_power``).
      k_min, k_max: the rank range of the fits, 1 ≤ k_min < k_max ≤ E.
    """
    lam = np.asarray(V.check_array("eigvals", eigvals, 1), np.float64)
    pw = np.asarray(V.check_array("power", power, 1), np.float64)
    if pw.shape != lam.shape:
        raise ValueError(f"power must have the same length as eigvals ({lam.size}); got {pw.size}")
    k_min = V.check_int("k_min", k_min, 1, lam.size - 1)
    k_max = V.check_int("k_max", k_max, k_min + 1, lam.size)
    ranks = np.arange(1, lam.size + 1)
    sl = slice(k_min - 1, k_max)
    eig_fit = fit_power_law(ranks[sl], lam[sl])
    tail_fit = fit_power_law(ranks[sl], tail_power(pw)[sl])
    return SpectralExponents(-eig_fit.slope, eig_fit.stderr, 1.0 - tail_fit.slope, tail_fit.stderr, eig_fit, tail_fit)


def predicted_exponent(a: float, b: float) -> float:
    """β = min(b − 1, 2a): the learning-curve exponent E(n) ~ n^(−β) of ridgeless kernel regression.

    a: eigenvalue decay λ_k ~ k^(−a) (> 0); b: target power decay c_k² ~ k^(−b) (> 1). See the module docstring.
    """
    a = V.check_float("a", a, 0.0, 1e3, lo_open=True)
    b = V.check_float("b", b, 1.0, 1e3, lo_open=True)
    return float(min(b - 1.0, 2.0 * a))


def power_law_target(gamma, exponent: float, n_freq: int = 2000, seed: int = 0) -> np.ndarray:
    """A target on the circle with a power-law Fourier spectrum: f*(γ) = Σ_{k=1}^{K} k^(−r) cos(kγ + φ_k) / norm.

    Args:
      gamma: angles (n,).
      exponent: r > 0.5 (amplitude decay; power per eigenmode c_k² ~ k^(−2r), so b = 2r).
      n_freq: K, the highest frequency kept.
      seed: the random phases φ_k ~ U[0, 2π).

    Normalized to unit mean square over the circle (Σ_k k^(−2r)/2 = 1).
    """
    gamma = np.asarray(V.check_array("gamma", gamma, 1), np.float64)
    exponent = V.check_float("exponent", exponent, 0.5, 10.0, lo_open=True)
    n_freq = V.check_int("n_freq", n_freq, 1, 100_000)
    seed = V.check_int("seed", seed, 0)
    k = np.arange(1, n_freq + 1)
    phase = np.random.default_rng(seed).uniform(0, 2 * np.pi, n_freq)
    amp = k ** (-exponent)
    amp = amp / np.sqrt(np.sum(amp ** 2) / 2)
    out = np.zeros_like(gamma)
    for start in range(0, n_freq, 256):  # (n, 256) blocks keep memory small
        kk = slice(start, start + 256)
        out += np.cos(np.outer(gamma, k[kk]) + phase[kk]) @ amp[kk]
    return out


def sphere_power_law_target(x, exponent: float, max_degree: int = 64, seed: int = 0) -> np.ndarray:
    """A target on the unit sphere S² with a power-law spectrum in spherical harmonics.

    f*(x) = Σ_{ℓ=1}^{L} A_ℓ Y_ℓ(x), where Y_ℓ is a random function of degree ℓ with unit mean
    square over the sphere, Y_ℓ(x) = Σ_j g_ℓj P_ℓ(x·u_j) / norm_ℓ over M = 2L+1 random directions
    u_j (shared by all degrees) and Gaussian weights g_ℓj (P_ℓ: Legendre polynomials; by the
    addition theorem norm_ℓ² = g_ℓᵀ P_ℓ(UUᵀ) g_ℓ / (2ℓ+1)). A dot-product kernel (an NTK on the
    sphere) has the degree-ℓ harmonics as eigenfunctions, 2ℓ+1 of them, at eigenvalue ranks
    i ≈ ℓ²; with A_ℓ² ∝ (2ℓ+1) ℓ^(−4r) the power per eigenmode is c_i² ~ ℓ^(−4r) ~ i^(−2r), so
    b = 2r as for ``power_law_target`` on the circle.

    Args:
      x: points on the unit sphere (n, 3).
      exponent: r > 0.5 (finite variance: Σ_i i^(−2r) < ∞).
      max_degree: L, the highest degree kept.
      seed: the random directions and weights.

    Returns (n,), normalized to unit mean square over the sphere (Σ_ℓ A_ℓ² = 1).
    """
    x = np.asarray(V.check_array("x", x, 2), np.float64)
    if x.shape[1] != 3:
        raise ValueError(f"x must be points in R^3 (shape (n, 3)); got shape {x.shape}")
    exponent = V.check_float("exponent", exponent, 0.5, 10.0, lo_open=True)
    max_degree = V.check_int("max_degree", max_degree, 1, 512)
    seed = V.check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    u = rng.standard_normal((2 * max_degree + 1, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    g = rng.standard_normal((max_degree + 1, len(u)))  # row ℓ: the weights of degree ℓ
    ell = np.arange(1, max_degree + 1)
    amp = np.sqrt(2 * ell + 1.0) * ell ** (-2.0 * exponent)
    amp = amp / np.sqrt(np.sum(amp ** 2))
    out = np.zeros(x.shape[0])
    # P_ℓ on the data (x·u) and on the directions (u·u), by the three-term recurrence
    # (ℓ+1) P_{ℓ+1}(t) = (2ℓ+1) t P_ℓ(t) − ℓ P_{ℓ−1}(t): all degrees in one pass.
    t_x, t_u = np.clip(x @ u.T, -1, 1), np.clip(u @ u.T, -1, 1)
    p_x, p_u = (np.ones_like(t_x), t_x), (np.ones_like(t_u), t_u)
    for l, a in zip(ell, amp):
        norm2 = g[l] @ p_u[1] @ g[l] / (2 * l + 1)
        out += a * (p_x[1] @ g[l]) / np.sqrt(norm2)
        p_x = (p_x[1], ((2 * l + 1) * t_x * p_x[1] - l * p_x[0]) / (l + 1))
        p_u = (p_u[1], ((2 * l + 1) * t_u * p_u[1] - l * p_u[0]) / (l + 1))
    return out
