"""Infinite-width kernels against published values, closed forms and independent quadrature."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate, special

import ntkcore as nc

GAMMAS = np.array([0, np.pi / 4, np.pi / 2, 3 * np.pi / 4, np.pi])
JACOT_NTK = [0.28250, 0.16997, 0.09270, 0.06604, 0.06435]
JACOT_NNGP = [0.08125, 0.06987, 0.05576, 0.04924, 0.04810]


def _circle(gammas):
    return np.stack([np.cos(gammas), np.sin(gammas)], -1)


@pytest.mark.parametrize("x64", [False, True])
def test_jacot_fig1_published_values(x64):
    # ReLU, 3 hidden layers + readout, w_std = 1, b_std = 0.1, unit circle (ntk.md)
    model = nc.MLP(width=1, depth=3, activation="relu", w_std=1.0, b_std=0.1)
    with jax.enable_x64(x64):
        k = nc.infinite_kernels(model, np.array([[1.0, 0.0]]), _circle(GAMMAS))
        np.testing.assert_allclose(np.asarray(k.ntk)[0], JACOT_NTK, rtol=1e-4)
        np.testing.assert_allclose(np.asarray(k.nngp)[0], JACOT_NNGP, rtol=1e-4)


def test_one_hidden_relu_layer_closed_form():
    model = nc.MLP(width=1, depth=1, activation="relu", w_std=math.sqrt(2), b_std=0.0)
    with jax.enable_x64(True):
        k = nc.infinite_kernels(model, np.array([[1.0, 0.0]]), _circle(GAMMAS))
    th = GAMMAS
    nngp = (np.sin(th) + (np.pi - th) * np.cos(th)) / np.pi
    ntk = nngp + np.cos(th) * (np.pi - th) / np.pi
    np.testing.assert_allclose(np.asarray(k.nngp)[0], nngp, atol=1e-10)
    np.testing.assert_allclose(np.asarray(k.ntk)[0], ntk, atol=1e-10)
    np.testing.assert_allclose(np.asarray(k.ntk)[0], [2, 1.28574, 0.31831, -0.12847, 0], atol=1e-5)


def test_width_is_ignored_under_ntk_parameterization():
    x = np.random.default_rng(0).normal(size=(6, 3))
    a = nc.infinite_kernels(nc.MLP(width=10, depth=2, b_std=0.2), x)
    b = nc.infinite_kernels(nc.MLP(width=100000, depth=2, b_std=0.2), x)
    np.testing.assert_array_equal(a.ntk, b.ntk)


def _phi_and_dphi(name):
    phi = {
        "relu": lambda x: np.maximum(x, 0), "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
        "erf": special.erf, "tanh": np.tanh, "gelu": lambda x: x * special.ndtr(x), "sin": np.sin,
        "softplus": lambda x: np.logaddexp(0, x), "identity": lambda x: x,
    }[name]
    dphi = {
        "relu": lambda x: (x > 0) * 1.0, "leaky_relu": lambda x: np.where(x > 0, 1.0, 0.01),
        "erf": lambda x: 2 / np.sqrt(np.pi) * np.exp(-x ** 2), "tanh": lambda x: 1 / np.cosh(x) ** 2,
        "gelu": lambda x: special.ndtr(x) + x * np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi), "sin": np.cos,
        "softplus": special.expit, "identity": lambda x: np.ones_like(x),
    }[name]
    return phi, dphi


def _scipy_expectation(f, q1, q2, k):
    """E[f(u, v)] by nested adaptive quadrature in whitened coordinates (an independent computation).

    u = √q1 z1, v = √q2 (ρ z1 + c z2); the kinks of relu-like φ (z1 = 0 and
    z2 = −ρ z1/c) are passed to QUADPACK as break points.
    """
    rho = k / math.sqrt(q1 * q2)
    c = math.sqrt(max(1 - rho ** 2, 0.0))
    gauss = 1 / math.sqrt(2 * math.pi)

    def inner(z1):
        u = math.sqrt(q1) * z1
        if c < 1e-12:
            return f(u, math.sqrt(q2) * rho * z1)
        kink = -rho * z1 / c
        g = lambda z2: f(u, math.sqrt(q2) * (rho * z1 + c * z2)) * gauss * math.exp(-z2 ** 2 / 2)
        pts = [kink] if -9 < kink < 9 else None
        return integrate.quad(g, -9, 9, points=pts, epsabs=1e-12, epsrel=1e-11, limit=200)[0]

    outer = lambda z1: inner(z1) * gauss * math.exp(-z1 ** 2 / 2)
    return integrate.quad(outer, -9, 9, points=[0.0], epsabs=1e-12, epsrel=1e-11, limit=200)[0]


CASES = [(1.0, 1.0, 0.3), (0.5, 2.0, -0.7), (10.0, 10.0, 9.5), (10.0, 8.0, -2.0), (3.0, 0.2, 0.6)]


@pytest.mark.parametrize("activation", nc.ACTIVATION_NAMES)
def test_gaussian_expectations_match_independent_quadrature(activation):
    """Every activation to 1e-4 relative, in default precision, for variances up to 10."""
    phi, dphi = _phi_and_dphi(activation)
    q1, q2, k = (np.array([c[i] for c in CASES]) for i in range(3))
    e, edot = nc.gaussian_expectations(activation, q1, q2, k)
    assert e.dtype == jnp.float32
    for i, (a, b, c) in enumerate(CASES):
        ref = _scipy_expectation(lambda u, v: phi(u) * phi(v), a, b, c)
        ref_dot = _scipy_expectation(lambda u, v: dphi(u) * dphi(v), a, b, c)
        scale = _scipy_expectation(lambda u, v: phi(u) ** 2, a, a, a) ** 0.5 * \
            _scipy_expectation(lambda u, v: phi(v) ** 2, b, b, b) ** 0.5
        scale_dot = _scipy_expectation(lambda u, v: dphi(u) ** 2, a, a, a) ** 0.5 * \
            _scipy_expectation(lambda u, v: dphi(v) ** 2, b, b, b) ** 0.5
        assert abs(float(e[i]) - ref) <= 1e-4 * max(abs(ref), 1e-2 * scale), (activation, CASES[i], float(e[i]), ref)
        assert abs(float(edot[i]) - ref_dot) <= 1e-4 * max(abs(ref_dot), 1e-2 * scale_dot), \
            (activation, CASES[i], float(edot[i]), ref_dot)


def test_tanh_quadrature_beats_64_point_gauss_hermite_at_variance_10():
    """A fixed 64-point Gauss–Hermite rule (neural-tangents' default) is off by ~1e-3; ours is converged."""
    q, k = 10.0, 3.0
    ref = _scipy_expectation(lambda u, v: (1 / np.cosh(u) ** 2) * (1 / np.cosh(v) ** 2), q, q, k)
    z, w = np.polynomial.hermite_e.hermegauss(64)
    w = w / w.sum()
    rho = k / q
    zz1, zz2 = np.meshgrid(z, z, indexing="ij")
    u = np.sqrt(q) * zz1
    v = np.sqrt(q) * (rho * zz1 + np.sqrt(1 - rho ** 2) * zz2)
    gh = np.sum(w[:, None] * w[None, :] / np.cosh(u) ** 2 / np.cosh(v) ** 2)
    _, ours = nc.gaussian_expectations("tanh", q, q, k)
    assert abs(gh - ref) / ref > 1e-3  # the naive rule really is inaccurate here
    assert abs(float(ours) - ref) / ref < 1e-4


@pytest.mark.parametrize("activation", ["erf", "tanh", "gelu", "sin", "softplus", "leaky_relu", "identity"])
def test_infinite_kernels_match_monte_carlo_mean(activation):
    x = np.random.default_rng(1).normal(size=(5, 3))
    model = nc.MLP(width=2048, depth=2, activation=activation, w_std=1.2, b_std=0.2)
    inf = nc.infinite_kernels(model, x)
    mc = nc.monte_carlo_kernels(model, x, n_samples=12)
    assert float(jnp.linalg.norm(mc.ntk_mean - inf.ntk) / jnp.linalg.norm(inf.ntk)) < 0.03
    assert float(jnp.linalg.norm(mc.nngp_mean - inf.nngp) / jnp.linalg.norm(inf.nngp)) < 0.03


@pytest.mark.parametrize("parameterization", ["standard", "mup"])
def test_large_width_kernel_of_other_parameterizations_matches_monte_carlo(parameterization):
    x = np.random.default_rng(2).normal(size=(5, 2))
    model = nc.MLP(width=1024, depth=2, w_std=1.3, b_std=0.3, parameterization=parameterization)
    for weighted in (False, True):
        inf = nc.infinite_kernels(model, x, lr_weighted=weighted)
        samples = [nc.empirical_ntk(model, model.init(jax.random.key(s), 2), x, lr_weighted=weighted) for s in range(12)]
        mean = jnp.mean(jnp.stack(samples), 0)
        assert float(jnp.linalg.norm(mean - inf.ntk) / jnp.linalg.norm(inf.ntk)) < 0.03
    mc = nc.monte_carlo_kernels(model, x, n_samples=12)
    assert float(jnp.linalg.norm(mc.nngp_mean - inf.nngp) / jnp.linalg.norm(inf.nngp)) < 0.03


def test_standard_ntk_grows_with_width_and_mup_nngp_vanishes():
    x = np.random.default_rng(3).normal(size=(4, 2))
    s1 = nc.infinite_kernels(nc.MLP(width=100, depth=1, parameterization="standard"), x).ntk
    s2 = nc.infinite_kernels(nc.MLP(width=1000, depth=1, parameterization="standard"), x).ntk
    assert 8 < float(jnp.trace(s2) / jnp.trace(s1)) < 10.5
    m1 = nc.infinite_kernels(nc.MLP(width=100, depth=1, parameterization="mup"), x)
    m2 = nc.infinite_kernels(nc.MLP(width=1000, depth=1, parameterization="mup"), x)
    np.testing.assert_allclose(m2.nngp, m1.nngp / 10, rtol=1e-5)
    # the kernel that drives muP training stays order one
    w1 = nc.infinite_kernels(nc.MLP(width=100, depth=1, parameterization="mup"), x, lr_weighted=True).ntk
    w2 = nc.infinite_kernels(nc.MLP(width=1000, depth=1, parameterization="mup"), x, lr_weighted=True).ntk
    np.testing.assert_allclose(w1, w2, rtol=1e-5)
