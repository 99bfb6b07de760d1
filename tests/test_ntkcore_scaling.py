"""ntkcore.scaling: power-law fits, learning curves and the predicted exponent min(b − 1, 2a)."""

import jax
import numpy as np
import pytest

import ntkcore as nc
from ntkcore import scaling as S


def test_fit_power_law_recovers_known_exponent():
    rng = np.random.default_rng(0)
    x = np.geomspace(10, 1e4, 20)
    y = 3.0 * x ** -1.7 * np.exp(0.02 * rng.standard_normal(20))
    fit = S.fit_power_law(x, y)
    assert abs(fit.slope + 1.7) < 3 * fit.stderr + 0.02
    assert 0 < fit.stderr < 0.02
    assert abs(fit.prefactor / 3.0 - 1) < 0.1
    exact = S.fit_power_law([1, 2, 4], [1, 0.25, 0.0625])
    assert exact.slope == pytest.approx(-2.0) and exact.prefactor == pytest.approx(1.0)


def test_fit_power_law_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        S.fit_power_law([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="at least 2 positive"):
        S.fit_power_law([1, 2], [0, -1])


def test_predicted_exponent_and_validation():
    assert S.predicted_exponent(2.0, 3.0) == 2.0  # b − 1
    assert S.predicted_exponent(0.5, 4.0) == 1.0  # saturates at 2a
    with pytest.raises(ValueError, match="b must be"):
        S.predicted_exponent(2.0, 1.0)


def test_power_law_target_spectrum():
    x, g = nc.circle_points(512)
    y = S.power_law_target(g, 1.5, n_freq=100)
    assert np.mean(y ** 2) == pytest.approx(1.0, rel=1e-6)
    amp = np.abs(np.fft.rfft(y))[1:101] / 256
    k = np.arange(1, 101)
    np.testing.assert_allclose(amp / amp[0], k ** -1.5, rtol=1e-6)


def test_learning_curve_exponent_matches_prediction_on_circle():
    """ReLU NTK on the circle (λ_k ~ k⁻²), target c_k² ~ k⁻³: predicted β = min(b − 1, 2a) ≈ 2."""
    with jax.enable_x64(True):
        rng = np.random.default_rng(2)
        g = rng.uniform(0, 2 * np.pi, 1024)
        xp = np.stack([np.cos(g), np.sin(g)], -1)
        xt, gt = nc.circle_points(600)
        r = 1.5
        yp, yt = S.power_law_target(g, r), S.power_law_target(gt, r)
        m = nc.MLP(width=1, depth=1, activation="relu", w_std=np.sqrt(2), b_std=0.1)
        k = np.asarray(nc.infinite_kernels(m, xp).ntk)
        kt = np.asarray(nc.infinite_kernels(m, xt, xp).ntk)
    spec = nc.ntk_spectrum(k)
    ex = S.spectral_exponents(spec.eigvals, S.target_power(spec.eigvecs, yp), 8, 200)
    assert 1.8 < ex.a < 2.2, ex.a  # λ_k ~ k^-2 for ReLU on the circle
    assert 2.8 < ex.b < 3.3, ex.b  # b = 2r
    pred = S.predicted_exponent(ex.a, ex.b)
    ns = (32, 64, 128, 256, 512)
    lc = S.learning_curve(k, kt, yp, yt, ns, seeds=range(6))
    assert lc.errors.shape == (6, 5) and np.all(np.diff(lc.geo_mean) < 0)
    fit = S.fit_power_law(ns, lc.geo_mean)
    assert abs(-fit.slope - pred) < 0.35, (fit.slope, pred)


def test_learning_curve_validates_and_reports_accuracy():
    k = np.eye(6) + 0.1
    y = np.eye(3)[[0, 1, 2, 0, 1, 2]]
    lc = S.learning_curve(k, k[:2], y, y[:2], (3, 6), seeds=(0,))
    assert lc.accuracy.shape == (1, 2) and lc.accuracy[0, 1] == 1.0
    both = S.learning_curve(k, k[:2], y, y[:2], (3, 6), seeds=(0,), per_output=True)
    assert both.errors.shape == (1, 2, 3) and both.accuracy is None
    np.testing.assert_allclose(both.errors.sum(-1), lc.errors)  # one column per target, same solves
    with pytest.raises(ValueError, match="ns must be"):
        S.learning_curve(k, k, y, y, (7,))
    with pytest.raises(ValueError, match="y_pool must have 6 rows"):
        S.learning_curve(k, k, y[:5], y, (3,))


def test_sphere_points_are_uniform_on_the_sphere():
    x = nc.sphere_points(20_000, seed=3)
    assert x.shape == (20_000, 3)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-12)
    # uniform: mean 0 and second moment I/3 (Monte Carlo, ~4 standard errors)
    assert np.all(np.abs(x.mean(0)) < 4 * np.sqrt(1 / 3 / 20_000))
    np.testing.assert_allclose(x.T @ x / 20_000, np.eye(3) / 3, atol=0.012)
    np.testing.assert_array_equal(nc.sphere_points(5, seed=3), x[:5])  # the seed fixes the draw
    assert nc.sphere_points(4, dim=5).shape == (4, 5)
    for bad in ({"n": 0}, {"n": 5, "dim": 1}, {"n": 5, "seed": -1}):
        with pytest.raises(ValueError, match=next(iter(bad)) if len(bad) == 1 else list(bad)[-1]):
            nc.sphere_points(**bad)


def test_sphere_target_power_per_degree():
    """Degree-ℓ power of f* computed exactly: ‖f_ℓ‖² = ∫∫ (2ℓ+1) P_ℓ(x·x') f(x) f(x') (the projection
    kernel onto degree ℓ, addition theorem), with a product quadrature on S² (Gauss–Legendre in cos θ,
    equally spaced φ) that is exact for these polynomial degrees. It must match the construction
    A_ℓ² ∝ (2ℓ+1) ℓ^(−4r), Σ A_ℓ² = 1."""
    from scipy.special import eval_legendre

    r, big_l = 1.0, 20
    # integrands up to degree 2L + 2 = 42: Gauss–Legendre exact to 47 in cos θ, φ exact below 48
    t, wt = np.polynomial.legendre.leggauss(24)
    phi = 2 * np.pi * np.arange(48) / 48
    ct, ph = np.meshgrid(t, phi, indexing="ij")
    st_ = np.sqrt(1 - ct ** 2)
    x = np.stack([st_ * np.cos(ph), st_ * np.sin(ph), ct], -1).reshape(-1, 3)
    w = np.repeat(wt, 48) / 2 / 48  # normalized: Σ w = 1
    f = S.sphere_power_law_target(x, r, max_degree=big_l, seed=1)
    ell = np.arange(1, big_l + 1)
    want = (2 * ell + 1) * ell ** (-4.0 * r)
    want /= want.sum()
    assert np.sum(w * f ** 2) == pytest.approx(1.0, rel=1e-9)  # unit mean square
    c = np.clip(x @ x.T, -1, 1)
    got = np.array([(w * f) @ ((2 * l + 1) * eval_legendre(l, c)) @ (w * f) for l in range(0, big_l + 3)])
    np.testing.assert_allclose(got[1:big_l + 1], want, rtol=1e-8)
    assert abs(got[0]) < 1e-12 and np.all(np.abs(got[big_l + 1:]) < 1e-12)  # no constant, nothing above L
    # a different seed gives another function (with the same spectrum)
    g = S.sphere_power_law_target(x, r, max_degree=big_l, seed=2)
    assert np.max(np.abs(f - g)) > 0.1
    with pytest.raises(ValueError, match="exponent"):
        S.sphere_power_law_target(x, 0.5)
    with pytest.raises(ValueError, match="R\\^3"):
        S.sphere_power_law_target(x[:, :2], 1.0)


def test_learning_curve_exponent_matches_prediction_on_sphere():
    """ReLU NTK on S²: eigenvalues per degree ~ ℓ^−3 at ranks i ≈ ℓ², i.e. a = 3/2 (vs 2 on the circle);
    a target with b = 2r = 2 learns as n^−(b−1) = n^−1."""
    with jax.enable_x64(True):
        xp, xt = nc.sphere_points(1024, seed=0), nc.sphere_points(800, seed=1)
        yp, yt = (S.sphere_power_law_target(v, 1.0) for v in (xp, xt))
        m = nc.MLP(width=1, depth=1, activation="relu", w_std=np.sqrt(2), b_std=0.1)
        k = np.asarray(nc.infinite_kernels(m, xp).ntk)
        kt = np.asarray(nc.infinite_kernels(m, xt, xp).ntk)
    spec = nc.ntk_spectrum(k)
    ex = S.spectral_exponents(spec.eigvals, S.target_power(spec.eigvecs, yp), 8, 256)
    assert 1.35 < ex.a < 1.65, ex.a
    assert 1.8 < ex.b < 2.6, ex.b  # b = 2r (the finite-sample estimate runs a little high)
    ns = (32, 64, 128, 256, 512)
    lc = S.learning_curve(k, kt, yp, yt, ns, seeds=range(6))
    assert np.all(np.diff(lc.geo_mean) < 0)
    fit = S.fit_power_law(ns, lc.geo_mean)
    assert abs(-fit.slope - S.predicted_exponent(ex.a, 2.0)) < 0.25, fit.slope
