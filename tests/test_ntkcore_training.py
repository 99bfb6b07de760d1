"""Training: lazy scaling with width, divergence handling, SGD, the output-scale knob, muP."""
import numpy as np
import pytest

import ntkcore as nc


def _lee_run(width, steps=600):
    """Lee et al. reference run (ntk.md): 1 hidden ReLU layer, b_std 0.1, 20 circle points, cos 2γ, lr 1."""
    data = nc.circle("cos2", n_train=20)
    model = nc.MLP(width=width, depth=1, b_std=0.1)
    return nc.train(model, data.x_train, data.y_train, nc.TrainConfig(steps=steps, lr=1.0, n_records=4))


def test_lazy_scaling_weight_and_kernel_change_fall_with_width():
    widths = np.array([64, 256, 1024, 4096])
    trajs = [_lee_run(int(w)) for w in widths]
    dw = np.array([t.weight_change[-1, 0] for t in trajs])  # first layer
    dk = np.array([t.kernel_change[-1] for t in trajs])
    gap = np.array([t.function_gap[-1] for t in trajs])
    slope_w = np.polyfit(np.log(widths), np.log(dw), 1)[0]
    slope_k = np.polyfit(np.log(widths), np.log(dk), 1)[0]
    assert -0.75 < slope_w < -0.3, (dw, slope_w)
    assert -1.2 < slope_k < -0.4, (dk, slope_k)
    assert np.all(np.diff(gap) < 0)
    # same order as the published reference run (ntk.md): 0.036 and 0.0076 at width 4096 after 2000 steps
    assert 0.01 < dw[-1] < 0.06 and dk[-1] < 0.02
    assert all(t.loss[-1] < 0.05 * t.loss[0] for t in trajs)


def test_divergence_stops_and_says_so():
    data = nc.circle("cos2", n_train=20)
    model = nc.MLP(width=256, depth=1, b_std=0.1)
    ok = nc.train(model, data.x_train, data.y_train, nc.TrainConfig(steps=5, lr=0.1))
    lr = 10 * ok.max_stable_lr
    traj = nc.train(model, data.x_train, data.y_train, nc.TrainConfig(steps=500, lr=lr, n_records=50))
    assert traj.diverged and 0 < traj.diverged_step < 500
    assert traj.suggested_lr < ok.max_stable_lr
    assert f"step {traj.diverged_step}" in traj.message and "try η" in traj.message
    for arr in (traj.loss, traj.loss_lin, traj.train_loss, traj.pred_train, traj.ntk, traj.kernel_change):
        assert np.all(np.isfinite(arr))
    assert len(traj.loss) == traj.diverged_step
    assert traj.steps[-1] <= traj.diverged_step


def test_network_may_outlive_its_linearization_when_not_tracked():
    data = nc.circle("cos2", n_train=20)
    model = nc.MLP(width=256, depth=1, b_std=0.1)
    probe = nc.train(model, data.x_train, data.y_train, nc.TrainConfig(steps=2, lr=0.1))
    cfg = nc.TrainConfig(steps=50, lr=1.2 * probe.max_stable_lr, train_linearized=False)
    traj = nc.train(model, data.x_train, data.y_train, cfg)
    assert traj.loss_lin is None and traj.pred_train_lin is None
    lin = nc.train(model, data.x_train, data.y_train, nc.TrainConfig(steps=400, lr=1.2 * probe.max_stable_lr))
    assert lin.diverged and lin.diverged_model == "linearized model"


def test_sgd_is_seeded_and_trains():
    data = nc.regression_1d("sine", n_train=32, seed=0)
    model = nc.MLP(width=128, depth=1, activation="erf")
    cfg = nc.TrainConfig(steps=300, lr=0.5, batch_size=8, n_records=3, seed=4)
    a = nc.train(model, data.x_train, data.y_train, cfg, x_test=data.x_test, y_test=data.y_test)
    b = nc.train(model, data.x_train, data.y_train, cfg, x_test=data.x_test, y_test=data.y_test)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert a.train_loss[-1] < 0.3 * a.train_loss[0]
    assert a.pred_train_lin is not None  # linearized model trained by SGD on its parameters
    with pytest.raises(ValueError, match="batch_size"):
        nc.train(model, data.x_train, data.y_train, nc.TrainConfig(steps=3, batch_size=33))


def test_output_scale_small_alpha_moves_features_large_alpha_is_lazy():
    data = nc.circle("cos2", n_train=20)
    model = nc.MLP(width=256, depth=1, b_std=0.1)
    changes = {}
    for alpha in (0.1, 100.0):
        traj = nc.train(model, data.x_train, data.y_train,
                        nc.TrainConfig(steps=400, lr=0.5, output_scale=alpha, n_records=4), x_eval=data.x_test)
        # the centred model starts at zero output
        assert np.allclose(traj.pred_train[0], 0.0, atol=1e-6 * alpha)  # float32 rounding × α
        assert traj.train_loss[-1] < 0.2 * traj.train_loss[0]
        changes[alpha] = (traj.kernel_change[-1], traj.function_gap[-1])
    assert changes[0.1][0] > 100 * changes[100.0][0]
    assert changes[0.1][1] > 5 * changes[100.0][1]  # off the training points the two functions differ


def test_mup_features_keep_moving_as_width_grows_ntk_features_freeze():
    data = nc.circle("cos2", n_train=20)
    moves = {}
    for par in ("ntk", "mup"):
        for width in (128, 2048):
            model = nc.MLP(width=width, depth=1, b_std=0.1, parameterization=par)
            probe = nc.train(model, data.x_train, data.y_train, nc.TrainConfig(steps=1, lr=0.01))
            traj = nc.train(model, data.x_train, data.y_train,
                            nc.TrainConfig(steps=100, lr=0.5 * probe.max_stable_lr, n_records=2, train_linearized=False))
            moves[par, width] = traj.kernel_change[-1]
    assert moves["ntk", 2048] < 0.4 * moves["ntk", 128]
    assert moves["mup", 2048] > 0.5 * moves["mup", 128] and moves["mup", 2048] > 0.05


def test_records_have_documented_shapes():
    data = nc.regression_1d("step", n_train=10, n_test=15)
    model = nc.MLP(width=32, depth=2, out_dim=1)
    grid = np.linspace(-3, 3, 25)[:, None]
    traj = nc.train(model, data.x_train, data.y_train, nc.TrainConfig(steps=20, n_records=5, lr=0.2),
                    x_test=data.x_test, y_test=data.y_test, x_eval=grid, x_probe=data.x_train[:6],
                    y_probe=data.y_train[:6])
    r = len(traj.steps)
    assert list(traj.steps) == [0, 4, 8, 12, 16, 20]
    assert traj.loss.shape == (20,) and traj.loss_lin.shape == (20,)
    assert traj.pred_eval.shape == (r, 25, 1) and traj.pred_test_lin.shape == (r, 15, 1)
    assert traj.ntk.shape == (r, 6, 6) and traj.weight_change.shape == (r, 3)
    assert traj.kernel_change[0] == 0 and traj.kernel_distance[0] == pytest.approx(0, abs=1e-6)
    assert np.all((traj.alignment > -1) & (traj.alignment < 1))
    np.testing.assert_allclose(traj.train_loss[0], traj.loss[0], rtol=1e-5)
