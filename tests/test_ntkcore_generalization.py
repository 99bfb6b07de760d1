"""ntkcore.generalization: the noisy learning-curve theory against Monte Carlo, the measured risk against
direct noise averages, Jacobian features against the empirical NTK, feature regression against direct
solves, and the GD / ridge filters against the closed-form dynamics."""

from __future__ import annotations

import math

import jax
import numpy as np
import pytest

import ntkcore as nc
from ntkcore import generalization as G
from ntkcore import scaling as S


def gaussian_design(n_feat=400, a=2.0, b=2.0, seed=0):
    """A linear kernel on Gaussian features x_k ~ N(0, λ_k): eigenvalues λ_k, eigenfunctions x_k/√λ_k,
    target f* = Σ_k c_k x_k/√λ_k with c_k² ∝ k^(−b) (unit power). The setting the theory is built for."""
    k = np.arange(1, n_feat + 1)
    lam = k ** (-a)
    c = np.random.default_rng(seed).choice([-1.0, 1.0], n_feat) * k ** (-b / 2)
    c /= np.linalg.norm(c)
    return lam, c


def sample(lam, c, m, rng):
    x = rng.standard_normal((m, lam.size)) * np.sqrt(lam)
    return x, x @ (c / np.sqrt(lam))


def test_solve_kappa_satisfies_its_equation():
    lam = np.arange(1, 301.0) ** -2
    for n, rho in [(10, 0.0), (100, 0.0), (50, 1e-3)]:
        kappa = G.solve_kappa(lam, n, rho)
        assert kappa == pytest.approx(rho + kappa * np.sum(lam / (n * lam + kappa)), rel=1e-10)


def test_learning_curve_prediction_matches_monte_carlo_with_noise():
    """Expected test error over 60 random training sets (exact over the noise) within 3 standard errors
    + 5 % of the prediction, for ridgeless and ridge regression, σ = 0.5."""
    lam, c = gaussian_design()
    rng = np.random.default_rng(1)
    x_test, y_test = sample(lam, c, 2000, rng)
    sigma = 0.5
    for n, ridge in [(20, 0.0), (80, 0.0), (80, 0.05)]:
        errs = []
        for _ in range(60):
            x, y = sample(lam, c, n, rng)
            risk = G.kernel_regression_risk(x @ x.T, x_test @ x.T, y, y_test, ridge)
            errs.append(risk.bias + sigma ** 2 * risk.variance_factor)
        pred = G.learning_curve_prediction(lam, c ** 2, [n], sigma, ridge)
        mean, sem = np.mean(errs), np.std(errs, ddof=1) / np.sqrt(len(errs))
        assert abs(mean - pred.error[0]) < 3 * sem + 0.05 * pred.error[0], (n, ridge, mean, sem, pred.error[0])
        assert pred.error[0] == pytest.approx(pred.bias[0] + pred.variance[0])


def test_kernel_regression_risk_equals_the_average_over_noise_draws():
    rng = np.random.default_rng(0)
    x = nc.sphere_points(40, seed=3)
    xt = nc.sphere_points(200, seed=4)
    model = nc.MLP(width=1, depth=1, activation="relu", w_std=math.sqrt(2), b_std=0.1)
    with jax.enable_x64(True):
        k = np.asarray(nc.infinite_kernels(model, x).ntk, np.float64)
        kt = np.asarray(nc.infinite_kernels(model, xt, x).ntk, np.float64)
    y, yt = S.sphere_power_law_target(x, 1.0), S.sphere_power_law_target(xt, 1.0)
    risk = G.kernel_regression_risk(k, kt, y, yt)
    sigma, errs = 0.7, []
    for _ in range(2000):
        y_noisy = y + sigma * rng.standard_normal(y.size)
        errs.append(np.mean((kt @ np.linalg.solve(k, y_noisy) - yt) ** 2))
    expected = risk.bias + sigma ** 2 * risk.variance_factor
    assert np.mean(errs) == pytest.approx(expected, abs=3 * np.std(errs) / np.sqrt(len(errs)))
    noisy = G.kernel_regression_risk(k, kt, y, yt, y_train=y + sigma * rng.standard_normal(y.size))
    assert noisy.train_error < 1e-20  # ridgeless: interpolates the noise
    assert G.kernel_regression_risk(k, kt, y, yt, ridge=1.0).train_error > 1e-4


def test_overfitting_verdict_reads_the_trend():
    ns = np.array([64, 128, 256])
    assert G.overfitting_verdict(ns, [0.5, 0.48, 0.47]) == "tempered"
    assert G.overfitting_verdict(ns, [0.5, 0.25, 0.125]) == "benign"
    assert G.overfitting_verdict(ns, [0.5, 1.0, 2.0]) == "catastrophic"


def test_jacobian_features_give_the_empirical_ntk_and_relu_loses_one_feature_per_neuron():
    x = nc.sphere_points(60, seed=0)
    for width in (3, 8):
        model = nc.MLP(width=width, depth=1, activation="relu", w_std=math.sqrt(2), b_std=0.1)
        params = model.init(jax.random.key(1), 3)
        phi = G.jacobian_features(model, params, x)
        assert phi.shape == (60, 5 * width + 1)
        ntk = np.asarray(nc.empirical_ntk(model, params, x), np.float64)
        np.testing.assert_allclose(phi @ phi.T, ntk, rtol=1e-4, atol=1e-5 * np.abs(ntk).max())
        # relu(z) = z·relu'(z): each neuron's readout gradient is a combination of its others
        assert np.linalg.matrix_rank(phi, tol=1e-10 * np.linalg.norm(phi, 2)) == 4 * width + 1
    tanh = nc.MLP(width=3, depth=1, activation="tanh", w_std=1.0, b_std=0.5)
    phi = G.jacobian_features(tanh, tanh.init(jax.random.key(0), 3), x)
    assert np.linalg.matrix_rank(phi, tol=1e-10 * np.linalg.norm(phi, 2)) == 16


def test_feature_regression_against_direct_solves():
    rng = np.random.default_rng(0)
    y = rng.standard_normal(30)
    under, over = rng.standard_normal((30, 10)), rng.standard_normal((30, 50))
    test_u, test_o = rng.standard_normal((7, 10)), rng.standard_normal((7, 50))
    # P < n, ridgeless: ordinary least squares
    beta = np.linalg.solve(under.T @ under, under.T @ y)
    tr, te = G.feature_regression(under, y, test_u)
    np.testing.assert_allclose(te, test_u @ beta, rtol=1e-9)
    # P > n, ridgeless: the minimum-norm interpolant
    beta = over.T @ np.linalg.solve(over @ over.T, y)
    tr, te = G.feature_regression(over, y, test_o)
    np.testing.assert_allclose(tr, y, atol=1e-9)
    np.testing.assert_allclose(te, test_o @ beta, rtol=1e-8)
    # ridge: (ΦᵀΦ + ρI)⁻¹Φᵀy
    beta = np.linalg.solve(over.T @ over + 0.3 * np.eye(50), over.T @ y)
    _, te = G.feature_regression(over, y, test_o, 0.3)
    np.testing.assert_allclose(te, test_o @ beta, rtol=1e-9)


def test_gd_and_ridge_filters_against_the_closed_form_dynamics():
    x = nc.sphere_points(30, seed=2)
    model = nc.MLP(width=1, depth=1, activation="relu", w_std=math.sqrt(2), b_std=0.1)
    with jax.enable_x64(True):
        theta = np.asarray(nc.infinite_kernels(model, x).ntk, np.float64)
        spec = nc.ntk_spectrum(theta)
        lr, t = 1.0 / spec.eigvals[0], np.array([3.0, 40.0])
        for k in (0, 5, 20):
            f_train, _ = nc.kernel_predictions(theta, spec.eigvecs[:, k], t, lr)
            learned = f_train[:, :, 0] @ spec.eigvecs[:, k]
            np.testing.assert_allclose(learned, G.gd_filter(spec.eigvals, lr, t)[:, k], rtol=1e-6, atol=1e-9)
            rho = G.matching_ridge(lr, t[1])
            fit = theta @ np.linalg.solve(theta + 30 * rho * np.eye(30), spec.eigvecs[:, k])
            assert fit @ spec.eigvecs[:, k] == pytest.approx(G.ridge_filter(spec.eigvals, rho)[0, k], rel=1e-6)


def test_sphere_eigenvalues_rebuild_the_kernel():
    """Addition theorem: K(t) = Σ_ℓ (2ℓ + 1) λ_ℓ P_ℓ(t) (unit-mean-square harmonics)."""
    model = nc.MLP(width=1, depth=1, activation="relu", w_std=math.sqrt(2), b_std=0.1)
    lam = G.sphere_eigenvalues(model, 400, 3000)
    assert np.all(lam[:20] > 0)
    t = np.array([-0.9, -0.3, 0.2, 0.7])
    pts = np.stack([np.sqrt(1 - t ** 2), np.zeros(4), t], -1)
    with jax.enable_x64(True):
        direct = np.asarray(nc.infinite_kernels(model, np.array([[0.0, 0.0, 1.0]]), pts).ntk)[0]
    series = np.polynomial.legendre.legval(t, (2 * np.arange(lam.size) + 1) * lam)
    np.testing.assert_allclose(series, direct, rtol=2e-3)
    # per_mode repeats each degree 2ℓ + 1 times
    assert G.per_mode(lam[:4]).size == 16


def test_sphere_power_law_degree_power_matches_the_target():
    """The degree-1 and -2 power of scaling.sphere_power_law_target, by the addition theorem over
    random pairs of points: A_ℓ² = (2ℓ + 1) E[f(x) f(x') P_ℓ(x·x')]."""
    x = nc.sphere_points(3000, seed=5)
    f = S.sphere_power_law_target(x, 1.0)
    cos = np.clip(x @ x.T, -1, 1)
    off = ~np.eye(len(x), dtype=bool)
    power = G.sphere_power_law_degree_power(1.0)
    assert power.sum() == pytest.approx(1.0) and power[0] == 0
    for ell in (1, 2):
        p_l = np.polynomial.legendre.legval(cos, np.eye(ell + 1)[ell])
        est = (2 * ell + 1) * np.mean((np.outer(f, f) * p_l)[off])
        assert est == pytest.approx(power[ell], abs=0.05), (ell, est, power[ell])


@pytest.mark.parametrize("call, match", [
    (lambda: G.solve_kappa([1.0, 0.5], 5), "n must be below the number of positive eigenvalues"),
    (lambda: G.solve_kappa([1.0, -0.5], 1), "eigvals must be ≥ 0"),
    (lambda: G.learning_curve_prediction([1.0, 0.5], [1.0], [1]), "power must have the same length"),
    (lambda: G.learning_curve_prediction([1.0, 0.5, 0.2], [1.0, 0, 0], [1], noise=-1), "noise must be"),
    (lambda: G.kernel_regression_risk(np.eye(3), np.ones((2, 3)), np.ones(3), np.ones(2), ridge=-1), "ridge must be"),
    (lambda: G.overfitting_verdict([1, 2], [0.5, -1]), "positive arrays"),
    (lambda: G.gd_filter([1.0, 0.1], 3.0, [1]), "lr must be ≤ 2/λ_max"),
    (lambda: G.ridge_filter([1.0], [0.0]), "ridge must be finite and > 0"),
    (lambda: G.matching_ridge(1.0, [0.0]), "t must be finite steps > 0"),
    (lambda: G.feature_smoothers(np.ones((3, 2)), np.ones((2, 3)), [0.0]), "last dimension 2"),
    (lambda: G.sphere_power_law_degree_power(0.4), "exponent must be"),
])
def test_bad_arguments_raise_value_error_naming_them(call, match):
    with pytest.raises(ValueError, match=match):
        call()
