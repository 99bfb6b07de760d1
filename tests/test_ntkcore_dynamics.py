"""Linearized model, closed-form kernel dynamics, ensembles and GP posteriors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import ntkcore as nc


def _setup(parameterization="ntk", width=64):
    data = nc.regression_1d("freqs", n_train=12, n_test=30, seed=3)
    model = nc.MLP(width=width, depth=2, activation="erf", w_std=1.5, b_std=0.2, parameterization=parameterization)
    return data, model


def test_linearized_model_equals_network_at_theta0_and_differs_after():
    data, model = _setup()
    params0 = model.init(jax.random.key(0), 1)
    f_lin = nc.linearize(model, params0)
    np.testing.assert_allclose(f_lin(params0, data.x_test), model.apply(params0, data.x_test), rtol=1e-6, atol=1e-7)
    moved = jax.tree.map(lambda p: p + 0.3, params0)
    assert float(jnp.max(jnp.abs(f_lin(moved, data.x_test) - model.apply(moved, data.x_test)))) > 1e-3


@pytest.mark.parametrize("parameterization", ["ntk", "mup"])
def test_trained_linearized_model_follows_closed_form_gd(parameterization):
    """GD on the linearized model is exactly (I − ηΘ0/N)^t on train and Θ_xX Θ⁻¹(I − M_t) on test."""
    data, model = _setup(parameterization)
    with jax.enable_x64(True):
        # the linearized model trained by GD on its parameters (not the closed-form shortcut)
        traj = nc.train(model, data.x_train, data.y_train,
                        nc.TrainConfig(steps=300, lr=0.5, n_records=6, linearized_method="gradient"),
                        x_test=data.x_test, y_test=data.y_test)
        fast = nc.train(model, data.x_train, data.y_train,
                        nc.TrainConfig(steps=300, lr=0.5, n_records=6, linearized_method="closed_form"),
                        x_test=data.x_test, y_test=data.y_test)
        np.testing.assert_allclose(fast.pred_test_lin, traj.pred_test_lin, atol=1e-8)
        np.testing.assert_allclose(fast.loss_lin, traj.loss_lin, rtol=1e-6)
        np.testing.assert_allclose(fast.pred_test, traj.pred_test, atol=1e-12)
        p0 = traj.params0
        theta = nc.empirical_ntk(model, p0, data.x_train, lr_weighted=True)
        theta_tx = nc.empirical_ntk(model, p0, data.x_test, data.x_train, lr_weighted=True)
        f_tr, f_te = nc.kernel_predictions(theta, data.y_train, traj.steps, 0.5, theta_test_train=theta_tx,
                                           f0_train=model.apply(p0, data.x_train),
                                           f0_test=model.apply(p0, data.x_test), mode="gd")
        scale = np.abs(data.y_train).max()
        assert np.max(np.abs(np.asarray(f_tr) - traj.pred_train_lin)) < 1e-4 * scale
        assert np.max(np.abs(np.asarray(f_te) - traj.pred_test_lin)) < 1e-4 * scale
        # the network itself moves away from its linearization (muP: by order one)
        gap = np.max(np.abs(traj.pred_test - traj.pred_test_lin))
        assert 0 < gap < (0.2 if parameterization == "ntk" else 2.0)


def test_flow_and_gd_agree_for_small_steps_and_converge_to_kernel_regression():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(8, 8))
    theta = a @ a.T + 0.5 * np.eye(8)
    theta_tx = rng.normal(size=(5, 8))
    y = rng.normal(size=(8, 1))
    lam_max = np.linalg.eigvalsh(theta)[-1] / 8
    lr = 1e-3 / lam_max
    t = np.array([0.0, 10.0, 1000.0])
    gd = nc.kernel_predictions(theta, y, t, lr, theta_test_train=theta_tx, mode="gd")
    flow = nc.kernel_predictions(theta, y, t, lr, theta_test_train=theta_tx, mode="flow")
    np.testing.assert_allclose(gd[0], flow[0], rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(gd[1], flow[1], rtol=1e-3, atol=1e-4)
    # t = inf: interpolation on train, kernel regression Θ_xX Θ⁻¹ Y on test
    f_tr, f_te = nc.kernel_predictions(theta, y, [np.inf], 1.0 / lam_max, theta_test_train=theta_tx, mode="flow")
    np.testing.assert_allclose(f_tr[0], y, atol=1e-4)
    np.testing.assert_allclose(f_te[0], theta_tx @ np.linalg.solve(theta, y), rtol=1e-3, atol=1e-4)
    # t = 0 returns f0
    f_tr0, _ = nc.kernel_predictions(theta, y, [0], lr, f0_train=np.ones((8, 1)))
    np.testing.assert_allclose(f_tr0[0], np.ones((8, 1)), atol=1e-6)


def test_ensemble_matches_monte_carlo_over_initializations():
    """Infinite-ensemble mean/cov vs the empirical ensemble of wide linearized networks (closed form per seed)."""
    data = nc.regression_1d("sine", n_train=5, n_test=7, noise=0.1, seed=1)
    model = nc.MLP(width=1024, depth=2, activation="erf", w_std=1.5, b_std=0.05)
    inf_tr = nc.infinite_kernels(model, data.x_train)
    inf_tx = nc.infinite_kernels(model, data.x_test, data.x_train)
    inf_tt = nc.infinite_kernels(model, data.x_test)
    t, lr = [50.0, np.inf], 1.0
    ens = nc.ensemble_predictions(inf_tr.ntk, inf_tx.ntk, inf_tr.nngp, inf_tx.nngp, inf_tt.nngp, data.y_train, t, lr)
    assert ens.mean.shape == (2, 7, 1) and ens.cov.shape == (2, 7, 7)
    preds = []
    for s in range(200):
        p0 = model.init(jax.random.key(s), 1)
        _, f_te = nc.kernel_predictions(inf_tr.ntk, data.y_train, t, lr, theta_test_train=inf_tx.ntk,
                                        f0_train=model.apply(p0, data.x_train), f0_test=model.apply(p0, data.x_test),
                                        mode="flow")
        preds.append(np.asarray(f_te)[..., 0])
    preds = np.stack(preds)  # (S, T, M)
    sd = np.sqrt(np.diagonal(np.asarray(ens.cov), axis1=1, axis2=2))
    assert np.all(np.abs(preds.mean(0) - np.asarray(ens.mean)[..., 0]) < 4 * sd / np.sqrt(200) + 1e-3)
    np.testing.assert_allclose(preds.std(0), sd, rtol=0.2, atol=1e-3)


def test_gp_posterior_against_direct_solve():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(10, 2))
    k = np.exp(-((x[:, None] - x[None]) ** 2).sum(-1))
    y = rng.normal(size=(6, 1))
    with jax.enable_x64(True):
        post = nc.gp_posterior(k[:6, :6], k[6:, :6], k[6:, 6:], y, noise=0.01)
    a = k[:6, :6] + (0.01 + 1e-6 * np.mean(np.diag(k[:6, :6]))) * np.eye(6)
    np.testing.assert_allclose(post.mean, k[6:, :6] @ np.linalg.solve(a, y), rtol=1e-8)
    np.testing.assert_allclose(post.cov, k[6:, 6:] - k[6:, :6] @ np.linalg.solve(a, k[:6, 6:]), rtol=1e-7, atol=1e-10)


def test_spectrum_modes_decay_as_predicted():
    data, model = _setup()
    with jax.enable_x64(True):
        traj = nc.train(model, data.x_train, data.y_train, nc.TrainConfig(steps=200, lr=0.8, n_records=5))
        theta0 = nc.empirical_ntk(model, traj.params0, data.x_train, lr_weighted=True)
    spec = nc.ntk_spectrum(theta0)
    assert np.all(np.diff(spec.eigvals) <= 0)
    np.testing.assert_allclose(spec.eigvals[0], traj.lambda_max, rtol=1e-6)
    assert nc.max_stable_lr(spec.eigvals[0]) == pytest.approx(traj.max_stable_lr)
    res = nc.mode_residuals(spec.eigvecs, traj.pred_train_lin, data.y_train)
    pred = nc.predicted_mode_decay(spec.eigvals, traj.steps, 0.8) * res[0][None]
    top = slice(0, 4)
    np.testing.assert_allclose(res[:, top], pred[:, top], rtol=1e-4, atol=1e-8)
    assert nc.condition_number(spec.eigvals) > 1
    assert nc.condition_number([1.0, 0.0]) == np.inf
