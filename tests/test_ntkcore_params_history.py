"""TrainConfig(record_params=True) → Trajectory.params_history (parameters at every snapshot)."""
import jax
import numpy as np
import pytest

import ntkcore as nc


def _run(lr=1.0, **kw):
    data = nc.circle("cos2", n_train=12, n_test=20)
    model = nc.MLP(width=32, depth=1, activation="relu", b_std=0.1)
    cfg = nc.TrainConfig(steps=40, lr=lr, n_records=4, train_linearized=False, **kw)
    return model, data, nc.train(model, data.x_train, data.y_train, cfg)


def test_params_history_matches_snapshots_and_endpoints():
    model, data, traj = _run(record_params=True)
    hist = traj.params_history
    r = len(traj.steps)
    assert r == 5
    assert jax.tree.structure(hist) == jax.tree.structure(traj.params)
    for h, p0, p in zip(jax.tree.leaves(hist), jax.tree.leaves(traj.params0), jax.tree.leaves(traj.params)):
        assert isinstance(h, np.ndarray) and h.shape == (r,) + p.shape
        np.testing.assert_array_equal(h[0], np.asarray(p0))
        np.testing.assert_array_equal(h[-1], np.asarray(p))
    # every snapshot's parameters reproduce that snapshot's recorded predictions and weight change
    for i in range(r):
        params_i = jax.tree.map(lambda h: h[i], hist)
        np.testing.assert_allclose(model.apply(params_i, data.x_train), traj.pred_train[i], rtol=1e-5, atol=1e-6)
        w = [float(c) for c in nc.relative_weight_change(params_i, traj.params0)]
        np.testing.assert_allclose(w, traj.weight_change[i], rtol=1e-5, atol=1e-7)
    # parameters actually moved between snapshots
    assert np.abs(hist[0]["W"][1] - hist[0]["W"][0]).max() > 0


def test_params_history_off_by_default_and_validated():
    _, _, traj = _run()
    assert traj.params_history is None
    with pytest.raises(ValueError, match="record_params"):
        nc.TrainConfig(record_params="yes")


def test_params_history_stops_at_divergence():
    model, data, traj = _run(record_params=True, lr=500.0)
    assert traj.diverged
    assert all(h.shape[0] == len(traj.steps) for h in jax.tree.leaves(traj.params_history))
    assert all(np.all(np.isfinite(h)) for h in jax.tree.leaves(traj.params_history))
