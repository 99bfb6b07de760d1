"""Sequence models (RNN, Attention): shapes, empirical NTK = J·Jᵀ, Monte Carlo convergence,
the recurrent NTK against Monte Carlo, training, the sequence dataset, validation errors."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ntkcore as nc

DS = nc.sequences(n_train=12, n_test=6, length=6, seed=1)
X = DS.x_train  # (12, 6, 1)


def _jjt(model, params, x):
    jac = jax.jacrev(model.apply)(params, jnp.asarray(x, jnp.float32))
    j = jnp.concatenate([leaf.reshape(x.shape[0], model.out_dim, -1) for leaf in jax.tree.leaves(jac)], -1)
    return jnp.einsum("ikp,jkp->ij", j, j) / model.out_dim


MODELS = [
    nc.RNN(width=32, depth=2, activation="tanh", w_std=1.2, b_std=0.1, u_std=0.9, out_dim=2),
    nc.Attention(width=16, heads=2, depth=2, activation="relu", w_std=1.0, b_std=0.1, out_dim=2),
    nc.Attention(width=16, heads=4, qk_scaling="standard", positional=False),
]


@pytest.mark.parametrize("model", MODELS, ids=["rnn", "attention", "attention-standard"])
def test_shapes_and_ntk_equals_jacobian(model):
    params = model.init(jax.random.key(3), X.shape[1:])
    assert model.apply(params, X).shape == (12, model.out_dim)
    theta = nc.empirical_ntk(model, params, X)
    assert theta.shape == (12, 12)
    np.testing.assert_allclose(theta, _jjt(model, params, X), rtol=2e-5, atol=2e-5)
    cross = nc.empirical_ntk(model, params, X[:5], X[5:])
    np.testing.assert_allclose(cross, theta[:5, 5:], rtol=2e-5, atol=2e-5)
    nngp = nc.empirical_nngp(model, params, X)
    assert nngp.shape == (12, 12) and np.all(np.linalg.eigvalsh(np.asarray(nngp, np.float64)) > -1e-4)
    # the parameters do not depend on T: a longer sequence runs through the same model
    assert model.apply(params, np.ones((2, 9, 1))).shape == (2, model.out_dim)


def test_monte_carlo_spread_falls_with_width():
    """Both models: the seed-to-seed spread of Θ falls with width (log-log slope < 0)."""
    widths = (16, 48, 144)
    for make in (lambda w: nc.RNN(width=w, activation="relu", b_std=0.1),
                 lambda w: nc.Attention(width=w, heads=4, b_std=0.1)):
        spread = []
        for w in widths:
            mc = nc.monte_carlo_kernels(make(w), X, n_samples=6, seed=0)
            spread.append(float(jnp.linalg.norm(mc.ntk_std) / jnp.linalg.norm(mc.ntk_mean)))
        slope = np.polyfit(np.log(widths), np.log(spread), 1)[0]
        assert slope < -0.3, (spread, slope)


@pytest.mark.parametrize("act,u_std", [("relu", 1.0), ("erf", 1.5)])
def test_rnn_infinite_matches_monte_carlo(act, u_std):
    """Recurrent NTK/NNGP (Alemohammad et al. 2021) vs the mean of 20 empirical kernels: error falls with width."""
    kw = dict(activation=act, w_std=1.0, b_std=0.1, u_std=u_std)
    inf = nc.infinite_kernels(nc.RNN(width=1, **kw), X)
    assert inf.ntk.shape == (12, 12)
    np.testing.assert_allclose(inf.ntk, inf.ntk.T, rtol=1e-5)
    errs = []
    for w in (16, 256):
        mc = nc.monte_carlo_kernels(nc.RNN(width=w, **kw), X, n_samples=20, seed=0)
        errs.append([float(jnp.linalg.norm(a - b) / jnp.linalg.norm(b))
                     for a, b in ((mc.ntk_mean, inf.ntk), (mc.nngp_mean, inf.nngp))])
    errs = np.array(errs)
    assert np.all(errs[1] < 0.08), errs
    assert np.all(errs[1] < errs[0]), errs


def test_rnn_infinite_first_step_is_dense_kernel():
    """T = 1: the RNN is a one-hidden-layer MLP, so its kernels equal the MLP's."""
    x = np.random.default_rng(0).standard_normal((7, 1, 3))
    kw = dict(activation="relu", w_std=1.3, b_std=0.2)
    rnn = nc.infinite_kernels(nc.RNN(width=1, u_std=0.7, **kw), x)
    mlp = nc.infinite_kernels(nc.MLP(width=1, depth=1, **kw), x[:, 0])
    np.testing.assert_allclose(rnn.ntk, mlp.ntk, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rnn.nngp, mlp.nngp, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("model", [nc.RNN(width=32, out_dim=3), nc.Attention(width=16, heads=2, out_dim=3)],
                         ids=["rnn", "attention"])
def test_train_reduces_loss(model):
    traj = nc.train(model, DS.x_train, DS.y_train, nc.TrainConfig(steps=40, lr=0.5, n_records=4),
                    x_test=DS.x_test, y_test=DS.y_test)
    assert not traj.diverged
    assert traj.train_loss[-1] < 0.7 * traj.train_loss[0]
    assert traj.pred_test.shape == (5, 6, 3) and traj.ntk.shape == (5, 12, 12)
    assert np.all(np.isfinite(traj.kernel_change)) and traj.kernel_change[-1] > 0


def test_sequences_dataset():
    a, b = nc.sequences(seed=3), nc.sequences(seed=3)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert a.x_train.shape == (60, 16, 1) and a.y_train.shape == (60, 3) and a.x_test.shape == (60, 16, 1)
    assert sorted(np.bincount(a.labels_train)[1:].tolist()) == [20, 20, 20]
    np.testing.assert_allclose(a.y_train.sum(1), 0, atol=1e-12)
    s = nc.sequences("sum", n_train=10, n_test=5, noise=0.0)
    np.testing.assert_allclose(s.y_test[:, 0], s.x_test[:, :, 0].sum(1) / 4)


@pytest.mark.parametrize("make,match", [
    (lambda: nc.RNN(width=0), "width"),
    (lambda: nc.RNN(u_std=-1), "u_std"),
    (lambda: nc.RNN(activation="swish"), "activation"),
    (lambda: nc.Attention(width=10, heads=3), "divisible"),
    (lambda: nc.Attention(qk_scaling="cosine"), "qk_scaling"),
    (lambda: nc.RNN().init(jax.random.key(0), 5), r"in_shape must be \(T, d\)"),
    (lambda: nc.sequences(length=1), "length"),
    (lambda: nc.infinite_kernels(nc.RNN(activation="tanh"), X), "activation"),
])
def test_validation_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_input_shape_errors():
    model = nc.RNN(width=8)
    params = model.init(jax.random.key(0), (6, 1))
    with pytest.raises(ValueError, match=r"x1 must have shape \(n, any, 1\)"):
        nc.empirical_ntk(model, params, np.ones((3, 6, 2)))
    with pytest.raises(ValueError, match="x2 must have shape"):
        nc.empirical_ntk(model, params, X, np.ones((3, 5, 1)))
    with pytest.raises(ValueError, match="finite"):
        nc.empirical_ntk(model, params, np.full((3, 6, 1), np.nan))
    with pytest.raises(ValueError, match="x_test must have shape"):
        nc.train(model, X, DS.y_train[:, :1], nc.TrainConfig(steps=2), x_test=np.ones((2, 6, 3)), y_test=np.ones(2))
