"""Empirical kernels against independent computations (autodiff Jacobians, Monte Carlo)."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ntkcore as nc


def _rel(a, b):
    return float(jnp.max(jnp.abs(a - b)) / jnp.max(jnp.abs(b)))


@pytest.mark.parametrize("parameterization", nc.PARAMETERIZATIONS)
@pytest.mark.parametrize("activation", nc.ACTIVATION_NAMES)
def test_structured_ntk_equals_jacobian_contraction(activation, parameterization):
    with jax.enable_x64(True):
        for depth, out_dim in ((0, 1), (1, 3), (3, 2)):
            model = nc.MLP(width=9, depth=depth, activation=activation, w_std=1.4, b_std=0.3,
                           parameterization=parameterization, out_dim=out_dim)
            params = model.init(jax.random.key(depth), 4)
            x1 = jax.random.normal(jax.random.key(10), (6, 4))
            x2 = jax.random.normal(jax.random.key(11), (5, 4))
            theta = nc.empirical_ntk(model, params, x1, x2)
            assert theta.dtype == jnp.float64 and theta.shape == (6, 5)
            # independent reference: explicit J·Jᵀ/K from jax.jacrev
            jac1 = jax.jacrev(model.apply)(params, x1)
            jac2 = jax.jacrev(model.apply)(params, x2)
            ref = sum(jnp.einsum("ik...,jk...->ij", a, b) for a, b in
                      zip(jax.tree.leaves(jac1), jax.tree.leaves(jac2))) / out_dim
            assert _rel(theta, ref) < 1e-6
            # the learning-rate–weighted kernel: J diag(r) Jᵀ/K
            mults = jax.tree.leaves(model.lr_multipliers(4))
            ref_w = sum(r * jnp.einsum("ik...,jk...->ij", a, b) for a, b, r in
                        zip(jax.tree.leaves(jac1), jax.tree.leaves(jac2), mults)) / out_dim
            assert _rel(nc.empirical_ntk(model, params, x1, x2, lr_weighted=True), ref_w) < 1e-6


def test_x2_none_is_symmetric_gram():
    model = nc.MLP(width=32, depth=2)
    params = model.init(jax.random.key(0), 3)
    x = jax.random.normal(jax.random.key(1), (7, 3))
    theta = nc.empirical_ntk(model, params, x)
    np.testing.assert_allclose(theta, nc.empirical_ntk(model, params, x, x), rtol=1e-6)
    np.testing.assert_allclose(theta, theta.T, rtol=1e-5)
    assert np.all(np.linalg.eigvalsh(np.asarray(theta, np.float64)) > -1e-4 * np.abs(theta).max())


def test_default_precision_is_float32():
    model = nc.MLP(width=16, depth=1)
    params = model.init(jax.random.key(0), 2)
    assert nc.empirical_ntk(model, params, np.ones((3, 2))).dtype == jnp.float32
    assert not jax.config.read("jax_enable_x64")


def test_monte_carlo_mean_converges_to_infinite_width_with_slope_minus_half():
    """‖mean_S Θ_width − Θ∞‖/‖Θ∞‖ falls like width^-1/2 (fluctuations) for a fixed number of seeds."""
    x = np.array(nc.circle_points(8)[0])
    inf = nc.infinite_kernels(nc.MLP(depth=2, b_std=0.1), x)
    widths = np.array([32, 128, 512, 2048])
    errs_ntk, errs_nngp = [], []
    for w in widths:
        mc = nc.monte_carlo_kernels(nc.MLP(width=int(w), depth=2, b_std=0.1), x, n_samples=16, seed=0)
        errs_ntk.append(float(jnp.linalg.norm(mc.ntk_mean - inf.ntk) / jnp.linalg.norm(inf.ntk)))
        errs_nngp.append(float(jnp.linalg.norm(mc.nngp_mean - inf.nngp) / jnp.linalg.norm(inf.nngp)))
    slope = np.polyfit(np.log(widths), np.log(errs_ntk), 1)[0]
    assert -0.8 < slope < -0.3, (errs_ntk, slope)
    assert errs_ntk[-1] < 0.04 and errs_nngp[-1] < 0.04
    assert np.polyfit(np.log(widths), np.log(errs_nngp), 1)[0] < -0.3


def test_monte_carlo_samples_reproduce_single_inits():
    model = nc.MLP(width=64, depth=1)
    x = np.random.default_rng(0).normal(size=(5, 2))
    mc = nc.monte_carlo_kernels(model, x, n_samples=3, seed=7, keep_samples=True)
    params = model.init(jax.random.key(8), 2)
    np.testing.assert_allclose(mc.ntk_samples[1], nc.empirical_ntk(model, params, x), rtol=1e-5)
    np.testing.assert_allclose(mc.ntk_std, np.std(np.asarray(mc.ntk_samples), 0, ddof=1), rtol=1e-4, atol=1e-7)
