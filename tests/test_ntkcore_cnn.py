"""CNN: fast empirical NTK vs jacrev, the infinite-width CNTK vs Monte Carlo, reductions, validation."""
import jax
import numpy as np
import pytest

import ntkcore as nc
from ntkcore import cnn as cnn_mod


def _inputs(shape, n, seed):
    return np.random.default_rng(seed).normal(size=(n,) + shape)


# (in_shape, pooling, padding, activation, out_dim, extra model kwargs)
FAST_CASES = [
    ((5, 5, 2), "gap", "same", "relu", 1, {}),
    ((5, 5, 2), "flatten", "circular", "erf", 3, {"b_std": 0.3}),
    ((7, 3), "gap", "circular", "tanh", 2, {"b_std": 0.2}),
    ((7, 3), "flatten", "same", "gelu", 1, {"kernel_size": 2}),
    ((4, 6, 1), "gap", "same", "relu", 2, {"parameterization": "standard", "b_std": 0.5, "w_std": 1.5}),
]


@pytest.mark.parametrize("in_shape,pooling,padding,activation,out_dim,extra", FAST_CASES)
def test_fast_ntk_equals_jacrev(in_shape, pooling, padding, activation, out_dim, extra):
    with jax.enable_x64(True):
        model = nc.CNN(channels=3, depth=2, activation=activation, pooling=pooling, padding=padding,
                       out_dim=out_dim, **{"w_std": 1.3, **extra})
        params = model.init(jax.random.key(3), in_shape)
        x1, x2 = _inputs(in_shape, 4, 0), _inputs(in_shape, 3, 1)
        fast = np.asarray(nc.empirical_ntk(model, params, x1, x2))
        ref = np.asarray(nc.empirical_ntk(model, params, x1, x2, method="jacobian"))
        assert fast.shape == ref.shape == (4, 3)
        np.testing.assert_allclose(fast, ref, rtol=1e-10, atol=1e-12)
        if pooling == "gap" and padding == "same":  # x2 = x1 shares one backward pass; lr multipliers are all 1
            sym = np.asarray(nc.empirical_ntk(model, params, x1, lr_weighted=True))
            np.testing.assert_allclose(sym, np.asarray(nc.empirical_ntk(model, params, x1, x1, method="jacobian")),
                                       rtol=1e-10, atol=1e-12)


def _slope(widths, errors):
    return np.polyfit(np.log(widths), np.log(errors), 1)[0]


@pytest.mark.parametrize("in_shape,pooling,activation", [
    ((5, 5, 2), "gap", "relu"),
    ((8, 2), "flatten", "relu"),
    ((8, 2), "gap", "tanh"),  # 2-D quadrature activation
])
def test_monte_carlo_converges_to_cntk(in_shape, pooling, activation):
    x = _inputs(in_shape, 6, 2)
    kwargs = dict(depth=2, activation=activation, pooling=pooling, w_std=1.4, b_std=0.1)
    inf = nc.infinite_kernels(nc.CNN(channels=1, **kwargs), x)
    widths, n_samples = (64, 256, 512), 16
    err, spread = [], []
    for c in widths:
        mc = nc.monte_carlo_kernels(nc.CNN(channels=c, **kwargs), x, n_samples=n_samples, seed=0)
        for kind in ("ntk", "nngp"):
            ref = np.linalg.norm(getattr(inf, kind))
            err.append(np.linalg.norm(getattr(mc, kind + "_mean") - getattr(inf, kind)) / ref)
            spread.append(np.linalg.norm(getattr(mc, kind + "_std")) / ref)
    err, spread = np.reshape(err, (-1, 2)), np.reshape(spread, (-1, 2))  # (width, ntk/nngp)
    for j in range(2):
        # the per-initialization spread falls like channels^-1/2 ...
        assert -0.7 < _slope(widths, spread[:, j]) < -0.3, spread
        # ... and the Monte Carlo mean agrees with the CNTK within its standard error (+ a small O(1/C) bias)
        assert np.all(err[:, j] < 4 * spread[:, j] / np.sqrt(n_samples) + 0.005), (err, spread)
        assert err[-1, j] < err[0, j] and err[-1, j] < 0.03, err
        assert _slope(widths, err[:, j]) < 0, err


@pytest.mark.parametrize("pooling", ["gap", "flatten"])
def test_kernel_size_one_on_one_position_is_the_mlp(pooling):
    with jax.enable_x64(True):
        x = _inputs((3,), 5, 4)
        for act in ("relu", "erf", "softplus"):
            kw = dict(depth=3, activation=act, w_std=1.3, b_std=0.2)
            a = nc.infinite_kernels(nc.CNN(channels=1, kernel_size=1, pooling=pooling, **kw), x[:, None, :])
            b = nc.infinite_kernels(nc.MLP(**kw), x)
            np.testing.assert_allclose(a.ntk, b.ntk, rtol=1e-10)
            np.testing.assert_allclose(a.nngp, b.nngp, rtol=1e-10)
        cnn = nc.CNN(channels=6, depth=2, kernel_size=1, pooling=pooling, out_dim=2, b_std=0.1)
        mlp = nc.MLP(width=6, depth=2, out_dim=2, b_std=0.1)
        params = cnn.init(jax.random.key(0), (1, 3))
        mlp_params = [{"W": p["W"].reshape(p["W"].shape[-2:]), "b": p["b"]} for p in params]
        np.testing.assert_allclose(cnn.apply(params, x[:, None, :]), mlp.apply(mlp_params, x), rtol=1e-12)
        np.testing.assert_allclose(nc.empirical_ntk(cnn, params, x[:, None, :]),
                                   nc.empirical_ntk(mlp, mlp_params, x), rtol=1e-10)


@pytest.mark.parametrize("pooling,padding", [("gap", "same"), ("gap", "circular"), ("flatten", "same")])
def test_cntk_symmetric_psd_and_blocked(monkeypatch, pooling, padding):
    with jax.enable_x64(True):
        x = nc.digits(n_train=11, n_test=1).x_train.reshape(-1, 8, 8, 1)
        model = nc.CNN(channels=1, depth=3, pooling=pooling, padding=padding, w_std=1.4, b_std=0.1)
        full = nc.infinite_kernels(model, x)
        for k in full:
            k = np.asarray(k)
            np.testing.assert_allclose(k, k.T, rtol=1e-12, atol=1e-14)
            assert np.linalg.eigvalsh(k).min() > -1e-10 * np.abs(k).max()
        # several blocks of x1 rows (a new input shape retraces with the smaller block: 11 rows = 3 blocks
        # of 4, the last padded) give the same numbers as the unblocked kernel
        monkeypatch.setattr(cnn_mod, "_CNTK_BLOCK_ELEMENTS", 4 * 5 * 64 * 64)
        part = nc.infinite_kernels(model, x, x[:5])
        np.testing.assert_allclose(part.ntk, np.asarray(full.ntk)[:, :5], rtol=1e-12)
        np.testing.assert_allclose(part.nngp, np.asarray(full.nngp)[:, :5], rtol=1e-12)


def test_train_linearize_and_pytree():
    data = nc.digits(n_train=24, n_test=8)
    x, xt = data.x_train.reshape(-1, 8, 8, 1), data.x_test.reshape(-1, 8, 8, 1)
    model = nc.CNN(channels=16, depth=2, out_dim=10, b_std=0.1)
    theta0 = np.asarray(nc.empirical_ntk(model, model.init(jax.random.key(0), (8, 8, 1)), x))
    lr = 1.0 / (np.linalg.eigvalsh(theta0).max() / 24)  # half the largest stable step 2/λ_max
    traj = nc.train(model, x, data.y_train, nc.TrainConfig(steps=30, lr=lr, n_records=3), x_test=xt, y_test=data.y_test)
    assert not traj.diverged and traj.train_loss[-1] < 0.9 * traj.train_loss[0]
    assert traj.ntk.shape == (len(traj.steps), 24, 24)
    np.testing.assert_allclose(traj.ntk[0], theta0, rtol=2e-4, atol=1e-6)
    assert abs(traj.max_stable_lr - 2 * lr) < 1e-3 * lr
    assert traj.pred_test.shape == (len(traj.steps), 8, 10)
    f_lin = nc.linearize(model, traj.params0)
    np.testing.assert_allclose(f_lin(traj.params0, xt), model.apply(traj.params0, xt), rtol=1e-6)
    leaves, tree = jax.tree.flatten(model)
    assert leaves == [1.0, 0.1] and jax.tree.unflatten(tree, leaves) == model and hash(model) == hash(model)


@pytest.mark.parametrize("kwargs,match", [
    (dict(channels=0, depth=1), "channels"),
    (dict(channels=4, depth=0), "depth"),
    (dict(channels=4, depth=1, kernel_size=16), "kernel_size"),
    (dict(channels=4, depth=1, pooling="max"), "pooling"),
    (dict(channels=4, depth=1, padding="valid"), "padding"),
    (dict(channels=4, depth=1, parameterization="mup"), "parameterization"),
    (dict(channels=4, depth=1, w_std=-1.0), "w_std"),
])
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nc.CNN(**kwargs)


def test_bad_inputs_raise():
    model = nc.CNN(channels=4, depth=1, pooling="flatten")
    with pytest.raises(ValueError, match="in_shape"):
        model.init(jax.random.key(0), (8,))
    params = model.init(jax.random.key(0), (6, 6, 2))
    with pytest.raises(ValueError, match="x1"):
        nc.empirical_ntk(model, params, np.ones((3, 6, 6, 3)))
    with pytest.raises(ValueError, match="positions"):
        model.apply(params, np.ones((3, 5, 5, 2)))
    with pytest.raises(ValueError, match="x2"):
        nc.infinite_kernels(model, np.ones((3, 6, 6, 2)), np.ones((3, 5, 5, 2)))
